package cli

// The small catalogs admins keep: interests, states and agents.

import (
	"context"
	"flag"
)

// catalogResource is a resource with list, show, create, edit and
// delete, whose items may be named by name instead of ID.
func catalogResource(plural, one, summary string, fields []field, label func(obj) string,
	table func(x *session, ctx context.Context, items []obj) error) resource {
	path := "/v1/" + plural
	return resource{name: plural, aliases: []string{one}, summary: summary, def: "list",
		verbs: []verb{
			{name: "list", summary: "list " + plural, setup: func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
				lo := listFlags(fs)
				return func(ctx context.Context, args []string) error {
					if err := wantArgs(args, 0, ""); err != nil {
						return err
					}
					return x.listShow(ctx, path, nil, lo, "No "+plural+".", func(items []obj) error { return table(x, ctx, items) })
				}
			}},
			{name: "show", args: "ID|NAME", summary: "show a " + one, setup: showVerb(path, one, plural)},
			{name: "create", args: "--name NAME [...]", summary: "create a " + one, setup: createVerb(path, one, fields, label)},
			{name: "edit", args: "ID|NAME --field=value ...", summary: "change some fields of a " + one, setup: editVerb(path, one, plural, fields, label)},
			{name: "delete", args: "ID|NAME", summary: "delete a " + one, setup: deleteVerb(path, one, plural)},
		}}
}

func nameLabel(m obj) string { return m.s("name") }

func interestsResource() resource {
	return catalogResource("interests", "interest", "products and services contacts are interested in (admins write)",
		[]field{
			{flag: "name", path: "name", usage: "name (required to create)"},
			{flag: "observations", path: "observations", usage: "observations"},
		}, nameLabel, func(x *session, ctx context.Context, items []obj) error {
			t := newTable(x.stdout, "ID", "NAME", "OBSERVATIONS")
			for _, i := range items {
				t.row(i.s("id"), i.s("name"), cut(i.s("observations"), 60))
			}
			return t.flush()
		})
}

func statesResource() resource {
	return catalogResource("states", "state", "the pipeline's states (admins write)",
		[]field{
			{flag: "name", path: "name", usage: "name (required to create)"},
			{flag: "order", path: "order", kind: intField, usage: "position in the pipeline"},
			{flag: "color", path: "color", usage: "color (#rrggbb)"},
			{flag: "default", path: "default", kind: boolField, usage: "new opportunities start here"},
			{flag: "outcome", path: "outcome", usage: "open, won or lost"},
			{flag: "show-tab", path: "showTab", kind: boolField, usage: "shown as a tab of the pipeline"},
		}, nameLabel, func(x *session, ctx context.Context, items []obj) error {
			t := newTable(x.stdout, "ID", "ORDER", "NAME", "OUTCOME", "DEFAULT", "TAB", "COLOR")
			for _, s := range items {
				t.row(s.s("id"), s.s("order"), s.s("name"), s.s("outcome"), yes(s.b("default")), yes(s.b("showTab")), s.s("color"))
			}
			return t.flush()
		})
}

func agentsResource() resource {
	return catalogResource("agents", "agent", "sales agents (comerciales; admins write)",
		[]field{
			{flag: "code", path: "code", usage: "short code"},
			{flag: "name", path: "name", usage: "name (required to create)"},
			{flag: "email", path: "email", usage: "e-mail, where their notifications go"},
			{flag: "active", path: "active", kind: boolField, usage: "active (--active=false to retire)"},
			{flag: "user", path: "userId", kind: refField, ref: "users", usage: "the agent's user `ID or name`"},
		}, nameLabel, func(x *session, ctx context.Context, items []obj) error {
			t := newTable(x.stdout, "ID", "CODE", "NAME", "EMAIL", "ACTIVE", "USER")
			for _, a := range items {
				t.row(a.s("id"), a.s("code"), a.s("name"), a.s("email"), yes(a.b("active")), x.nameOf(ctx, "users", a.s("userId")))
			}
			return t.flush()
		})
}
