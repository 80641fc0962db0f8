package cli

// embudo users.

import "context"

func usersResource() resource {
	r := catalogResource("users", "user", "who may use the API (admins only)",
		[]field{
			{flag: "name", path: "name", usage: "name (required to create)"},
			{flag: "email", path: "email", usage: "e-mail (required to create)"},
			{flag: "role", path: "role", usage: "admin or staff"},
			{flag: "agent", path: "agentId", kind: refField, ref: "agents", usage: "the user's agent `name, code or ID`"},
			{flag: "active", path: "active", kind: boolField, usage: "active"},
			{flag: "lang", path: "lang", usage: "language of their e-mails (es, en)"},
		}, nameLabel, func(x *session, ctx context.Context, items []obj) error {
			t := newTable(x.stdout, "ID", "NAME", "EMAIL", "ROLE", "ACTIVE", "AGENT", "LANG")
			for _, u := range items {
				t.row(u.s("id"), u.s("name"), u.s("email"), u.s("role"), yes(u.b("active")), x.nameOf(ctx, "agents", u.s("agentId")), u.s("lang"))
			}
			return t.flush()
		})
	for i := range r.verbs {
		if r.verbs[i].name == "delete" {
			r.verbs[i].summary = "deactivate a user: their history stays, their tokens stop working"
		}
	}
	return r
}
