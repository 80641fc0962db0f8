package mail

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// parsed is an outbox file read back with the standard library only.
type parsed struct {
	header mail.Header
	parts  map[string]string // media type -> decoded content, CRLF turned into LF
	order  []string
}

func readEML(t *testing.T, path string) parsed {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 || strings.Contains(line, "\n") {
			t.Errorf("line %d is too long or has a bare LF: %q", i+1, line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read %s: %v", path, err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	p := parsed{header: msg.Header, parts: map[string]string{}}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, cp, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil || cp["charset"] != "utf-8" {
			t.Errorf("part Content-Type %q", part.Header.Get("Content-Type"))
		}
		// NextPart decodes quoted-printable itself.
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		p.parts[ct] = strings.ReplaceAll(string(body), "\r\n", "\n")
		p.order = append(p.order, ct)
	}
	return p
}

func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			t.Errorf("stray file in the outbox: %s", e.Name())
			continue
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out
}

func TestOutboxWritesParsableMessage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox") // created on first send
	var logs bytes.Buffer
	o := &Outbox{Dir: dir, From: "Embudo Señal <no-reply@embudo.example>", Logger: slog.New(slog.NewTextHandler(&logs, nil))}

	e := sampleEmail()
	e.Subject = "Recordatorio: Íñigo Muñoz (#12 Tienda online) — una nota con acentos, eñes y un asunto largo que hay que plegar"
	e.Text = "Hola, José:\n\nLínea con acentos: áéíóú ÁÉÍÓÚ ñÑ ü «comillas» €.\n" + strings.Repeat("larga ", 40) + "\n"
	e.HTML = "<p>Hola, José: <strong>Íñigo</strong> = 100 €</p>\n<p>" + strings.Repeat("texto ", 40) + "</p>"
	before := time.Now().Add(-time.Second)
	if err := o.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}

	files := emlFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("outbox has %d files, want 1", len(files))
	}
	name := filepath.Base(files[0])
	if !regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-new-contact-agent-[0-9a-f]{12}\.eml$`).MatchString(name) {
		t.Errorf("file name %q", name)
	}

	p := readEML(t, files[0])
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(p.header.Get("Subject"))
	if err != nil || subject != e.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, e.Subject)
	}
	to, err := mail.ParseAddress(p.header.Get("To"))
	if err != nil || to.Name != "José Pérez" || to.Address != "jose.perez@example.com" {
		t.Errorf("To = %+v (%v)", to, err)
	}
	from, err := mail.ParseAddress(p.header.Get("From"))
	if err != nil || from.Name != "Embudo Señal" || from.Address != "no-reply@embudo.example" {
		t.Errorf("From = %+v (%v)", from, err)
	}
	if date, err := p.header.Date(); err != nil || date.Before(before) || date.After(time.Now().Add(time.Second)) {
		t.Errorf("Date = %v (%v)", date, err)
	}
	if id := p.header.Get("Message-ID"); !regexp.MustCompile(`^<[0-9a-z]+\.[0-9a-f]{16}@embudo\.example>$`).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	if p.header.Get("MIME-Version") != "1.0" || p.header.Get(HeaderNotification) != crm.NotifyNewContactAgent {
		t.Errorf("headers %v", p.header)
	}
	if strings.Join(p.order, ",") != "text/plain,text/html" {
		t.Errorf("parts %v, want text then HTML", p.order)
	}
	if p.parts["text/plain"] != e.Text {
		t.Errorf("text part =\n%q\nwant\n%q", p.parts["text/plain"], e.Text)
	}
	if p.parts["text/html"] != e.HTML {
		t.Errorf("HTML part =\n%q\nwant\n%q", p.parts["text/html"], e.HTML)
	}

	line := logs.String()
	for _, w := range []string{"jose.perez@example.com", "Íñigo Muñoz", files[0], "new-contact-agent"} {
		if !strings.Contains(line, w) {
			t.Errorf("log line lacks %q: %s", w, line)
		}
	}
	if strings.Count(line, "\n") != 1 {
		t.Errorf("want one log line, got %q", line)
	}
}

func TestOutboxTextOnlyAndNoKey(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: dir, From: "no-reply@embudo.example", Logger: slog.New(slog.DiscardHandler)}
	if err := o.Send(context.Background(), Email{To: "ana@example.com", Subject: "Plain ASCII", Text: "only text"}); err != nil {
		t.Fatal(err)
	}
	files := emlFiles(t, dir)
	if len(files) != 1 || !strings.Contains(filepath.Base(files[0]), "-mail-") {
		t.Fatalf("files %v", files)
	}
	p := readEML(t, files[0])
	if p.header.Get("Subject") != "Plain ASCII" || p.header.Get("To") != "ana@example.com" || p.header.Get(HeaderNotification) != "" {
		t.Errorf("headers %v", p.header)
	}
	if len(p.parts) != 1 || p.parts["text/plain"] != "only text" {
		t.Errorf("parts %v", p.parts)
	}
}

func TestOutboxSubjectCannotInjectHeaders(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: dir, From: "no-reply@embudo.example", Logger: slog.New(slog.DiscardHandler)}
	e := sampleEmail()
	e.Subject = "Hola\r\nBcc: victim@example.com"
	e.ToName = "Eve\r\nBcc: victim@example.com"
	if err := o.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	p := readEML(t, emlFiles(t, dir)[0])
	if len(p.header["Bcc"]) != 0 {
		t.Errorf("a Bcc header got in: %v", p.header)
	}
	if s, _ := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject")); s != "Hola Bcc: victim@example.com" {
		t.Errorf("Subject = %q", s)
	}
}

func TestOutboxErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := &Outbox{Dir: dir, From: "no-reply@embudo.example", Logger: slog.New(slog.DiscardHandler)}
	for name, mut := range map[string]func(*Email){
		"no address":        func(e *Email) { e.To = "" },
		"not an address":    func(e *Email) { e.To = "jose" },
		"address with name": func(e *Email) { e.To = "José <jose@example.com>" },
		"no subject":        func(e *Email) { e.Subject = "" },
		"no body":           func(e *Email) { e.Text, e.HTML = "", "" },
	} {
		e := sampleEmail()
		mut(&e)
		if err := good.Send(ctx, e); crm.ErrorCode(err) != crm.CodeInvalid {
			t.Errorf("%s: error %v, want invalid", name, err)
		}
	}

	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	for name, c := range map[string]struct {
		o   *Outbox
		ctx context.Context
	}{
		"no directory":      {&Outbox{From: "no-reply@embudo.example"}, ctx},
		"bad From":          {&Outbox{Dir: dir, From: "nobody"}, ctx},
		"directory is file": {&Outbox{Dir: blocked, From: "no-reply@embudo.example"}, ctx},
		"context done":      {good, canceled},
	} {
		if err := c.o.Send(c.ctx, sampleEmail()); crm.ErrorCode(err) != crm.CodeInternal {
			t.Errorf("%s: error %v, want internal", name, err)
		}
	}
	if files := emlFiles(t, dir); len(files) != 0 {
		t.Errorf("failed sends left files: %v", files)
	}
}

func TestOutboxConcurrentSends(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: dir, From: "no-reply@embudo.example", Logger: slog.New(slog.DiscardHandler)}
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			e := sampleEmail()
			e.Subject = fmt.Sprintf("Mensaje %d", i)
			errs <- o.Send(context.Background(), e)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	files := emlFiles(t, dir)
	if len(files) != n {
		t.Fatalf("%d files, want %d", len(files), n)
	}
	subjects := map[string]bool{}
	for _, f := range files {
		subjects[readEML(t, f).header.Get("Subject")] = true
	}
	if len(subjects) != n {
		t.Errorf("%d distinct subjects, want %d", len(subjects), n)
	}
}

func BenchmarkOutboxSend(b *testing.B) {
	o := &Outbox{Dir: b.TempDir(), From: "no-reply@embudo.example", Logger: slog.New(slog.DiscardHandler)}
	e := sampleEmail()
	for b.Loop() {
		if err := o.Send(context.Background(), e); err != nil {
			b.Fatal(err)
		}
	}
}
