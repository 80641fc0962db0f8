package cli

// embudo opportunities: the pipeline.

import (
	"context"
	"flag"
	"fmt"
	"net/http"
)

// opportunityFields are the flags of opportunities create and edit.
var opportunityFields = []field{
	{flag: "contact", path: "contactId", usage: "the contact's `ID` (required to create)"},
	{flag: "description", path: "description", usage: "what it is about (required to create)"},
	{flag: "observations", path: "observations", usage: "observations"},
	{flag: "state", path: "stateId", kind: refField, ref: "states", usage: "state `name or ID` (default: the default state)"},
	{flag: "interest", path: "interestId", kind: refField, ref: "interests", usage: "interest `name or ID`"},
	{flag: "agent", path: "agentId", kind: refField, ref: "agents", usage: "agent `name, code or ID` (default: the contact's)"},
	{flag: "assignee", path: "assigneeId", kind: refField, ref: "users", usage: "assigned user's `ID` (or name, for admins)"},
	{flag: "approx-amount-cents", path: "approxAmountCents", kind: intField, usage: "approximate amount in `cents`"},
	{flag: "currency", path: "currency", usage: "ISO 4217 currency (default EUR)"},
	{flag: "expected-close", path: "expectedCloseDate", usage: "expected close `date` (YYYY-MM-DD)"},
	{flag: "lost-reason", path: "lostReason", usage: "why it was lost (lost states only)"},
}

func opportunitiesResource() resource {
	return resource{name: "opportunities", aliases: []string{"opportunity", "opps", "opp"}, summary: "the sales pipeline", def: "list",
		verbs: []verb{
			{name: "list", args: "[TAB | --state TAB] [--agent A] [--assignee U] [--contact ID] [--interest I] [--source S]",
				summary: "list opportunities, of one tab (state) with --state", setup: oppsList},
			{name: "tabs", summary: "the pipeline's tabs (states shown as tabs) with their counts", setup: oppsTabs},
			{name: "show", args: "ID", summary: "show an opportunity with its quotes and notes (--json: {opportunity, quotes, notes})", setup: oppsShow},
			{name: "create", args: "--contact ID --description TEXT [...]", summary: "create an opportunity",
				setup: createVerb("/v1/opportunities", "opportunity", opportunityFields, oppLabel)},
			{name: "edit", args: "ID --field=value ...", summary: "change some fields of an opportunity",
				setup: editVerb("/v1/opportunities", "opportunity", "", opportunityFields, oppLabel)},
			{name: "move", args: "ID --state NAME|ID [--lost-reason TEXT]", summary: "move an opportunity to another state", setup: oppsMove},
			{name: "assign", args: "ID [--agent A] [--assignee U]", summary: "change an opportunity's agent or assignee (\"\" for none)", setup: oppsAssign},
			{name: "bulk-move", args: "--state NAME|ID ID...", summary: "move several opportunities to a state, all or none", setup: oppsBulkMove},
			{name: "delete", args: "ID", summary: "delete an opportunity", setup: deleteVerb("/v1/opportunities", "opportunity", "")},
		}}
}

// oppLabel names an opportunity: #12 Tienda online.
func oppLabel(m obj) string { return join(" ", "#"+m.s("number"), m.s("description")) }

// opportunityTable draws opportunities.
func (x *session) opportunityTable(ctx context.Context, items []obj, indent bool) error {
	in := ""
	if indent {
		in = "  "
	}
	t := newTable(x.stdout, in+"ID", "#", "DESCRIPTION", "STATE", "AGENT", "ASSIGNEE", "AMOUNT", "CREATED")
	for _, o := range items {
		amount := ""
		if n := o.i("amountCents"); n != 0 {
			amount = money(n, o.s("currency"))
		} else if n := o.i("approxAmountCents"); n != 0 {
			amount = "~" + money(n, o.s("currency"))
		}
		t.row(in+o.s("id"), o.s("number"), cut(o.s("description"), 40), x.nameOf(ctx, "states", o.s("stateId")),
			x.nameOf(ctx, "agents", o.s("agentId")), x.nameOf(ctx, "users", o.s("assigneeId")), amount, localDate(o.s("createdAt")))
	}
	return t.flush()
}

func oppsList(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	state := fs.String("state", "", "the tab: a state's `name or ID`")
	agent := fs.String("agent", "", "agent `name, code or ID`")
	assignee := fs.String("assignee", "", "assigned user's `ID` (or name, for admins)")
	contact := fs.String("contact", "", "contact `ID`")
	interest := fs.String("interest", "", "interest `name or ID`")
	source := fs.String("source", "", "source `name or ID`")
	lo := listFlags(fs)
	return func(ctx context.Context, args []string) error {
		if len(args) == 1 && *state == "" {
			*state = args[0] // embudo opportunities list Ganado
		} else if err := wantArgs(args, 0, ""); err != nil {
			return err
		}
		v, err := x.filters(ctx, []filter{
			{"stateId", *state, "states"}, {"agentId", *agent, "agents"}, {"assigneeId", *assignee, "users"},
			{"contactId", *contact, ""}, {"interestId", *interest, "interests"}, {"sourceId", *source, "sources"},
		})
		if err != nil {
			return err
		}
		return x.listShow(ctx, "/v1/opportunities", v, lo, "No opportunities.", func(items []obj) error { return x.opportunityTable(ctx, items, false) })
	}
}

func oppsTabs(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 0, ""); err != nil {
			return err
		}
		return x.listShow(ctx, "/v1/opportunities/tabs", nil, nil, "No tabs.", func(items []obj) error {
			t := newTable(x.stdout, "ID", "TAB", "OUTCOME", "COUNT")
			for _, s := range items {
				name := s.s("name")
				if s.b("default") {
					name += " (default)"
				}
				t.row(s.s("id"), name, s.s("outcome"), s.s("count"))
			}
			return t.flush()
		})
	}
}

func oppsShow(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 1, "the opportunity's ID"); err != nil {
			return err
		}
		path := "/v1/opportunities/" + pathID(args[0])
		res, err := x.do(ctx, http.MethodGet, path, nil, nil, nil)
		if err != nil {
			return err
		}
		quotes, err := x.list(ctx, path+"/quotes", nil, nil)
		if err != nil {
			return err
		}
		notes, err := x.list(ctx, path+"/notes", nil, nil)
		if err != nil {
			return err
		}
		if x.json {
			return x.printJSONParts(part{"opportunity", res.Body}, part{"quotes", quotes.raw}, part{"notes", notes.raw})
		}
		if err := x.showObject(ctx, res.Body); err != nil {
			return err
		}
		if len(quotes.items) > 0 {
			fmt.Fprintln(x.stdout, "\nQuotes")
			if err := x.quoteTable(quotes.items, true); err != nil {
				return err
			}
		}
		if len(notes.items) > 0 {
			fmt.Fprintln(x.stdout, "\nNotes")
			return x.noteTable(ctx, notes.items, true)
		}
		return nil
	}
}

// stateFlag resolves a required --state.
func (x *session) stateFlag(ctx context.Context, state string) (string, error) {
	if state == "" {
		return "", usagef("give --state, a state's name or ID")
	}
	return x.resolve(ctx, "states", state)
}

func oppsMove(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	state := fs.String("state", "", "the state's `name or ID`")
	reason := fs.String("lost-reason", "", "why it was lost (to a lost state)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 1, "the opportunity's ID"); err != nil {
			return err
		}
		id, err := x.stateFlag(ctx, *state)
		if err != nil {
			return err
		}
		body := map[string]any{"stateId": id}
		if *reason != "" {
			body["lostReason"] = *reason
		}
		res, err := x.patch(ctx, "/v1/opportunities/"+pathID(args[0]), body)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(o obj) error {
			fmt.Fprintf(x.stdout, "Moved opportunity %s to %s.\n", oppLabel(o), x.nameOf(ctx, "states", o.s("stateId")))
			return nil
		})
	}
}

func oppsAssign(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	f := declare(fs,
		field{flag: "agent", path: "agentId", kind: refField, ref: "agents", usage: "agent `name, code or ID` (\"\" for none)"},
		field{flag: "assignee", path: "assigneeId", kind: refField, ref: "users", usage: "user `ID` (or name, for admins; \"\" for none)"})
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 1, "the opportunity's ID"); err != nil {
			return err
		}
		body, err := f.body(ctx, x)
		if err != nil {
			return err
		}
		if len(body) == 0 {
			return usagef("give --agent, --assignee or both")
		}
		res, err := x.patch(ctx, "/v1/opportunities/"+pathID(args[0]), body)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(o obj) error {
			fmt.Fprintf(x.stdout, "Opportunity %s: agent %s, assignee %s.\n", oppLabel(o),
				orNone(x.nameOf(ctx, "agents", o.s("agentId")), "none"), orNone(x.nameOf(ctx, "users", o.s("assigneeId")), "none"))
			return nil
		})
	}
}

func oppsBulkMove(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	state := fs.String("state", "", "the state's `name or ID`")
	return func(ctx context.Context, args []string) error {
		if len(args) == 0 {
			return usagef("needs the IDs of the opportunities")
		}
		id, err := x.stateFlag(ctx, *state)
		if err != nil {
			return err
		}
		res, err := x.do(ctx, http.MethodPost, "/v1/opportunities:bulk-state", nil, map[string]any{"ids": args, "stateId": id}, nil)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(m obj) error {
			fmt.Fprintf(x.stdout, "Moved %d opportunities to %s.\n", m.i("moved"), x.nameOf(ctx, "states", id))
			return nil
		})
	}
}
