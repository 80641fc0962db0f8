package crm_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// racingStore is a store whose next commits lose a race for a sequence
// number, as when concurrent leads take the same one (fails < 0: all).
type racingStore struct {
	crm.Store
	mu      sync.Mutex
	fails   int
	commits int
}

func (s *racingStore) Commit(ctx context.Context, b crm.Batch) error {
	s.mu.Lock()
	s.commits++
	lose := s.fails != 0
	if s.fails > 0 {
		s.fails--
	}
	s.mu.Unlock()
	if lose {
		return &crm.Error{Code: crm.CodeConflict, Message: "the number was taken", Err: crm.ErrConcurrentWrite}
	}
	return s.Store.Commit(ctx, b)
}

// A lead whose write loses a race is written at the next try, once: the
// sender gets its contact, not an error. A store that keeps losing gets
// 21 tries (the first and 20 more), then the sender an error it retries.
func TestLeadIntakeRetriesALostRace(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	src, err := r.svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatForm}})
	if err != nil {
		t.Fatal(err)
	}
	st := &racingStore{Store: r.st, fails: 2}
	svc := crm.NewService(st, crm.Config{})
	rec, dup, err := svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Lucía", Email: "lucia@example.es"})
	if err != nil || dup || rec.Outcome != crm.OutcomeCreated || st.commits != 3 {
		t.Fatalf("after two lost races: %+v, duplicate %v, %v, %d commits; want created at the third", rec, dup, err, st.commits)
	}
	if c, err := r.svc.GetContact(bg, rec.ContactID); err != nil || c.Email != "lucia@example.es" {
		t.Errorf("the lead's contact: %+v, %v", c, err)
	}
	page, err := r.svc.ListContacts(bg, crm.ContactFilter{}, crm.ListOptions{})
	if err != nil || len(page.Items) != 1 {
		t.Errorf("contacts after one lead: %d, %v; want 1", len(page.Items), err)
	}

	st.fails, st.commits = -1, 0
	_, _, err = svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Pedro", Email: "pedro@example.es"})
	if !errors.Is(err, crm.ErrConcurrentWrite) || st.commits != 21 {
		t.Errorf("always losing: %v after %d commits; want the race after 21", err, st.commits)
	}
}

// A lead's mobile finds the contact that has it as a phone, whatever
// other phone the lead gives: the lead is merged into that contact.
func TestLeadFoundByItsMobile(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	src, err := r.svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatForm}})
	if err != nil {
		t.Fatal(err)
	}
	c := r.contact(t, crm.Contact{Name: "Lucía", Phone: "600 11 12 13"})
	rec, _, err := r.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Lucía", Phone: "911 22 33 44", Mobile: "600111213"})
	if err != nil || rec.Outcome != crm.OutcomeMerged || rec.ContactID != c.ID {
		t.Errorf("a lead with the contact's phone as its mobile: %+v, %v; want merged into %s", rec, err, c.ID)
	}
}

// A lead from a webhook records its source as what made the contact (the
// timeline names the webhook); an import by a user records the user, and
// no source as the maker. Interests that all match leave the lead record
// no note of unmatched ones.
func TestLeadRecordsWhoMadeTheContact(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	src, err := r.svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatForm}})
	if err != nil {
		t.Fatal(err)
	}
	alarmas, err := r.svc.CreateInterest(bg, crm.Interest{Name: "Alarmas"})
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := r.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Lucía", Email: "lucia@example.es", Interests: []string{"alarmas"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, noted := rec.Extra["interests (unmatched)"]; noted {
		t.Errorf("a lead whose interests all match notes unmatched ones: %q", rec.Extra)
	}
	c, err := r.svc.GetContact(bg, rec.ContactID)
	if err != nil || c.UpdatedVia != src.ID || c.CreatedBy != "" || !slices.Equal(c.InterestIDs, []string{alarmas.ID}) {
		t.Errorf("the webhook's contact: made via %q by %q, interests %v (%v); want via %s, by nobody, [%s]", c.UpdatedVia, c.CreatedBy, c.InterestIDs, err, src.ID, alarmas.ID)
	}
	res, err := r.svc.ImportContacts(crm.WithActor(bg, r.ana), []crm.ImportRow{{Line: 2, Name: "Pedro", Email: "pedro@example.es", Source: "Web"}})
	if err != nil || len(res) != 1 || res[0].Outcome != crm.ImportCreated {
		t.Fatalf("import: %+v, %v", res, err)
	}
	if c, err := r.svc.GetContact(bg, res[0].ContactID); err != nil || c.UpdatedVia != "" || c.CreatedBy != r.ana.ID {
		t.Errorf("the imported contact: made via %q by %q (%v); want by %s, via none", c.UpdatedVia, c.CreatedBy, err, r.ana.ID)
	}
}
