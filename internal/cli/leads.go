package cli

// embudo contacts leads: what each lead of a contact posted, and who did
// each thing of its timeline.

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
)

func contactsLeads(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	lo := listFlags(fs)
	return func(ctx context.Context, args []string) error {
		id, err := x.idOf(ctx, args, "the contact's ID", "")
		if err != nil {
			return err
		}
		return x.listShow(ctx, "/v1/contacts/"+id+"/leads", nil, lo, "No leads: the contact was not created nor merged by one.",
			func(items []obj) error {
				for i, l := range items {
					if i > 0 {
						fmt.Fprintln(x.stdout)
					}
					if err := x.leadBlock(ctx, l); err != nil {
						return err
					}
				}
				return nil
			})
	}
}

// leadBlock writes one lead: when it came, from which source and format,
// what became of it, then what it posted, field by field.
func (x *session) leadBlock(ctx context.Context, l obj) error {
	fmt.Fprintf(x.stdout, "%s  %s (%s)  %s  %s\n", localTime(l.s("receivedAt")), x.nameOf(ctx, "sources", l.s("sourceId")),
		l.s("format"), l.s("outcome"), l.s("id"))
	d, a := l.o("data"), l.o("data").o("address")
	t := newTable(x.stdout)
	for _, f := range [][2]string{
		{"name", join(" ", d.s("name"), d.s("surname"))}, {"email", d.s("email")}, {"phone", d.s("phone")}, {"mobile", d.s("mobile")},
		{"company", d.s("company")}, {"jobTitle", d.s("jobTitle")}, {"taxId", d.s("taxId")}, {"web", d.s("web")},
		{"address", join(", ", a.s("street"), join(" ", a.s("postalCode"), a.s("city")), a.s("province"), a.s("country"))},
		{"interests", d.s("interests")}, {"marketingConsent", yes(d.b("marketingConsent"))}, {"message", l.s("message")},
		{"attribution", pairs(l.o("attribution"))}, {"extra", pairs(l.o("extra"))}, {"opportunity", l.s("opportunityId")},
	} {
		if f[1] != "" {
			t.row("  "+f[0], f[1])
		}
	}
	return t.flush()
}

// pairs writes an object's non-empty fields as "key=value", by key.
func pairs(m obj) string {
	var out []string
	for k := range m {
		if v := m.s(k); v != "" {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// timelineActor names who did a timeline entry: a user, the webhook of the
// lead's source, or no one (the system).
func (x *session) timelineActor(ctx context.Context, e obj) string {
	switch {
	case e.s("actor") != "":
		return x.nameOf(ctx, "users", e.s("actor"))
	case e.s("actorKind") == "webhook":
		return e.s("actorName") + " (webhook)"
	}
	return ""
}
