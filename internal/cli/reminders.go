package cli

// embudo reminders.

import (
	"context"
	"flag"
	"time"
)

func remindersResource() resource {
	return resource{name: "reminders", aliases: []string{"reminder", "avisos"}, summary: "your reminders (avisos): upcoming and due", def: "list",
		verbs: []verb{
			{name: "list", summary: "list your reminders, soonest first", setup: remindersList},
			{name: "done", args: "NOTE_ID", summary: "remove a note's reminder", setup: func(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
				return func(ctx context.Context, args []string) error {
					if err := wantArgs(args, 1, "the note's ID"); err != nil {
						return err
					}
					res, err := x.patch(ctx, "/v1/notes/"+pathID(args[0]), map[string]any{"avisoAt": ""})
					if err != nil {
						return err
					}
					return x.noteDone(res.Body, "Removed the reminder of")
				}
			}},
		}}
}

func remindersList(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 0, ""); err != nil {
			return err
		}
		l, err := x.list(ctx, "/v1/reminders", nil, nil)
		if err != nil {
			return err
		}
		now := time.Now()
		return x.showList(l, "No reminders.", func(items []obj) error {
			t := newTable(x.stdout, "AVISO", "", "NOTE", "ON", "TEXT")
			for _, n := range items {
				due := ""
				if at, err := time.Parse(time.RFC3339Nano, n.s("avisoAt")); err == nil && !at.After(now) {
					due = "due"
				}
				if n.b("remindAll") {
					due = join(", ", due, "everyone")
				}
				t.row(avisoTime(n), due, n.s("id"), n.s("parentKind")+" "+n.s("parentId"), cut(n.s("text"), 60))
			}
			return t.flush()
		})
	}
}
