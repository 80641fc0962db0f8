package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// recorder is a feed's apply that keeps what it was given.
type recorder struct {
	mu      sync.Mutex
	changes []crm.Change
	at      []time.Time
	fail    map[string]int // change ID → failures left
}

func (r *recorder) apply(_ context.Context, c crm.Change) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail[c.ID] > 0 {
		r.fail[c.ID]--
		return errors.New("the effect failed")
	}
	r.changes = append(r.changes, c)
	r.at = append(r.at, time.Now())
	return nil
}

func (r *recorder) got() []crm.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]crm.Change{}, r.changes...)
}

// describe names each change: its ID, its kind and what it did.
func describe(cs []crm.Change) []string {
	var out []string
	for _, c := range cs {
		kind, what := crm.EntityKind(c.New), "update"
		switch {
		case c.Old == nil:
			what = "create"
		case c.New == nil:
			kind, what = crm.EntityKind(c.Old), "delete"
		}
		out = append(out, c.ID+" "+kind+" "+what)
	}
	return out
}

func drain(t *testing.T, f *Feed) {
	t.Helper()
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	if err := f.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

func outboxRows(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow("SELECT count(*) FROM outbox").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// byID orders changes by their outbox sequence, keeping the order they
// were applied in as the second result: the index of each in it.
func byID(cs []crm.Change) ([]crm.Change, map[string]int) {
	at := map[string]int{}
	for i, c := range cs {
		at[c.ID] = i
	}
	sorted := slices.Clone(cs)
	slices.SortFunc(sorted, func(a, b crm.Change) int {
		var x, y int
		fmt.Sscanf(a.ID, "local-%d", &x)
		fmt.Sscanf(b.ID, "local-%d", &y)
		return x - y
	})
	return sorted, at
}

func TestFeedAppliesEachEntitysChangesInCommitOrder(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	svc := crm.NewService(s, crm.Config{})
	if err := svc.EnsureSeeded(bg); err != nil {
		t.Fatal(err)
	}
	actor := crm.User{ID: crm.NewID(time.Now()), Role: crm.RoleAdmin, Active: true}
	c, err := svc.CreateContact(bg, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := svc.CreateOpportunity(bg, actor, crm.Opportunity{ContactID: c.ID, Description: "Web"})
	if err != nil {
		t.Fatal(err)
	}
	n, err := svc.CreateNote(bg, actor, crm.ParentContact, c.ID, crm.Note{Text: "Llamar"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteNote(bg, actor, n.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateContact(bg, c.ID, 0, func(c *crm.Contact) error { c.Company = "ACME"; return nil }); err != nil {
		t.Fatal(err)
	}

	r := &recorder{}
	f := s.StartFeed(r.apply, nil)
	defer f.Close()
	drain(t, f)
	got, at := byID(r.got())
	want := []string{"local-1 contact create", "local-2 opportunity create", "local-3 note create", "local-4 note delete", "local-5 contact update"}
	if fmt.Sprint(describe(got)) != fmt.Sprint(want) {
		t.Fatalf("changes %v, want each of %v once", describe(r.got()), want)
	}
	// Changes of different entities may be applied side by side; those of
	// one entity are applied in the order they were committed.
	if at["local-1"] > at["local-5"] || at["local-3"] > at["local-4"] {
		t.Fatalf("changes of one entity applied out of order: %v", describe(r.got()))
	}
	if nc, ok := got[0].New.(crm.Contact); !ok || nc.ID != c.ID || nc.Email != "ana@example.com" {
		t.Fatalf("the contact's creation carries %#v", got[0].New)
	}
	if oo, ok := got[1].New.(crm.Opportunity); !ok || oo.ID != o.ID || oo.Number != 1 {
		t.Fatalf("the opportunity's creation carries %#v", got[1].New)
	}
	if old, ok := got[3].Old.(crm.Note); !ok || old.ID != n.ID || got[3].New != nil {
		t.Fatalf("the note's deletion carries %#v → %#v", got[3].Old, got[3].New)
	}
	if old, next := got[4].Old.(crm.Contact), got[4].New.(crm.Contact); old.Company != "" || next.Company != "ACME" || next.Version != 2 {
		t.Fatalf("the contact's update: %+v → %+v", old, next)
	}
	if n := outboxRows(t, s); n != 0 {
		t.Fatalf("%d applied changes left in the outbox", n)
	}

	// A write is applied at once, not at the next poll.
	start := time.Now()
	if _, err := svc.CreateContact(bg, actor, crm.Contact{Name: "Luis"}); err != nil {
		t.Fatal(err)
	}
	for len(r.got()) < 6 {
		if time.Since(start) > 500*time.Millisecond {
			t.Fatal("the feed was not woken by the commit")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFeedCheckpointSurvivesReopening(t *testing.T) {
	path := filepath.Join(t.TempDir(), "embudo.db")
	s := openAt(t, path, Options{})
	for _, name := range []string{"Ana", "Luis"} {
		if err := s.CreateContact(bg, contact(name, "")); err != nil {
			t.Fatal(err)
		}
	}
	r := &recorder{}
	f := s.StartFeed(r.apply, nil)
	drain(t, f)
	f.Close()
	// Written while no feed runs: applied at the next start, the others not
	// again.
	later := contact("Eva", "")
	if err := s.CreateContact(bg, later); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openAt(t, path, Options{})
	r2 := &recorder{}
	f = s.StartFeed(r2.apply, nil)
	defer f.Close()
	drain(t, f)
	got := r2.got()
	if len(got) != 1 || got[0].ID != "local-3" || got[0].New.(crm.Contact).ID != later.ID {
		t.Fatalf("after reopening the feed applied %v, want only local-3", describe(got))
	}
	if len(r.got()) != 2 {
		t.Fatalf("the first run applied %v", describe(r.got()))
	}
}

func TestFeedRetriesAFailedChangeWithoutSkippingIt(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	for _, name := range []string{"Ana", "Luis", "Eva"} {
		if err := s.CreateContact(bg, contact(name, "")); err != nil {
			t.Fatal(err)
		}
	}
	var log syncBuffer
	r := &recorder{fail: map[string]int{"local-2": 2}}
	f := s.StartFeed(r.apply, slogTo(&log))
	defer f.Close()
	drain(t, f)
	// Drain waits for local-2: the checkpoint never passes a change that
	// failed, and each change is applied once it succeeds, not again.
	got, _ := byID(r.got())
	if d := fmt.Sprint(describe(got)); d != "[local-1 contact create local-2 contact create local-3 contact create]" {
		t.Fatalf("changes %v", describe(r.got()))
	}
	if c := countOf(log.String(), "retrying"); c != 2 {
		t.Fatalf("%d retries logged, want 2:\n%s", c, log.String())
	}
}

func TestARolledBackWriteLeavesNoOutboxRow(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	c := contact("Ana", "ana@example.com")
	// The counter step fails after the contact was written in the
	// transaction: nothing of the batch stays.
	err := s.Commit(bg, crm.Batch{Contacts: []crm.Write[crm.Contact]{{New: c}}, Counters: []crm.CounterStep{{Name: "opportunity", From: 7}}})
	if !errors.Is(err, crm.ErrConcurrentWrite) || crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("a counter race: %v", err)
	}
	if n := outboxRows(t, s); n != 0 {
		t.Fatalf("%d outbox rows after a rolled-back write", n)
	}
	if _, err := s.GetContact(bg, c.ID); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Fatalf("the contact of a rolled-back write: %v", err)
	}
	if p, err := s.ListContacts(bg, crm.ContactFilter{Email: c.Email}, crm.ListOptions{}); err != nil || len(p.Items) != 0 {
		t.Fatalf("the e-mail of a rolled-back write is claimed: %v %v", p.Items, err)
	}
	if err := s.CreateContact(bg, contact("Otra", c.Email)); err != nil {
		t.Fatalf("the e-mail of a rolled-back write is taken: %v", err)
	}
}

func countOf(s, sub string) int { return strings.Count(s, sub) }
