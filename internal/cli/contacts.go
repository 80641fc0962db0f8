package cli

// embudo contacts.

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
)

// contactFields are the flags of contacts create and edit.
var contactFields = []field{
	{flag: "name", path: "name", usage: "first name (required to create)"},
	{flag: "surname", path: "surname", usage: "surname(s)"},
	{flag: "company", path: "company", usage: "company"},
	{flag: "job-title", path: "jobTitle", usage: "job title"},
	{flag: "email", path: "email", usage: "e-mail (unique among contacts)"},
	{flag: "phone", path: "phone", usage: "phone (unique among contacts)"},
	{flag: "mobile", path: "mobile", usage: "mobile phone"},
	{flag: "tax-id", path: "taxId", usage: "tax ID (NIF/CIF)"},
	{flag: "web", path: "web", usage: "web site"},
	{flag: "street", path: "address.street", usage: "street address"},
	{flag: "postal-code", path: "address.postalCode", usage: "postal code"},
	{flag: "city", path: "address.city", usage: "city"},
	{flag: "province", path: "address.province", usage: "province"},
	{flag: "country", path: "address.country", usage: "country"},
	{flag: "observations", path: "observations", usage: "observations"},
	{flag: "source", path: "sourceId", kind: refField, ref: "sources", usage: "source `name or ID`"},
	{flag: "interests", path: "interestIds", kind: refsField, ref: "interests", usage: "interests, `names or IDs` separated by commas (replaces the list)"},
	{flag: "agent", path: "agentId", kind: refField, ref: "agents", usage: "agent `name, code or ID` (\"\" for none)"},
	{flag: "marketing-consent", path: "marketingConsent", kind: boolField, usage: "accepts marketing messages"},
	{flag: "lang", path: "lang", usage: "language (es, en)"},
}

func contactsResource() resource {
	return resource{name: "contacts", aliases: []string{"contact"}, summary: "people and companies you deal with", def: "list",
		verbs: []verb{
			{name: "list", args: "[--q WORDS] [--email E] [--phone P] [--source S] [--agent A] [--interest I] [--kind client|supplier|none]",
				summary: "list contacts, newest first, with the API's filters", setup: contactsList},
			{name: "show", args: "ID", summary: "show a contact with its opportunities and timeline (--json: {contact, opportunities, timeline})", setup: contactsShow},
			{name: "create", args: "--name NAME [--surname ...] [--email ...] [--phone ...] [...]", summary: "create a contact",
				setup: createVerb("/v1/contacts", "contact", contactFields, contactLabel)},
			{name: "edit", args: "ID --field=value ...", summary: "change some fields of a contact",
				setup: editVerb("/v1/contacts", "contact", "", contactFields, contactLabel)},
			{name: "leads", args: "ID", summary: "the leads that created the contact or were merged into it, newest first, with what each posted", setup: contactsLeads},
			{name: "convert", args: "ID --to client|supplier", summary: "make the contact a client or a supplier (again: the same one)", setup: contactsConvert},
			{name: "delete", args: "ID", summary: "delete a contact", setup: deleteVerb("/v1/contacts", "contact", "")},
		}}
}

// contactLabel is how a contact is named to people.
func contactLabel(m obj) string { return join(" ", m.s("name"), m.s("surname")) }

func contactsList(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	q := fs.String("q", "", "each word begins a word of the name, surname or company (any case, with or without accents)")
	email := fs.String("email", "", "e-mail")
	phone := fs.String("phone", "", "phone")
	source := fs.String("source", "", "source `name or ID`")
	agent := fs.String("agent", "", "agent `name, code or ID`")
	interest := fs.String("interest", "", "interest `name or ID`")
	kind := fs.String("kind", "", "client, supplier or none")
	lo := listFlags(fs)
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 0, ""); err != nil {
			return err
		}
		v, err := x.filters(ctx, []filter{
			{"q", *q, ""}, {"email", *email, ""}, {"phone", *phone, ""}, {"kind", *kind, ""},
			{"sourceId", *source, "sources"}, {"agentId", *agent, "agents"}, {"interestId", *interest, "interests"},
		})
		if err != nil {
			return err
		}
		return x.listShow(ctx, "/v1/contacts", v, lo, "No contacts.", func(items []obj) error {
			t := newTable(x.stdout, "ID", "NAME", "COMPANY", "EMAIL", "PHONE", "SOURCE", "AGENT", "KIND", "CREATED")
			for _, c := range items {
				t.row(c.s("id"), cut(contactLabel(c), 40), cut(c.s("company"), 30), c.s("email"), join(" ", c.s("phone"), c.s("mobile")),
					x.nameOf(ctx, "sources", c.s("sourceId")), x.nameOf(ctx, "agents", c.s("agentId")), contactKind(c), localDate(c.s("createdAt")))
			}
			return t.flush()
		})
	}
}

// contactKind says whether a contact is a client, a supplier or both.
func contactKind(c obj) string {
	var k []string
	if c.s("clientId") != "" {
		k = append(k, "client")
	}
	if c.s("supplierId") != "" {
		k = append(k, "supplier")
	}
	return join("+", k...)
}

func contactsShow(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	n := fs.Int("timeline", 30, "timeline entries to show (1 to 200)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 1, "the contact's ID"); err != nil {
			return err
		}
		id := pathID(args[0])
		res, err := x.do(ctx, http.MethodGet, "/v1/contacts/"+id, nil, nil, nil)
		if err != nil {
			return err
		}
		tl, err := x.list(ctx, "/v1/contacts/"+id+"/timeline", nil, &listOpts{limit: *n})
		if err != nil {
			return err
		}
		opps, err := x.list(ctx, "/v1/opportunities", url.Values{"contactId": {args[0]}}, &listOpts{all: true})
		if err != nil {
			return err
		}
		if x.json {
			return x.printJSONParts(part{"contact", res.Body}, part{"opportunities", opps.raw}, part{"timeline", tl.raw})
		}
		if err := x.showObject(ctx, res.Body); err != nil {
			return err
		}
		if len(opps.items) > 0 {
			fmt.Fprintln(x.stdout, "\nOpportunities")
			if err := x.opportunityTable(ctx, opps.items, true); err != nil {
				return err
			}
		}
		fmt.Fprintln(x.stdout, "\nTimeline")
		if len(tl.items) == 0 {
			fmt.Fprintln(x.stdout, "  (nothing yet)")
			return nil
		}
		t := newTable(x.stdout, "  WHEN", "WHAT", "SUMMARY", "BY")
		for _, e := range tl.items {
			what := e.s("kind")
			if e.b("private") {
				what += " (private)"
			}
			t.row("  "+localTime(e.s("at")), what, cut(e.s("summary"), 80), x.timelineActor(ctx, e))
		}
		if err := t.flush(); err != nil {
			return err
		}
		if tl.next != "" {
			fmt.Fprintf(x.stdout, "  (older entries: --timeline 200, or --json)\n")
		}
		return nil
	}
}

func contactsConvert(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	to := fs.String("to", "client", "client or supplier")
	return func(ctx context.Context, args []string) error {
		id, err := x.idOf(ctx, args, "the contact's ID", "")
		if err != nil {
			return err
		}
		res, err := x.do(ctx, http.MethodPost, "/v1/contacts/"+id+"/convert", nil, map[string]string{"to": *to}, nil)
		if err != nil {
			return err
		}
		return x.reply(res.Body, func(p obj) error {
			how := "Converted into"
			if res.Status == http.StatusOK {
				how = "Already converted into"
			}
			fmt.Fprintf(x.stdout, "%s %s %s %s (%s).\n", how, *to, p.s("code"), p.s("name"), p.s("id"))
			return nil
		})
	}
}
