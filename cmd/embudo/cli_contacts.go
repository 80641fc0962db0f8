package main

// embudo contacts, clients and suppliers.

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
)

// cliContactFields are the flags of contacts create and edit.
var cliContactFields = []cliField{
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
	{flag: "source", path: "sourceId", kind: cliRef, ref: "sources", usage: "source `name or ID`"},
	{flag: "interests", path: "interestIds", kind: cliRefs, ref: "interests", usage: "interests, `names or IDs` separated by commas (replaces the list)"},
	{flag: "agent", path: "agentId", kind: cliRef, ref: "agents", usage: "agent `name, code or ID` (\"\" for none)"},
	{flag: "marketing-consent", path: "marketingConsent", kind: cliBool, usage: "accepts marketing messages"},
	{flag: "lang", path: "lang", usage: "language (es, en)"},
}

func cliContactsResource() cliResource {
	return cliResource{name: "contacts", aliases: []string{"contact"}, summary: "people and companies you deal with", def: "list",
		verbs: []cliVerb{
			{name: "list", args: "[--q NAME] [--email E] [--phone P] [--source S] [--agent A] [--interest I] [--kind client|supplier|none]",
				summary: "list contacts, newest first, with the API's filters", setup: cliContactsList},
			{name: "show", args: "ID", summary: "show a contact with its opportunities and timeline (--json: {contact, opportunities, timeline})", setup: cliContactsShow},
			{name: "create", args: "--name NAME [--surname ...] [--email ...] [--phone ...] [...]", summary: "create a contact",
				setup: cliCreate("/v1/contacts", "contact", cliContactFields, cliContactLabel)},
			{name: "edit", args: "ID --field=value ...", summary: "change some fields of a contact",
				setup: cliEdit("/v1/contacts", "contact", "", cliContactFields, cliContactLabel)},
			{name: "convert", args: "ID --to client|supplier", summary: "make the contact a client or a supplier (again: the same one)", setup: cliContactsConvert},
			{name: "delete", args: "ID", summary: "delete a contact", setup: cliDelete("/v1/contacts", "contact", "")},
		}}
}

// cliContactLabel is how a contact is named to people.
func cliContactLabel(m cliObj) string { return cliJoin(" ", m.s("name"), m.s("surname")) }

func cliContactsList(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	q := fs.String("q", "", "name begins with (any case, with or without accents)")
	email := fs.String("email", "", "e-mail")
	phone := fs.String("phone", "", "phone")
	source := fs.String("source", "", "source `name or ID`")
	agent := fs.String("agent", "", "agent `name, code or ID`")
	interest := fs.String("interest", "", "interest `name or ID`")
	kind := fs.String("kind", "", "client, supplier or none")
	lo := cliListFlags(fs)
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 0, ""); err != nil {
			return err
		}
		v, err := x.filters(ctx, []cliFilter{
			{"q", *q, ""}, {"email", *email, ""}, {"phone", *phone, ""}, {"kind", *kind, ""},
			{"sourceId", *source, "sources"}, {"agentId", *agent, "agents"}, {"interestId", *interest, "interests"},
		})
		if err != nil {
			return err
		}
		return x.listShow(ctx, "/v1/contacts", v, lo, "No contacts.", func(items []cliObj) error {
			t := cliNewTable(x.stdout, "ID", "NAME", "COMPANY", "EMAIL", "PHONE", "SOURCE", "AGENT", "KIND", "CREATED")
			for _, c := range items {
				t.row(c.s("id"), cliCut(cliContactLabel(c), 40), cliCut(c.s("company"), 30), c.s("email"), cliJoin(" ", c.s("phone"), c.s("mobile")),
					x.nameOf(ctx, "sources", c.s("sourceId")), x.nameOf(ctx, "agents", c.s("agentId")), cliContactKind(c), cliDate(c.s("createdAt")))
			}
			return t.flush()
		})
	}
}

// cliContactKind says whether a contact is a client, a supplier or both.
func cliContactKind(c cliObj) string {
	var k []string
	if c.s("clientId") != "" {
		k = append(k, "client")
	}
	if c.s("supplierId") != "" {
		k = append(k, "supplier")
	}
	return cliJoin("+", k...)
}

func cliContactsShow(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	n := fs.Int("timeline", 30, "timeline entries to show (1 to 200)")
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 1, "the contact's ID"); err != nil {
			return err
		}
		id := cliID(args[0])
		res, err := x.do(ctx, http.MethodGet, "/v1/contacts/"+id, nil, nil, nil)
		if err != nil {
			return err
		}
		tl, err := x.list(ctx, "/v1/contacts/"+id+"/timeline", nil, &cliListOpts{limit: *n})
		if err != nil {
			return err
		}
		opps, err := x.list(ctx, "/v1/opportunities", url.Values{"contactId": {args[0]}}, &cliListOpts{all: true})
		if err != nil {
			return err
		}
		if x.json {
			return x.printJSONParts(cliPart{"contact", res.Body}, cliPart{"opportunities", opps.raw}, cliPart{"timeline", tl.raw})
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
		t := cliNewTable(x.stdout, "  WHEN", "WHAT", "SUMMARY", "BY")
		for _, e := range tl.items {
			what := e.s("kind")
			if e.b("private") {
				what += " (private)"
			}
			t.row("  "+cliTime(e.s("at")), what, cliCut(e.s("summary"), 80), x.nameOf(ctx, "users", e.s("actor")))
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

func cliContactsConvert(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
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
		return x.reply(res.Body, func(p cliObj) error {
			how := "Converted into"
			if res.Status == http.StatusOK {
				how = "Already converted into"
			}
			fmt.Fprintf(x.stdout, "%s %s %s %s (%s).\n", how, *to, p.s("code"), p.s("name"), p.s("id"))
			return nil
		})
	}
}

// cliCreate makes a create verb: POST the flags given to path.
func cliCreate(path, what string, fields []cliField, label func(cliObj) string) func(*cliSession, *flag.FlagSet) func(context.Context, []string) error {
	return func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
		f := cliDeclare(fs, fields...)
		return func(ctx context.Context, args []string) error {
			if err := cliArgs(args, 0, ""); err != nil {
				return err
			}
			body, err := f.body(ctx, x)
			if err != nil {
				return err
			}
			res, err := x.do(ctx, http.MethodPost, path, nil, body, nil)
			if err != nil {
				return err
			}
			return x.done(res.Body, "Created", what, label)
		}
	}
}

// cliEdit makes an edit verb: PATCH the flags given to path/ID (the ID
// may be a name of kind, a catalog, when kind is not "").
func cliEdit(path, what, kind string, fields []cliField, label func(cliObj) string) func(*cliSession, *flag.FlagSet) func(context.Context, []string) error {
	return func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
		f := cliDeclare(fs, fields...)
		return func(ctx context.Context, args []string) error {
			if err := cliArgs(args, 1, "the "+what+"'s ID"); err != nil {
				return err
			}
			body, err := f.body(ctx, x)
			if err != nil {
				return err
			}
			if len(body) == 0 {
				return cliUsagef("give the fields to change, like --%s=value", fields[0].flag)
			}
			id, err := x.idArg(ctx, kind, args[0])
			if err != nil {
				return err
			}
			res, err := x.patch(ctx, path+"/"+id, body)
			if err != nil {
				return err
			}
			return x.done(res.Body, "Updated", what, label)
		}
	}
}

// cliDelete makes a delete verb.
func cliDelete(path, what, kind string) func(*cliSession, *flag.FlagSet) func(context.Context, []string) error {
	return func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
		return func(ctx context.Context, args []string) error {
			id, err := x.idOf(ctx, args, "the "+what+"'s ID", kind)
			if err != nil {
				return err
			}
			return x.remove(ctx, path+"/"+id, what)
		}
	}
}

// cliShow makes a show verb: GET path/ID.
func cliShow(path, what, kind string) func(*cliSession, *flag.FlagSet) func(context.Context, []string) error {
	return func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
		return func(ctx context.Context, args []string) error {
			id, err := x.idOf(ctx, args, "the "+what+"'s ID", kind)
			if err != nil {
				return err
			}
			res, err := x.do(ctx, http.MethodGet, path+"/"+id, nil, nil, nil)
			if err != nil {
				return err
			}
			return x.show(ctx, res.Body)
		}
	}
}

// done reports a write: the JSON, or one line naming what was written.
func (x *cliSession) done(raw []byte, verb, what string, label func(cliObj) string) error {
	return x.reply(raw, func(m cliObj) error {
		name := ""
		if label != nil {
			if l := label(m); l != "" {
				name = " (" + l + ")"
			}
		}
		fmt.Fprintf(x.stdout, "%s %s %s%s.\n", verb, what, m.s("id"), name)
		return nil
	})
}

// cliPartyFields are the flags of clients/suppliers create and edit.
var cliPartyFields = []cliField{
	{flag: "name", path: "name", usage: "name (required to create)"},
	{flag: "legal-name", path: "legalName", usage: "legal name (default: the name)"},
	{flag: "tax-id", path: "taxId", usage: "tax ID (NIF/CIF)"},
	{flag: "email", path: "email", usage: "e-mail"},
	{flag: "phone", path: "phone", usage: "phone"},
	{flag: "mobile", path: "mobile", usage: "mobile phone"},
	{flag: "web", path: "web", usage: "web site"},
	{flag: "agent", path: "agentId", kind: cliRef, ref: "agents", usage: "agent `name, code or ID`"},
	{flag: "observations", path: "observations", usage: "observations"},
}

func cliPartyResource(plural, one, summary string) cliResource {
	path := "/v1/" + plural
	label := func(m cliObj) string { return cliJoin(" ", m.s("code"), m.s("name")) }
	return cliResource{name: plural, aliases: []string{one}, summary: summary, def: "list",
		verbs: []cliVerb{
			{name: "list", summary: "list " + plural, setup: func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
				lo := cliListFlags(fs)
				return func(ctx context.Context, args []string) error {
					if err := cliArgs(args, 0, ""); err != nil {
						return err
					}
					return x.listShow(ctx, path, nil, lo, "No "+plural+".", func(items []cliObj) error {
						t := cliNewTable(x.stdout, "ID", "CODE", "NAME", "TAX ID", "EMAIL", "PHONE", "AGENT")
						for _, p := range items {
							t.row(p.s("id"), p.s("code"), cliCut(p.s("name"), 40), p.s("taxId"), p.s("email"),
								cliJoin(" ", p.s("phone"), p.s("mobile")), x.nameOf(ctx, "agents", p.s("agentId")))
						}
						return t.flush()
					})
				}
			}},
			{name: "show", args: "ID", summary: "show a " + one, setup: cliShow(path, one, "")},
			{name: "create", args: "--name NAME [...]", summary: "create a " + one + " and its main contact", setup: cliCreate(path, one, cliPartyFields, label)},
			{name: "edit", args: "ID --field=value ...", summary: "change some fields of a " + one, setup: cliEdit(path, one, "", cliPartyFields, label)},
		}}
}

// idArg is the path segment of an ID argument, which may be a name of
// kind (a catalog) when kind is not "".
func (x *cliSession) idArg(ctx context.Context, kind, arg string) (string, error) {
	if kind == "" {
		return cliID(arg), nil
	}
	id, err := x.resolve(ctx, kind, arg)
	return cliID(id), err
}

// idOf is the path segment of the one argument, an ID (or a name of kind,
// see idArg); what names the argument in the usage error.
func (x *cliSession) idOf(ctx context.Context, args []string, what, kind string) (string, error) {
	if err := cliArgs(args, 1, what); err != nil {
		return "", err
	}
	return x.idArg(ctx, kind, args[0])
}
