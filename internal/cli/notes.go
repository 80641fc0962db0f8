package cli

// embudo notes.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func notesResource() resource {
	return resource{name: "notes", aliases: []string{"note"}, summary: "notes on contacts, opportunities, clients, suppliers and quotes, with reminders (avisos)",
		verbs: []verb{
			{name: "add", args: "--contact|--opportunity|--client|--supplier|--quote ID --text TEXT [--aviso DATE|TIME] [--private] [--remind-all]",
				summary: "add a note, with a reminder at --aviso", setup: notesAdd},
			{name: "list", args: "--contact|--opportunity|--client|--supplier|--quote ID", summary: "list the notes of one thing", setup: notesList},
			{name: "show", args: "ID", summary: "show a note", setup: showVerb("/v1/notes", "note", "")},
			{name: "edit", args: "ID [--text TEXT] [--aviso DATE|TIME|\"\"] [--private=true|false] [--remind-all=true|false]",
				summary: "change a note (--aviso \"\" removes its reminder)", setup: notesEdit},
			{name: "delete", args: "ID", summary: "delete a note", setup: deleteVerb("/v1/notes", "note", "")},
		}}
}

// noteParents are the things a note hangs from.
var noteParents = []string{"contact", "opportunity", "client", "supplier", "quote"}

// noteFlags are the writable fields of a note.
type noteFlags struct {
	text, aviso, interest *string
	private, remindAll    *bool
	fs                    *flag.FlagSet
}

func declareNote(fs *flag.FlagSet) *noteFlags {
	return &noteFlags{
		text:      fs.String("text", "", "the note (\"-\" reads it from standard input)"),
		aviso:     fs.String("aviso", "", "remind at this `time`: 2026-12-01 (09:00 company time), \"2026-12-01 16:30\" or 16:30 (today) in this computer's time, +2h, +3d, or RFC 3339; shown back in the company time zone"),
		interest:  fs.String("interest", "", "interest `name or ID`"),
		private:   fs.Bool("private", false, "only you can read it (else the whole team)"),
		remindAll: fs.Bool("remind-all", false, "the reminder goes to every active user (team notes only)"),
		fs:        fs,
	}
}

// body builds the note's JSON from the flags given.
func (n *noteFlags) body(ctx context.Context, x *session, stdin io.Reader) (map[string]any, error) {
	body := map[string]any{}
	var err error
	n.fs.Visit(func(f *flag.Flag) {
		if err != nil {
			return
		}
		switch f.Name {
		case "text":
			t := *n.text
			if t == "-" {
				b, rerr := io.ReadAll(stdin)
				if rerr != nil {
					err = rerr
					return
				}
				t = strings.TrimSpace(string(b))
			}
			body["text"] = t
		case "aviso":
			var at string
			if at, err = parseAviso(*n.aviso, time.Now()); err == nil {
				body["avisoAt"] = at
			}
		case "interest":
			var id string
			if id, err = x.resolve(ctx, "interests", *n.interest); err == nil {
				body["interestId"] = id
			}
		case "private":
			body["visibility"] = map[bool]string{true: "private", false: "team"}[*n.private]
		case "remind-all":
			body["remindAll"] = *n.remindAll
		}
	})
	return body, err
}

// parseAviso reads a reminder time: a date (the API makes it 09:00 company
// time), a local date and time, a time today, +duration (+90m, +2h, +3d),
// or RFC 3339; "" is no reminder.
func parseAviso(s string, now time.Time) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return s, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Format(time.RFC3339), nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t.Format(time.RFC3339), nil
		}
	}
	if t, err := time.ParseInLocation("15:04", s, time.Local); err == nil {
		y, m, d := now.Local().Date()
		return time.Date(y, m, d, t.Hour(), t.Minute(), 0, 0, time.Local).Format(time.RFC3339), nil
	}
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		if days, ok := strings.CutSuffix(rest, "d"); ok {
			if n, err := strconv.Atoi(days); err == nil && n >= 0 {
				return now.AddDate(0, 0, n).Truncate(time.Minute).Format(time.RFC3339), nil
			}
		}
		if d, err := time.ParseDuration(rest); err == nil && d >= 0 {
			return now.Add(d).Truncate(time.Second).Format(time.RFC3339), nil
		}
	}
	return "", usagef("--aviso %q is not a date (2026-12-01), a date and time (2026-12-01 16:30), a time (16:30) nor +2h / +3d", s)
}

func notesAdd(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	parent := parentFlags(fs, noteParents...)
	nf := declareNote(fs)
	return func(ctx context.Context, args []string) error {
		path, err := parent.noArgsPath(args)
		if err != nil {
			return err
		}
		body, err := nf.body(ctx, x, x.stdin)
		if err != nil {
			return err
		}
		if _, ok := body["visibility"]; !ok {
			body["visibility"] = "team"
		}
		res, err := x.do(ctx, http.MethodPost, path+"/notes", nil, body, nil)
		if err != nil {
			return err
		}
		return x.noteDone(res.Body, "Added")
	}
}

// noteDone reports a note written, its reminder time in the company time
// zone, and on stderr the API's warnings (an aviso in the past).
func (x *session) noteDone(raw []byte, verb string) error {
	return x.reply(raw, func(n obj) error {
		fmt.Fprintf(x.stdout, "%s note %s", verb, n.s("id"))
		if at := avisoTime(n); at != "" {
			fmt.Fprintf(x.stdout, "; reminder at %s", at)
			if n.b("remindAll") {
				fmt.Fprint(x.stdout, " for everyone")
			}
		}
		fmt.Fprintln(x.stdout, ".")
		ws, _ := n["warnings"].([]any)
		for _, w := range ws {
			fmt.Fprintf(x.stderr, "warning: %v\n", w)
		}
		return nil
	})
}

func notesList(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	parent := parentFlags(fs, noteParents...)
	lo := listFlags(fs)
	return func(ctx context.Context, args []string) error {
		path, err := parent.noArgsPath(args)
		if err != nil {
			return err
		}
		return x.listShow(ctx, path+"/notes", nil, lo, "No notes.", func(items []obj) error { return x.noteTable(ctx, items, false) })
	}
}

// noteTable draws notes.
func (x *session) noteTable(ctx context.Context, items []obj, indent bool) error {
	in := ""
	if indent {
		in = "  "
	}
	t := newTable(x.stdout, in+"ID", "WHEN", "BY", "VISIBILITY", "AVISO", "TEXT")
	for _, n := range items {
		aviso := avisoTime(n)
		if aviso != "" && n.s("notifiedAt") != "" {
			aviso += " (sent)"
		}
		t.row(in+n.s("id"), localTime(n.s("createdAt")), x.nameOf(ctx, "users", n.s("createdBy")), n.s("visibility"), aviso, cut(n.s("text"), 60))
	}
	return t.flush()
}

func notesEdit(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	nf := declareNote(fs)
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 1, "the note's ID"); err != nil {
			return err
		}
		body, err := nf.body(ctx, x, x.stdin)
		if err != nil {
			return err
		}
		if len(body) == 0 {
			return usagef("give what to change: --text, --aviso, --private, --remind-all or --interest")
		}
		res, err := x.patch(ctx, "/v1/notes/"+pathID(args[0]), body)
		if err != nil {
			return err
		}
		return x.noteDone(res.Body, "Updated")
	}
}
