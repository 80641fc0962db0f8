package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/mail"
	"github.com/embudo/embudo/internal/stream"
)

// The change feed stopped (as by kill -9) after a batch's changes were
// applied and before its transaction of effects and checkpoint committed:
// the e-mails were written, their markers committed; the timeline entries
// and counters were not, and the checkpoint did not move. At the next
// start the batch is applied again, and each e-mail, timeline entry and
// counter change happens once.

// silent drops the change core's log lines.
var silent = slog.New(slog.NewTextHandler(io.Discard, nil))

// crashRig is a database with contacts whose changes call for an e-mail,
// a timeline entry and a counter change each, and the change core of
// `embudo serve` over it writing e-mails to an outbox directory.
type crashRig struct {
	path, outbox string
	contacts     []crm.Contact
}

func newCrashRig(t *testing.T, n int) *crashRig {
	t.Helper()
	dir := t.TempDir()
	r := &crashRig{path: filepath.Join(dir, "embudo.db"), outbox: filepath.Join(dir, "outbox")}
	s := openAt(t, r.path, Options{})
	svc := crm.NewService(s, crm.Config{})
	if err := svc.EnsureSeeded(bg); err != nil {
		t.Fatal(err)
	}
	agent, err := svc.CreateAgent(bg, crm.Agent{Code: "A1", Name: "Lucía", Email: "lucia@example.com", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	actor := crm.User{ID: crm.NewID(time.Now()), Role: crm.RoleAdmin, Active: true}
	for i := range n {
		c, err := svc.CreateContact(bg, actor, crm.Contact{Name: fmt.Sprintf("Contacto %d", i), AgentID: agent.ID})
		if err != nil {
			t.Fatal(err)
		}
		r.contacts = append(r.contacts, c)
	}
	s.Close()
	return r
}

// core opens the change core of the rig's store s.
func (r *crashRig) core(s *Store) *stream.Handler {
	svc := crm.NewService(s, crm.Config{})
	return stream.New(stream.Config{Service: svc, Store: s, Log: silent, AppURL: "https://crm.example.com", Mailer: &mail.Outbox{Dir: r.outbox, From: "crm@example.com", Logger: silent}})
}

// emails counts the outbox's new-contact-agent e-mails by contact name,
// found by the link to the contact each holds.
func (r *crashRig) emails(t *testing.T) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(r.outbox, "*-new-contact-agent-*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(b), "=\r\n", "") // quoted-printable's soft line breaks
		for _, c := range r.contacts {
			if strings.Contains(text, "/contacts/"+c.ID) {
				out[c.Name]++
			}
		}
	}
	return out
}

// crash runs a feed whose batch transaction fails, with apply, until every
// contact's e-mail is written and the transaction was tried, then stops it
// and closes the store, as kill -9 would leave them.
func (r *crashRig) crash(t *testing.T, apply func(*stream.Handler) func(context.Context, crm.Change) error) {
	t.Helper()
	s := openAt(t, r.path, Options{})
	f := s.newFeed(apply(r.core(s)), silent)
	tried := make(chan struct{})
	var once sync.Once
	f.failFlush = func() error {
		once.Do(func() { close(tried) })
		return errors.New("killed")
	}
	f.begin()
	select {
	case <-tried:
	case <-time.After(30 * time.Second):
		t.Fatal("the batch was never applied")
	}
	f.Close()
	s.Close()
	if got := r.emails(t); len(got) != len(r.contacts) {
		t.Fatalf("before the crash, e-mails of %d contacts were written, want %d", len(got), len(r.contacts))
	}
}

// restart opens the store again with its feed, as `embudo serve` starts,
// and checks that every effect happened once.
func (r *crashRig) restart(t *testing.T) {
	t.Helper()
	s := openAt(t, r.path, Options{})
	f := s.StartFeed(r.core(s).Apply, silent)
	drain(t, f)
	f.Close()
	for name, n := range r.emails(t) {
		if n != 1 {
			t.Errorf("%s's new-contact-agent e-mail was written %d times", name, n)
		}
	}
	for _, c := range r.contacts {
		p, err := s.Timeline(bg, c.ID, crm.ListOptions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 1 || p.Items[0].Kind != crm.TimelineCreated {
			t.Errorf("%s's timeline: %+v, want its one created entry", c.Name, p.Items)
		}
	}
	month := r.contacts[0].CreatedAt.Format("2006-01")
	stats, err := s.Stats(bg, month, month)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Contacts != int64(len(r.contacts)) {
		t.Errorf("counters %+v, want %d contacts", stats, len(r.contacts))
	}
	if n := outboxRows(t, s); n != 0 {
		t.Errorf("%d changes left in the outbox", n)
	}
}

func TestFeedKilledBeforeItsBatchCommitsAppliesEachEffectOnce(t *testing.T) {
	r := newCrashRig(t, 30)
	r.crash(t, func(h *stream.Handler) func(context.Context, crm.Change) error { return h.Apply })
	r.restart(t)
}

// The same, after the timeline entries and counters were committed too
// (each change's on its own, as a feed before batching wrote them, or a
// batch that did commit but whose checkpoint a crash kept from being
// read): applied again, they are not written twice.
func TestFeedKilledBetweenEffectsAndCheckpointAppliesEachEffectOnce(t *testing.T) {
	r := newCrashRig(t, 30)
	r.crash(t, func(h *stream.Handler) func(context.Context, crm.Change) error {
		return func(_ context.Context, c crm.Change) error { return h.Apply(bg, c) } // outside the batch: committed at once
	})
	r.restart(t)
}
