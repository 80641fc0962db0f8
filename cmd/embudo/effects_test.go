package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The side effects of `embudo serve`, end to end: requests through the
// API, the local store's change feed, the stream handler, the reminder
// timer and the outbox directory, all in one process as a developer runs it.

const effectsToken = "embudo-effects-test-token-00000000000000000"

// localServer is `embudo serve` running in this process.
type localServer struct {
	url  string
	data string
	out  *syncBuffer
}

// serveInProcess runs `embudo serve` on a port the kernel picks (its URL
// read from the serving line, so parallel tests never race for a port) with a fresh data
// directory, no e-mail listener and the first admin's token effectsToken
// (TestMain), and stops it (cancelling its context, as SIGTERM does) when
// the test ends, requiring a clean exit.
func serveInProcess(t *testing.T) *localServer {
	t.Helper()
	s := &localServer{data: t.TempDir(), out: &syncBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", s.data, "--addr", anyPort, "--smtp-addr=", "--template", "../../template.yaml",
			"--app-url", "https://crm.example.com"}, s.out, s.out)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("embudo serve exited with %d:\n%s", code, s.out)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("embudo serve did not stop after its context was cancelled:\n%s", s.out)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case code := <-done:
			t.Fatalf("embudo serve exited with %d before serving:\n%s", code, s.out)
		default:
		}
		if s.url == "" {
			if m := servingURL.FindStringSubmatch(s.out.String()); m != nil {
				s.url = m[1]
			}
		}
		if s.url == "" {
			// not listening yet
		} else if res, err := http.Get(s.url + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("embudo serve did not come up:\n%s", s.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// do sends a request with token and returns the status and the JSON body.
func (s *localServer) do(t *testing.T, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	return callAPI(t, s.url, token, method, path, r)
}

// must sends a request and requires the status want, returning the body.
func (s *localServer) must(t *testing.T, token, method, path string, body any, want int) map[string]any {
	t.Helper()
	status, m := s.do(t, token, method, path, body)
	if status != want {
		t.Fatalf("%s %s: %d, want %d: %v", method, path, status, want, m)
	}
	return m
}

// sentMail is one .eml file of the outbox: its notification key and recipient.
type sentMail struct{ Key, To, Subject string }

// outbox reads the outbox directory (missing: empty).
func outbox(t *testing.T, dir string) []sentMail {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []sentMail
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s is not a message: %v", name, err)
		}
		to, err := mail.ParseAddress(m.Header.Get("To"))
		if err != nil {
			t.Fatalf("%s: To %q: %v", name, m.Header.Get("To"), err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		out = append(out, sentMail{Key: m.Header.Get("X-Embudo-Notification"), To: to.Address, Subject: subject})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key+" "+out[i].To < out[j].Key+" "+out[j].To })
	return out
}

func keysAndRecipients(ms []sentMail) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Key + " -> " + m.To
	}
	return out
}

func TestServeSendsNotificationsAndKeepsTheTimeline(t *testing.T) {
	t.Parallel()
	s := serveInProcess(t)
	admin := effectsToken

	ana := s.must(t, admin, "POST", "/v1/users", map[string]any{"name": "Ana Smith", "email": "ana@example.com", "role": "staff", "active": true, "lang": "en"}, 201)
	beto := s.must(t, admin, "POST", "/v1/users", map[string]any{"name": "Beto Ruiz", "email": "beto@example.com", "role": "staff", "active": true, "lang": "es"}, 201)
	agent := s.must(t, admin, "POST", "/v1/agents", map[string]any{"code": "ANA", "name": "Ana Smith", "email": "ana@example.com", "active": true, "userId": ana["id"]}, 201)
	betoToken, _ := s.must(t, admin, "POST", fmt.Sprintf("/v1/users/%s/tokens", beto["id"]), map[string]any{"name": "test"}, 201)["token"].(string)
	if betoToken == "" {
		t.Fatal("no token issued for Beto")
	}

	// A contact, then assigned to Ana's agent.
	contact := s.must(t, admin, "POST", "/v1/contacts", map[string]any{"name": "Lucía", "surname": "Fernández"}, 201)
	cid := contact["id"].(string)
	s.must(t, admin, "PATCH", "/v1/contacts/"+cid, map[string]any{"agentId": agent["id"]}, 200)
	// An opportunity on it (its agent is the contact's) assigned to Beto,
	// and a team note on it by the admin.
	opp := s.must(t, admin, "POST", "/v1/opportunities", map[string]any{"contactId": cid, "description": "Tienda online", "assigneeId": beto["id"]}, 201)
	if opp["agentId"] != agent["id"] {
		t.Fatalf("the opportunity did not take the contact's agent: %v", opp)
	}
	teamNote := s.must(t, admin, "POST", fmt.Sprintf("/v1/opportunities/%s/notes", opp["id"]), map[string]any{"text": "Demo el jueves", "visibility": "team"}, 201)
	// A reminder one second ahead, by the admin.
	aviso := time.Now().Add(time.Second).UTC().Format(time.RFC3339)
	avisoNote := s.must(t, admin, "POST", "/v1/contacts/"+cid+"/notes", map[string]any{"text": "Llamar a Lucía", "avisoAt": aviso}, 201)
	// Beto's private note on the contact.
	private := s.must(t, betoToken, "POST", "/v1/contacts/"+cid+"/notes", map[string]any{"text": "Compara precios con otro", "visibility": "private"}, 201)

	want := []string{
		"new-contact-agent -> ana@example.com",
		"new-opportunity-agent -> ana@example.com",
		"new-opportunity-assignee -> beto@example.com",
		"new-opportunity-note -> ana@example.com",
		"new-opportunity-note -> beto@example.com",
		"notify-note -> admin@localhost.localdomain",
	}
	dir := filepath.Join(s.data, "outbox")
	// The timeline of the contact, as a user sees it: "kind:refId" entries.
	entries := func(token string) []string {
		m := s.must(t, token, "GET", "/v1/contacts/"+cid+"/timeline", nil, 200)
		var out []string
		items, _ := m["items"].([]any)
		for _, it := range items {
			e, _ := it.(map[string]any)
			out = append(out, fmt.Sprintf("%v:%v", e["kind"], e["refId"]))
		}
		return out
	}
	// waitFor polls until done holds, failing with what describe says if it
	// never does (the limit only ends a test that hangs; nothing is timed).
	waitFor := func(what string, done func() bool, describe func() string) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); !done(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s never happened: %s\nserver output:\n%s", what, describe(), s.out)
			}
		}
	}
	outboxHolds := func() string { return fmt.Sprint(keysAndRecipients(outbox(t, dir))) }

	// Every expected e-mail arrives, and the reminder is marked sent (the
	// last write of this test's own).
	waitFor("every expected e-mail", func() bool {
		got := keysAndRecipients(outbox(t, dir))
		for _, w := range want {
			if !slices.Contains(got, w) {
				return false
			}
		}
		return true
	}, outboxHolds)
	reminder := func() map[string]any {
		return s.must(t, admin, "GET", fmt.Sprintf("/v1/notes/%s", avisoNote["id"]), nil, 200)
	}
	waitFor("the reminder marked sent", func() bool { return reminder()["notifiedAt"] != nil },
		func() string { return fmt.Sprint(reminder()) })
	// Then no change is left pending: the feed applies changes one at a
	// time in commit order, each one's timeline and e-mails before the
	// next, so once a change written after all of the above (a private
	// note of the admin's, which e-mails no one) is in the timeline, every
	// e-mail those changes call for has been sent, twice if it were sent
	// twice.
	last := s.must(t, admin, "POST", "/v1/contacts/"+cid+"/notes", map[string]any{"text": "Fin de la prueba", "visibility": "private"}, 201)
	lastEntry := "note:" + last["id"].(string)
	waitFor("the last change in the timeline", func() bool { return slices.Contains(entries(admin), lastEntry) },
		func() string { return fmt.Sprint(entries(admin)) })
	sent := outbox(t, dir)
	if got := keysAndRecipients(sent); !slices.Equal(got, want) {
		t.Errorf("the outbox holds\n %v\nwant, once each,\n %v", got, want)
	}
	for _, m := range sent {
		if m.To == "ana@example.com" && !strings.HasPrefix(m.Subject, "New ") && !strings.HasPrefix(m.Subject, "You are") {
			t.Errorf("Ana reads English, but got %q (%s)", m.Subject, m.Key)
		}
		if m.To == "beto@example.com" && strings.HasPrefix(m.Subject, "New ") {
			t.Errorf("Beto reads Spanish, but got %q (%s)", m.Subject, m.Key)
		}
	}

	// The timeline: Beto's view has his private note; the admin's has
	// every other change and not Beto's private note.
	privateEntry := "note:" + private["id"].(string)
	if forBeto := entries(betoToken); !slices.Contains(forBeto, privateEntry) || slices.Contains(forBeto, lastEntry) {
		t.Errorf("Beto's timeline %v, want his private note %s and not the admin's %s", forBeto, privateEntry, lastEntry)
	}
	forAdmin := entries(admin)
	for _, e := range []string{"created:" + cid, "assigned:" + agent["id"].(string), "opportunity:" + opp["id"].(string),
		"note:" + teamNote["id"].(string), "note:" + avisoNote["id"].(string)} {
		if !slices.Contains(forAdmin, e) {
			t.Errorf("the timeline lacks %s: %v", e, forAdmin)
		}
	}
	if slices.Contains(forAdmin, privateEntry) {
		t.Errorf("another user's private note is in the admin's timeline: %v", forAdmin)
	}
}
