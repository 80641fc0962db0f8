package main

// embudo notes, reminders and files.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func cliNotesResource() cliResource {
	return cliResource{name: "notes", aliases: []string{"note"}, summary: "notes on contacts, opportunities, clients, suppliers and quotes, with reminders (avisos)",
		verbs: []cliVerb{
			{name: "add", args: "--contact|--opportunity|--client|--supplier|--quote ID --text TEXT [--aviso DATE|TIME] [--private] [--remind-all]",
				summary: "add a note, with a reminder at --aviso", setup: cliNotesAdd},
			{name: "list", args: "--contact|--opportunity|--client|--supplier|--quote ID", summary: "list the notes of one thing", setup: cliNotesList},
			{name: "show", args: "ID", summary: "show a note", setup: cliShow("/v1/notes", "note", "")},
			{name: "edit", args: "ID [--text TEXT] [--aviso DATE|TIME|\"\"] [--private=true|false] [--remind-all=true|false]",
				summary: "change a note (--aviso \"\" removes its reminder)", setup: cliNotesEdit},
			{name: "delete", args: "ID", summary: "delete a note", setup: cliDelete("/v1/notes", "note", "")},
		}}
}

// cliNoteParents are the things a note hangs from.
var cliNoteParents = []string{"contact", "opportunity", "client", "supplier", "quote"}

// cliNoteFlags are the writable fields of a note.
type cliNoteFlags struct {
	text, aviso, interest *string
	private, remindAll    *bool
	fs                    *flag.FlagSet
}

func cliDeclareNote(fs *flag.FlagSet) *cliNoteFlags {
	return &cliNoteFlags{
		text:      fs.String("text", "", "the note (\"-\" reads it from standard input)"),
		aviso:     fs.String("aviso", "", "remind at this `time`: 2026-12-01 (09:00), \"2026-12-01 16:30\", 16:30 (today), +2h, +3d, or RFC 3339"),
		interest:  fs.String("interest", "", "interest `name or ID`"),
		private:   fs.Bool("private", false, "only you can read it (else the whole team)"),
		remindAll: fs.Bool("remind-all", false, "the reminder goes to every active user (team notes only)"),
		fs:        fs,
	}
}

// body builds the note's JSON from the flags given.
func (n *cliNoteFlags) body(ctx context.Context, x *cliSession, stdin io.Reader) (map[string]any, error) {
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
			if at, err = cliAviso(*n.aviso, time.Now()); err == nil {
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

// cliAviso reads a reminder time: a date (the API makes it 09:00 company
// time), a local date and time, a time today, +duration (+90m, +2h, +3d),
// or RFC 3339; "" is no reminder.
func cliAviso(s string, now time.Time) (string, error) {
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
	return "", cliUsagef("--aviso %q is not a date (2026-12-01), a date and time (2026-12-01 16:30), a time (16:30) nor +2h / +3d", s)
}

func cliNotesAdd(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	parent := cliParentFlags(fs, cliNoteParents...)
	nf := cliDeclareNote(fs)
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

// noteDone reports a note written.
func (x *cliSession) noteDone(raw []byte, verb string) error {
	return x.reply(raw, func(n cliObj) error {
		fmt.Fprintf(x.stdout, "%s note %s", verb, n.s("id"))
		if at := n.s("avisoAt"); at != "" {
			fmt.Fprintf(x.stdout, "; reminder at %s", cliTime(at))
			if n.b("remindAll") {
				fmt.Fprint(x.stdout, " for everyone")
			}
		}
		fmt.Fprintln(x.stdout, ".")
		return nil
	})
}

func cliNotesList(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	parent := cliParentFlags(fs, cliNoteParents...)
	lo := cliListFlags(fs)
	return func(ctx context.Context, args []string) error {
		path, err := parent.noArgsPath(args)
		if err != nil {
			return err
		}
		return x.listShow(ctx, path+"/notes", nil, lo, "No notes.", func(items []cliObj) error { return x.noteTable(ctx, items, false) })
	}
}

// noteTable draws notes.
func (x *cliSession) noteTable(ctx context.Context, items []cliObj, indent bool) error {
	in := ""
	if indent {
		in = "  "
	}
	t := cliNewTable(x.stdout, in+"ID", "WHEN", "BY", "VISIBILITY", "AVISO", "TEXT")
	for _, n := range items {
		aviso := cliTime(n.s("avisoAt"))
		if aviso != "" && n.s("notifiedAt") != "" {
			aviso += " (sent)"
		}
		t.row(in+n.s("id"), cliTime(n.s("createdAt")), x.nameOf(ctx, "users", n.s("createdBy")), n.s("visibility"), aviso, cliCut(n.s("text"), 60))
	}
	return t.flush()
}

func cliNotesEdit(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	nf := cliDeclareNote(fs)
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 1, "the note's ID"); err != nil {
			return err
		}
		body, err := nf.body(ctx, x, x.stdin)
		if err != nil {
			return err
		}
		if len(body) == 0 {
			return cliUsagef("give what to change: --text, --aviso, --private, --remind-all or --interest")
		}
		res, err := x.patch(ctx, "/v1/notes/"+cliID(args[0]), body)
		if err != nil {
			return err
		}
		return x.noteDone(res.Body, "Updated")
	}
}

func cliRemindersResource() cliResource {
	return cliResource{name: "reminders", aliases: []string{"reminder", "avisos"}, summary: "your reminders (avisos): upcoming and due", def: "list",
		verbs: []cliVerb{
			{name: "list", summary: "list your reminders, soonest first", setup: cliRemindersList},
			{name: "done", args: "NOTE_ID", summary: "remove a note's reminder", setup: func(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
				return func(ctx context.Context, args []string) error {
					if err := cliArgs(args, 1, "the note's ID"); err != nil {
						return err
					}
					res, err := x.patch(ctx, "/v1/notes/"+cliID(args[0]), map[string]any{"avisoAt": ""})
					if err != nil {
						return err
					}
					return x.noteDone(res.Body, "Removed the reminder of")
				}
			}},
		}}
}

func cliRemindersList(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 0, ""); err != nil {
			return err
		}
		l, err := x.list(ctx, "/v1/reminders", nil, nil)
		if err != nil {
			return err
		}
		now := time.Now()
		return x.showList(l, "No reminders.", func(items []cliObj) error {
			t := cliNewTable(x.stdout, "AVISO", "", "NOTE", "ON", "TEXT")
			for _, n := range items {
				due := ""
				if at, err := time.Parse(time.RFC3339Nano, n.s("avisoAt")); err == nil && !at.After(now) {
					due = "due"
				}
				if n.b("remindAll") {
					due = cliJoin(", ", due, "everyone")
				}
				t.row(cliTime(n.s("avisoAt")), due, n.s("id"), n.s("parentKind")+" "+n.s("parentId"), cliCut(n.s("text"), 60))
			}
			return t.flush()
		})
	}
}

func cliFilesResource() cliResource {
	return cliResource{name: "files", aliases: []string{"file"}, summary: "documents attached to contacts and opportunities",
		verbs: []cliVerb{
			{name: "upload", args: "--contact|--opportunity ID PATH", summary: "upload a file (up to 25 MiB)", setup: cliFilesUpload},
			{name: "download", args: "ID [-o PATH|-]", summary: "download a file (default: its name, in this folder)", setup: cliFilesDownload},
			{name: "list", args: "--contact|--opportunity ID", summary: "list the files of a contact or an opportunity", setup: cliFilesList},
			{name: "delete", args: "ID", summary: "delete a file", setup: cliDelete("/v1/files", "file", "")},
		}}
}

func cliFilesUpload(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	parent := cliParentFlags(fs, "contact", "opportunity")
	name := fs.String("name", "", "the file's name in Embudo (default: the name of PATH)")
	ctype := fs.String("content-type", "", "media type (default: from the extension)")
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 1, "the PATH of the file"); err != nil {
			return err
		}
		path, err := parent.path()
		if err != nil {
			return err
		}
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if st.IsDir() {
			return fmt.Errorf("%s is a folder", args[0])
		}
		if *name == "" {
			*name = filepath.Base(args[0])
		}
		if *ctype == "" {
			*ctype = mime.TypeByExtension(strings.ToLower(filepath.Ext(*name)))
		}
		if *ctype == "" {
			*ctype = "application/octet-stream"
		}
		res, err := x.do(ctx, http.MethodPost, path+"/files", nil, map[string]any{"name": *name, "contentType": *ctype, "size": st.Size()}, nil)
		if err != nil {
			return err
		}
		up, err := cliDecode(res.Body)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, x.absURL(up.s("uploadUrl")), f)
		if err != nil {
			return err
		}
		req.ContentLength = st.Size()
		for k, v := range up.o("uploadHeaders") {
			req.Header.Set(k, fmt.Sprint(v))
		}
		if err := cliTransfer(req, nil); err != nil {
			return fmt.Errorf("uploading %s: %w", args[0], err)
		}
		done, err := x.do(ctx, http.MethodPost, "/v1/files/"+cliID(up.s("id"))+"/complete", nil, nil, nil)
		if err != nil {
			return err
		}
		if x.json {
			return x.printJSON(done.Body)
		}
		fmt.Fprintf(x.stdout, "Uploaded %s (%d bytes) as file %s.\n", *name, st.Size(), up.s("id"))
		return nil
	}
}

// absURL makes a URL the API gave relative to itself absolute.
func (x *cliSession) absURL(u string) string {
	if strings.HasPrefix(u, "/") {
		if api, err := x.client(); err == nil {
			return api.BaseURL + u
		}
	}
	return u
}

// cliTransfer sends a request to a presigned URL (no API token: the URL is
// the credential) and copies the answer's body to w.
func cliTransfer(req *http.Request, w io.Writer) error {
	res, err := (&http.Client{Timeout: 10 * time.Minute}).Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("%s: %s", res.Status, strings.TrimSpace(string(b)))
	}
	if w == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	_, err = io.Copy(w, res.Body)
	return err
}

func cliFilesDownload(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	out := fs.String("o", "", "write to this `path` (\"-\": standard output; a folder: the file's name in it)")
	force := fs.Bool("force", false, "overwrite a file that exists")
	return func(ctx context.Context, args []string) error {
		if err := cliArgs(args, 1, "the file's ID"); err != nil {
			return err
		}
		res, meta, err := x.get(ctx, "/v1/files/"+cliID(args[0]))
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, x.absURL(meta.s("downloadUrl")), nil)
		if err != nil {
			return err
		}
		if *out == "-" {
			return cliTransfer(req, x.stdout)
		}
		dest := *out
		name := filepath.Base(filepath.Clean("/" + meta.s("name")))
		if name == "/" || name == "." {
			name = meta.s("id")
		}
		if dest == "" {
			dest = name
		} else if st, err := os.Stat(dest); err == nil && st.IsDir() {
			dest = filepath.Join(dest, name)
		}
		flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if *force {
			flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		f, err := os.OpenFile(dest, flags, 0o644)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists: add --force to overwrite it, or -o another path", dest)
		}
		if err != nil {
			return err
		}
		if err := cliTransfer(req, f); err != nil {
			f.Close()
			os.Remove(dest)
			return fmt.Errorf("downloading %s: %w", meta.s("name"), err)
		}
		if err := f.Close(); err != nil {
			return err
		}
		if x.json {
			return x.printJSONParts(cliPart{"file", res.Body}, cliPart{"path", cliMustJSON(dest)})
		}
		fmt.Fprintf(x.stdout, "Saved %s (%s bytes) to %s.\n", meta.s("name"), meta.s("size"), dest)
		return nil
	}
}

func cliFilesList(x *cliSession, fs *flag.FlagSet) func(context.Context, []string) error {
	parent := cliParentFlags(fs, "contact", "opportunity")
	lo := cliListFlags(fs)
	return func(ctx context.Context, args []string) error {
		path, err := parent.noArgsPath(args)
		if err != nil {
			return err
		}
		return x.listShow(ctx, path+"/files", nil, lo, "No files.", func(items []cliObj) error {
			t := cliNewTable(x.stdout, "ID", "NAME", "TYPE", "SIZE", "STATUS", "BY", "UPLOADED")
			for _, f := range items {
				t.row(f.s("id"), cliCut(f.s("name"), 50), f.s("contentType"), cliSize(f.i("size")), f.s("status"),
					x.nameOf(ctx, "users", f.s("uploadedBy")), cliTime(f.s("createdAt")))
			}
			return t.flush()
		})
	}
}

// cliSize writes a size in bytes for people.
func cliSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".", ",", 1) + " MiB"
	case n >= 1<<10:
		return strings.Replace(strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64), ".", ",", 1) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}
