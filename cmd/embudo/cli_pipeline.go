package main

// embudo opportunities and quotes.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// cliOpportunityFields are the flags of opportunities create and edit.
var cliOpportunityFields = []cliField{
	{flag: "contact", path: "contactId", usage: "the contact's `ID` (required to create)"},
	{flag: "description", path: "description", usage: "what it is about (required to create)"},
	{flag: "observations", path: "observations", usage: "observations"},
	{flag: "state", path: "stateId", kind: cliRef, ref: "states", usage: "state `name or ID` (default: the default state)"},
	{flag: "interest", path: "interestId", kind: cliRef, ref: "interests", usage: "interest `name or ID`"},
	{flag: "agent", path: "agentId", kind: cliRef, ref: "agents", usage: "agent `name, code or ID` (default: the contact's)"},
	{flag: "assignee", path: "assigneeId", kind: cliRef, ref: "users", usage: "assigned user's `ID` (or name, for admins)"},
	{flag: "approx-amount-cents", path: "approxAmountCents", kind: cliInt, usage: "approximate amount in `cents`"},
	{flag: "currency", path: "currency", usage: "ISO 4217 currency (default EUR)"},
	{flag: "expected-close", path: "expectedCloseDate", usage: "expected close `date` (YYYY-MM-DD)"},
	{flag: "lost-reason", path: "lostReason", usage: "why it was lost (lost states only)"},
}

func cliOpportunitiesResource() cliResource {
	return cliResource{name: "opportunities", aliases: []string{"opportunity", "opps", "opp"}, summary: "the sales pipeline", def: "list",
		verbs: []cliVerb{
			{name: "list", args: "[TAB | --state TAB] [--agent A] [--assignee U] [--contact ID] [--interest I] [--source S]",
				summary: "list opportunities, of one tab (state) with --state", setup: cliOppsList},
			{name: "tabs", summary: "the pipeline's tabs (states shown as tabs) with their counts", setup: cliOppsTabs},
			{name: "show", args: "ID", summary: "show an opportunity with its quotes and notes (--json: {opportunity, quotes, notes})", setup: cliOppsShow},
			{name: "create", args: "--contact ID --description TEXT [...]", summary: "create an opportunity",
				setup: cliCreate("/v1/opportunities", "opportunity", cliOpportunityFields, cliOppLabel)},
			{name: "edit", args: "ID --field=value ...", summary: "change some fields of an opportunity",
				setup: cliEdit("/v1/opportunities", "opportunity", "", cliOpportunityFields, cliOppLabel)},
			{name: "move", args: "ID --state NAME|ID [--lost-reason TEXT]", summary: "move an opportunity to another state", setup: cliOppsMove},
			{name: "assign", args: "ID [--agent A] [--assignee U]", summary: "change an opportunity's agent or assignee (\"\" for none)", setup: cliOppsAssign},
			{name: "bulk-move", args: "--state NAME|ID ID...", summary: "move several opportunities to a state, all or none", setup: cliOppsBulkMove},
			{name: "delete", args: "ID", summary: "delete an opportunity", setup: cliDelete("/v1/opportunities", "opportunity", "")},
		}}
}

// cliOppLabel names an opportunity: #12 Tienda online.
func cliOppLabel(m cliObj) string { return cliJoin(" ", "#"+m.s("number"), m.s("description")) }

// opportunityTable draws opportunities.
func (x *cliSession) opportunityTable(ctx context.Context, items []cliObj, indent bool) error {
	in := ""
	if indent {
		in = "  "
	}
	t := cliNewTable(x.stdout, in+"ID", "#", "DESCRIPTION", "STATE", "AGENT", "ASSIGNEE", "AMOUNT", "CREATED")
	for _, o := range items {
		amount := ""
		if n := o.i("amountCents"); n != 0 {
			amount = cliMoney(n, o.s("currency"))
		} else if n := o.i("approxAmountCents"); n != 0 {
			amount = "~" + cliMoney(n, o.s("currency"))
		}
		t.row(in+o.s("id"), o.s("number"), cliCut(o.s("description"), 40), x.nameOf(ctx, "states", o.s("stateId")),
			x.nameOf(ctx, "agents", o.s("agentId")), x.nameOf(ctx, "users", o.s("assigneeId")), amount, cliDate(o.s("createdAt")))
	}
	return t.flush()
}

func cliOppsList(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	state := fs.String("state", "", "the tab: a state's `name or ID`")
	agent := fs.String("agent", "", "agent `name, code or ID`")
	assignee := fs.String("assignee", "", "assigned user's `ID` (or name, for admins)")
	contact := fs.String("contact", "", "contact `ID`")
	interest := fs.String("interest", "", "interest `name or ID`")
	source := fs.String("source", "", "source `name or ID`")
	lo := cliListFlags(fs)
	return func(ctx context.Context, args []string) error {
		if len(args) == 1 && *state == "" {
			*state = args[0] // embudo opportunities list Ganado
		} else if err := cliArgs(args, 0, ""); err != nil {
			return err
		}
		v, err := x.filters(ctx, []cliFilter{
			{"stateId", *state, "states"}, {"agentId", *agent, "agents"}, {"assigneeId", *assignee, "users"},
			{"contactId", *contact, ""}, {"interestId", *interest, "interests"}, {"sourceId", *source, "sources"},
		})
		if err != nil {
			return err
		}
		return x.listShow(ctx, "/v1/opportunities", v, lo, "No opportunities.", func(items []cliObj) error { return x.opportunityTable(ctx, items, false) })
	}
}

func cliOppsTabs(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 0, ""); err != nil {
			return err
		}
		return x.listShow(ctx, "/v1/opportunities/tabs", nil, nil, "No tabs.", func(items []cliObj) error {
			t := cliNewTable(x.stdout, "ID", "TAB", "OUTCOME", "COUNT")
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

func cliOppsShow(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 1, "the opportunity's ID"); err != nil {
			return err
		}
		path := "/v1/opportunities/" + cliID(args[0])
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
			return x.printJSONParts(cliPart{"opportunity", res.Body}, cliPart{"quotes", quotes.raw}, cliPart{"notes", notes.raw})
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
func (x *cliSession) stateFlag(ctx context.Context, state string) (string, error) {
	if state == "" {
		return "", cliUsagef("give --state, a state's name or ID")
	}
	return x.resolve(ctx, "states", state)
}

func cliOppsMove(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	state := fs.String("state", "", "the state's `name or ID`")
	reason := fs.String("lost-reason", "", "why it was lost (to a lost state)")
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 1, "the opportunity's ID"); err != nil {
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
		res, err := x.patch(ctx, "/v1/opportunities/"+cliID(args[0]), body)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(o cliObj) error {
			fmt.Fprintf(x.stdout, "Moved opportunity %s to %s.\n", cliOppLabel(o), x.nameOf(ctx, "states", o.s("stateId")))
			return nil
		})
	}
}

func cliOppsAssign(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	f := cliDeclare(fs,
		cliField{flag: "agent", path: "agentId", kind: cliRef, ref: "agents", usage: "agent `name, code or ID` (\"\" for none)"},
		cliField{flag: "assignee", path: "assigneeId", kind: cliRef, ref: "users", usage: "user `ID` (or name, for admins; \"\" for none)"})
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 1, "the opportunity's ID"); err != nil {
			return err
		}
		body, err := f.body(ctx, x)
		if err != nil {
			return err
		}
		if len(body) == 0 {
			return cliUsagef("give --agent, --assignee or both")
		}
		res, err := x.patch(ctx, "/v1/opportunities/"+cliID(args[0]), body)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(o cliObj) error {
			fmt.Fprintf(x.stdout, "Opportunity %s: agent %s, assignee %s.\n", cliOppLabel(o),
				cliOr(x.nameOf(ctx, "agents", o.s("agentId")), "none"), cliOr(x.nameOf(ctx, "users", o.s("assigneeId")), "none"))
			return nil
		})
	}
}

// cliOr is s, or def when s is empty.
func cliOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func cliOppsBulkMove(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	state := fs.String("state", "", "the state's `name or ID`")
	return func(ctx context.Context, args []string) error {
		if len(args) == 0 {
			return cliUsagef("needs the IDs of the opportunities")
		}
		id, err := x.stateFlag(ctx, *state)
		if err != nil {
			return err
		}
		res, err := x.do(ctx, http.MethodPost, "/v1/opportunities:bulk-state", nil, map[string]any{"ids": args, "stateId": id}, nil)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(m cliObj) error {
			fmt.Fprintf(x.stdout, "Moved %d opportunities to %s.\n", m.i("moved"), x.nameOf(ctx, "states", id))
			return nil
		})
	}
}

func cliQuotesResource() cliResource {
	return cliResource{name: "quotes", aliases: []string{"quote"}, summary: "quotes (presupuestos) of opportunities",
		verbs: []cliVerb{
			{name: "list", args: "--opportunity ID", summary: "list an opportunity's quotes", setup: cliQuotesList},
			{name: "create", args: "--opportunity ID [--line \"desc;qty;unitPriceCents;discountPct;taxPct\"]... [--valid-until DATE]",
				summary: "make a quote for an opportunity (without lines: from its interest and approximate amount)", setup: cliQuotesCreate},
			{name: "show", args: "ID", summary: "show a quote with its lines and totals", setup: cliQuotesShow},
			{name: "edit", args: "ID [--status draft|sent|rejected] [--valid-until DATE] [--line ...]...",
				summary: "change a quote (lines given replace all of them)", setup: cliQuotesEdit},
			{name: "accept", args: "ID", summary: "accept a quote: the opportunity is won and the contact becomes a client", setup: cliQuotesAccept},
		}}
}

func cliQuotesList(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	opp := fs.String("opportunity", "", "the opportunity's `ID`")
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 0, ""); err != nil {
			return err
		}
		if *opp == "" {
			return cliUsagef("give --opportunity ID")
		}
		return x.listShow(ctx, "/v1/opportunities/"+cliID(*opp)+"/quotes", nil, nil, "No quotes.", func(items []cliObj) error { return x.quoteTable(items, false) })
	}
}

// quoteTable draws quotes.
func (x *cliSession) quoteTable(items []cliObj, indent bool) error {
	in := ""
	if indent {
		in = "  "
	}
	t := cliNewTable(x.stdout, in+"ID", "NUMBER", "STATUS", "TOTAL", "VALID UNTIL", "CREATED")
	for _, q := range items {
		t.row(in+q.s("id"), q.s("number"), q.s("status"), cliMoney(q.i("totalCents"), q.s("currency")), q.s("validUntil"), cliDate(q.s("createdAt")))
	}
	return t.flush()
}

// cliDecimal is a plain decimal number: 2, 1.5 or 1,5.
var cliDecimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// cliQuoteLine reads "description;quantity;unitPriceCents;discountPct;taxPct"
// (all but the description optional) into a quote line.
func cliQuoteLine(s string) (map[string]any, error) {
	parts := strings.Split(s, ";")
	if len(parts) > 5 {
		return nil, cliUsagef("--line %q has more than 5 parts: description;quantity;unitPriceCents;discountPct;taxPct", s)
	}
	line := map[string]any{"description": strings.TrimSpace(parts[0])}
	for i, name := range []string{"", "quantity", "unitPriceCents", "discountPct", "taxPct"} {
		if i == 0 || i >= len(parts) {
			continue
		}
		v := strings.ReplaceAll(strings.TrimSpace(parts[i]), ",", ".")
		if v == "" {
			continue
		}
		if name == "unitPriceCents" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, cliUsagef("--line %q: the unit price is in cents, a whole number", s)
			}
			line[name] = n
			continue
		}
		if !cliDecimal.MatchString(v) {
			return nil, cliUsagef("--line %q: %s must be a number", s, name)
		}
		line[name] = json.Number(v)
	}
	return line, nil
}

// quoteBody builds the body of a quote create or edit.
func cliQuoteBody(lines []string, validUntil string, status string) (map[string]any, error) {
	body := map[string]any{}
	if len(lines) > 0 {
		var ls []map[string]any
		for _, l := range lines {
			line, err := cliQuoteLine(l)
			if err != nil {
				return nil, err
			}
			ls = append(ls, line)
		}
		body["lines"] = ls
	}
	if validUntil != "" {
		body["validUntil"] = validUntil
	}
	if status != "" {
		body["status"] = status
	}
	return body, nil
}

func cliQuotesCreate(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	opp := fs.String("opportunity", "", "the opportunity's `ID`")
	var lines cliRepeated
	fs.Var(&lines, "line", "a line: `\"description;quantity;unitPriceCents;discountPct;taxPct\"` (repeatable; all but the description optional)")
	valid := fs.String("valid-until", "", "valid until this `date` (YYYY-MM-DD)")
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 0, ""); err != nil {
			return err
		}
		if *opp == "" {
			return cliUsagef("give --opportunity ID")
		}
		body, err := cliQuoteBody(lines, *valid, "")
		if err != nil {
			return err
		}
		var send any
		if len(body) > 0 {
			send = body
		}
		res, err := x.do(ctx, http.MethodPost, "/v1/opportunities/"+cliID(*opp)+"/quotes", nil, send, nil)
		if err != nil {
			return err
		}
		return x.showQuote(res.Body)
	}
}

func cliQuotesEdit(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	var lines cliRepeated
	fs.Var(&lines, "line", "a line: `\"description;quantity;unitPriceCents;discountPct;taxPct\"` (repeatable; replaces every line)")
	valid := fs.String("valid-until", "", "valid until this `date` (YYYY-MM-DD)")
	status := fs.String("status", "", "draft, sent or rejected (accept with quotes accept)")
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 1, "the quote's ID"); err != nil {
			return err
		}
		body, err := cliQuoteBody(lines, *valid, *status)
		if err != nil {
			return err
		}
		if len(body) == 0 {
			return cliUsagef("give --status, --valid-until or --line")
		}
		res, err := x.patch(ctx, "/v1/quotes/"+cliID(args[0]), body)
		if err != nil {
			return err
		}
		return x.showQuote(res.Body)
	}
}

func cliQuotesShow(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		id, err := x.idOf(ctx, args, "the quote's ID", "")
		if err != nil {
			return err
		}
		res, err := x.do(ctx, http.MethodGet, "/v1/quotes/"+id, nil, nil, nil)
		if err != nil {
			return err
		}
		return x.showQuote(res.Body)
	}
}

func cliQuotesAccept(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		id, err := x.idOf(ctx, args, "the quote's ID", "")
		if err != nil {
			return err
		}
		res, err := x.do(ctx, http.MethodPost, "/v1/quotes/"+id+"/accept", nil, nil, nil)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(q cliObj) error {
			fmt.Fprintf(x.stdout, "Accepted quote %s (%s): opportunity %s won, contact %s a client.\n",
				q.s("number"), cliMoney(q.i("totalCents"), q.s("currency")), q.s("opportunityId"), q.s("contactId"))
			return nil
		})
	}
}

// showQuote prints a quote: its JSON, or its header, lines and totals.
func (x *cliSession) showQuote(raw []byte) error {
	return x.reply(raw, func(q cliObj) error {
		cur := q.s("currency")
		h := cliNewTable(x.stdout)
		h.row("Quote", cliJoin(" ", q.s("number"), "("+q.s("status")+")"))
		h.row("ID", q.s("id"))
		h.row("Opportunity", q.s("opportunityId"))
		h.row("Contact", q.s("contactId"))
		if v := q.s("validUntil"); v != "" {
			h.row("Valid until", v)
		}
		h.row("Created", cliTime(q.s("createdAt")))
		if err := h.flush(); err != nil {
			return err
		}
		fmt.Fprintln(x.stdout)
		t := cliNewTable(x.stdout, "DESCRIPTION", "QTY", "UNIT PRICE", "DISCOUNT", "TAX", "NET", "TOTAL")
		lines, _ := q["lines"].([]any)
		for _, l := range lines {
			m, _ := l.(map[string]any)
			line := cliObj(m)
			t.row(cliCut(line.s("description"), 50), cliDec(line.s("quantity")), cliMoney(line.i("unitPriceCents"), cur),
				cliDec(line.s("discountPct"))+" %", cliDec(line.s("taxPct"))+" %", cliMoney(line.i("netCents"), cur), cliMoney(line.i("totalCents"), cur))
		}
		t.row("", "", "", "", "Subtotal", "", cliMoney(q.i("subtotalCents"), cur))
		t.row("", "", "", "", "Tax", "", cliMoney(q.i("taxCents"), cur))
		t.row("", "", "", "", "Total", "", cliMoney(q.i("totalCents"), cur))
		return t.flush()
	})
}

// cliDec writes a decimal for people: 1.500 is 1,5.
func cliDec(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return strings.Replace(s, ".", ",", 1)
}
