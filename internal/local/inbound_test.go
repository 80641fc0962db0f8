package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/inbound"
	"github.com/embudo/embudo/internal/inbound/inboundtest"
	"github.com/embudo/embudo/internal/sqlite"
)

const adminToken = "emb_local-inbound-test-token-0000000000000000000"

// running is a Server of a test, with its API base URL and data directory.
type running struct {
	*Server
	url, data string
}

func start(t testing.TB) running {
	t.Helper()
	t.Setenv("EMBUDO_BOOTSTRAP_TOKEN", adminToken)
	data := t.TempDir()
	s := NewServer(Config{Addr: "127.0.0.1:0", Data: data, SMTPAddr: "127.0.0.1:0", InboundDomain: inboundtest.Domain,
		MailFrom: "Embudo <no-reply@acme.example>", SyncNormal: true, TimeZone: time.UTC,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := s.Run(context.Background(), io.Discard); err != nil {
		t.Fatal(errors.Join(err, s.Close()))
	}
	t.Cleanup(func() { s.Close() })
	return running{Server: s, url: "http://" + s.ln.Addr().String(), data: data}
}

// api calls the API as the admin and decodes the answer into out.
func (r running) api(t testing.TB, method, path string, body any, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v %s", method, path, err, b)
		}
	}
}

// send delivers raw over SMTP, as a mail client or swaks would.
func (r running) send(from, to string, raw []byte) error {
	return smtp.SendMail(r.SMTPAddr(), nil, from, []string{to}, raw)
}

// users creates the corpus's team through the API.
func (r running) users(t testing.TB) map[string]string {
	out := map[string]string{}
	for _, u := range []struct{ name, email string }{{"Marta Ruiz", inboundtest.MartaEmail}, {"Bruno Díaz", inboundtest.BrunoEmail}} {
		var made struct{ ID string }
		r.api(t, "POST", "/v1/users", map[string]any{"name": u.name, "email": u.email, "role": "staff", "active": true, "lang": "es"}, &made)
		out[u.email] = made.ID
	}
	return out
}

// readStore opens the server's database read-only beside it.
func (r running) readStore(t testing.TB) *sqlite.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(r.data, DBFile), sqlite.Options{ReadOnly: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestSMTPCorpus sends the corpus to `embudo serve`'s SMTP listener: each
// message becomes its note (250) or is rejected with its reason (550) and
// kept for the admin's list.
func TestSMTPCorpus(t *testing.T) {
	r := start(t)
	r.users(t)
	ctx := context.Background()
	st := r.readStore(t)
	team := map[string]crm.User{}
	us, _ := st.ListUsers(ctx, crm.ListOptions{Limit: 10})
	for _, u := range us.Items {
		team[u.Email] = u
	}
	for _, c := range inboundtest.Cases {
		if c.SESOnly {
			continue
		}
		t.Run(c.File, func(t *testing.T) {
			raw, err := inboundtest.Raw(c)
			if err != nil {
				t.Fatal(err)
			}
			err = r.send("bounce@example.com", inboundtest.InboundAddr, raw)
			var reason string
			var te *textproto.Error
			switch {
			case errors.As(err, &te) && te.Code == 550:
				reason = te.Msg
			case err != nil:
				t.Fatal(err)
			}
			m, _ := inbound.Parse(raw, inbound.DefaultLimits)
			rec, err := st.GetLeadRecord(ctx, crm.EmailKey(m.MessageID))
			if err != nil {
				t.Fatalf("no record of the message: %v (SMTP said %q)", err, reason)
			}
			if rec.Outcome == crm.OutcomeRejected && !strings.Contains(reason, c.Reason) {
				t.Errorf("SMTP answer %q does not say why (%q)", reason, c.Reason)
			}
			for _, p := range inboundtest.Check(ctx, st, team, c, rec.Outcome, rec.EmailContact(), rec.Extra[crm.RejectReason]) {
				t.Error(p)
			}
		})
	}
	var rejected struct {
		Items []struct{ Reason, From, Raw, RawURL string }
	}
	r.api(t, "GET", "/v1/inbound/rejected", nil, &rejected)
	if len(rejected.Items) != 1 || !strings.Contains(rejected.Items[0].Reason, "not the address of an active user") || rejected.Items[0].Raw == "" {
		t.Fatalf("the admin's list of rejected e-mail: %+v", rejected.Items)
	}
	res, err := http.Get(rejected.Items[0].RawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	kept, _ := io.ReadAll(res.Body)
	if want, _ := inboundtest.Raw(inboundtest.Case{File: "stranger.eml"}); !bytes.Equal(kept, want) {
		t.Errorf("the rejected message's download: %d %q", res.StatusCode, kept)
	}
}

// TestReplyToNotificationEndToEnd: the new-opportunity e-mail in the
// outbox has a reply address; replying to it over SMTP puts a note on the
// opportunity (and its contact's timeline), and the others get the
// new-opportunity-note e-mail.
func TestReplyToNotificationEndToEnd(t *testing.T) {
	r := start(t)
	ids := r.users(t)
	var agent, contact, opp struct{ ID string }
	r.api(t, "POST", "/v1/agents", map[string]any{"code": "BRUNO", "name": "Bruno Díaz", "email": inboundtest.BrunoEmail, "active": true, "userId": ids[inboundtest.BrunoEmail]}, &agent)
	r.api(t, "POST", "/v1/contacts", map[string]any{"name": "Lucía", "surname": "Fernández", "email": "lucia@cliente.example"}, &contact)
	r.api(t, "POST", "/v1/opportunities", map[string]any{"contactId": contact.ID, "description": "Tienda online",
		"assigneeId": ids[inboundtest.MartaEmail], "agentId": agent.ID}, &opp)

	outbox := filepath.Join(r.data, "outbox")
	notice := waitMail(t, outbox, "new-opportunity-assignee", inboundtest.MartaEmail)
	replyTo := notice.Header.Get("Reply-To")
	if !strings.HasPrefix(replyTo, "n+") || !strings.HasSuffix(replyTo, "@"+inboundtest.Domain) {
		t.Fatalf("the notification's Reply-To is %q", replyTo)
	}
	reply := "From: Marta Ruiz <" + inboundtest.MartaEmail + ">\r\nTo: " + replyTo + "\r\nSubject: Re: " + notice.Header.Get("Subject") +
		"\r\nMessage-ID: <reply-1@acme.example>\r\nIn-Reply-To: " + notice.Header.Get("Message-ID") +
		"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHablado con Lucía: firma el lunes.\r\n\r\n" +
		"El lun, 2 mar 2026 a las 10:00, Embudo <no-reply@acme.example> escribió:\r\n> Nueva oportunidad a tu cargo\r\n"
	if err := r.send(inboundtest.MartaEmail, replyTo, []byte(reply)); err != nil {
		t.Fatal(err)
	}
	var notes struct {
		Items []struct{ Text, CreatedBy, Visibility string }
	}
	r.api(t, "GET", "/v1/opportunities/"+opp.ID+"/notes", nil, &notes)
	if len(notes.Items) != 1 || notes.Items[0].Text != "Hablado con Lucía: firma el lunes." || notes.Items[0].CreatedBy != ids[inboundtest.MartaEmail] {
		t.Fatalf("notes on the opportunity: %+v", notes.Items)
	}
	other := waitMail(t, outbox, "new-opportunity-note", inboundtest.BrunoEmail)
	if body := mailText(t, other); !strings.Contains(body, "firma el lunes") {
		t.Errorf("the note e-mail to the agent does not carry the note:\n%s", body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var tl struct {
			Items []struct{ Kind, RefKind, Summary string }
		}
		r.api(t, "GET", "/v1/contacts/"+contact.ID+"/timeline", nil, &tl)
		found := false
		for _, it := range tl.Items {
			found = found || (it.Kind == "note" && strings.Contains(it.Summary, "firma el lunes"))
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the note is not on the timeline: %+v", tl.Items)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The same reply again (a retry of the sender) makes no second note.
	if err := r.send(inboundtest.MartaEmail, replyTo, []byte(reply)); err != nil {
		t.Fatal(err)
	}
	r.api(t, "GET", "/v1/opportunities/"+opp.ID+"/notes", nil, &notes)
	if len(notes.Items) != 1 {
		t.Fatalf("%d notes after the same reply twice", len(notes.Items))
	}
	for _, f := range mails(t, outbox, "new-opportunity-note") {
		if to := f.Header.Get("To"); strings.Contains(to, inboundtest.MartaEmail) {
			t.Errorf("the author was sent her own note: %s", to)
		}
	}
}

// mails reads the outbox's messages of a notification key.
func mails(t testing.TB, dir, key string) []*mail.Message {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*-"+key+"-*.eml"))
	var out []*mail.Message
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// waitMail waits for the outbox's e-mail of key to an address.
func waitMail(t testing.TB, dir, key, to string) *mail.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, m := range mails(t, dir, key) {
			if strings.Contains(m.Header.Get("To"), to) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s e-mail to %s in the outbox", key, to)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mailText returns the decoded text of an outbox message.
func mailText(t testing.TB, m *mail.Message) string {
	t.Helper()
	p, err := inbound.Parse(append([]byte("Content-Type: "+m.Header.Get("Content-Type")+"\r\n\r\n"), must(io.ReadAll(m.Body))...), inbound.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return p.Text
}

func must[T any](v T, _ error) T { return v }

// TestSMTPAddressTaken: a second server on a taken SMTP address runs
// without e-mail in instead of failing (two embudo serve, or tests).
func TestSMTPAddressTaken(t *testing.T) {
	first := start(t)
	second := NewServer(Config{Addr: "127.0.0.1:0", Data: t.TempDir(), SMTPAddr: first.SMTPAddr(), SyncNormal: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := second.Run(context.Background(), io.Discard); err != nil {
		t.Fatal(errors.Join(err, second.Close()))
	}
	defer second.Close()
	if second.SMTPAddr() != "" {
		t.Fatalf("the second server listens for SMTP on %s", second.SMTPAddr())
	}
}
