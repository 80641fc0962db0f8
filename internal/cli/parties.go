package cli

// embudo clients and suppliers.

import (
	"context"
	"flag"
)

// partyFields are the flags of clients/suppliers create and edit.
var partyFields = []field{
	{flag: "name", path: "name", usage: "name (required to create)"},
	{flag: "legal-name", path: "legalName", usage: "legal name (default: the name)"},
	{flag: "tax-id", path: "taxId", usage: "tax ID (NIF/CIF)"},
	{flag: "email", path: "email", usage: "e-mail"},
	{flag: "phone", path: "phone", usage: "phone"},
	{flag: "mobile", path: "mobile", usage: "mobile phone"},
	{flag: "web", path: "web", usage: "web site"},
	{flag: "agent", path: "agentId", kind: refField, ref: "agents", usage: "agent `name, code or ID`"},
	{flag: "observations", path: "observations", usage: "observations"},
}

func partyResource(plural, one, summary string) resource {
	path := "/v1/" + plural
	label := func(m obj) string { return join(" ", m.s("code"), m.s("name")) }
	return resource{name: plural, aliases: []string{one}, summary: summary, def: "list",
		verbs: []verb{
			{name: "list", summary: "list " + plural, setup: func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
				lo := listFlags(fs)
				return func(ctx context.Context, args []string) error {
					if err := wantArgs(args, 0, ""); err != nil {
						return err
					}
					return x.listShow(ctx, path, nil, lo, "No "+plural+".", func(items []obj) error {
						t := newTable(x.stdout, "ID", "CODE", "NAME", "TAX ID", "EMAIL", "PHONE", "AGENT")
						for _, p := range items {
							t.row(p.s("id"), p.s("code"), cut(p.s("name"), 40), p.s("taxId"), p.s("email"),
								join(" ", p.s("phone"), p.s("mobile")), x.nameOf(ctx, "agents", p.s("agentId")))
						}
						return t.flush()
					})
				}
			}},
			{name: "show", args: "ID", summary: "show a " + one, setup: showVerb(path, one, "")},
			{name: "create", args: "--name NAME [...]", summary: "create a " + one + " and its main contact", setup: createVerb(path, one, partyFields, label)},
			{name: "edit", args: "ID --field=value ...", summary: "change some fields of a " + one, setup: editVerb(path, one, "", partyFields, label)},
		}}
}
