package crm_test

import (
	"errors"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// A quote created without lines starts with one: the opportunity's
// interest by name (else its description) at its approximate amount.
// An opportunity holds at most 50 quotes: the 51st is a conflict.
func TestQuotePrefillAndLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	cocinas, err := r.svc.CreateInterest(bg, crm.Interest{Name: "Cocinas"})
	if err != nil {
		t.Fatal(err)
	}
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	ctx := crm.WithActor(bg, r.ana)
	o, err := r.svc.CreateOpportunity(ctx, r.ana, crm.Opportunity{ContactID: c.ID, Description: "Reforma", InterestID: cocinas.ID, ApproxAmountCents: 120000})
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.svc.CreateQuote(ctx, r.ana, o.ID, crm.Quote{})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Lines) != 1 || q.Lines[0].Description != "Cocinas" || q.Lines[0].UnitPriceCents != 120000 {
		t.Errorf("the prefilled lines %+v, want one of Cocinas at 120000", q.Lines)
	}
	for i := 2; i <= 50; i++ {
		if _, err := r.svc.CreateQuote(ctx, r.ana, o.ID, crm.Quote{}); err != nil {
			t.Fatalf("quote %d: %v", i, err)
		}
	}
	if _, err := r.svc.CreateQuote(ctx, r.ana, o.ID, crm.Quote{}); crm.ErrorCode(err) != crm.CodeConflict {
		t.Errorf("a 51st quote: %v, want conflict", err)
	}
}

// Converting a contact into a client moves the contact's version: an edit
// made on the copy from before is refused.
func TestConvertMovesTheContactsVersion(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.contact(t, crm.Contact{Name: "Lucía", Email: "lucia@example.es"})
	if _, created, err := r.svc.Convert(crm.WithActor(bg, r.ana), c.ID, crm.PartyClient); err != nil || !created {
		t.Fatalf("convert: %v %v", created, err)
	}
	got, err := r.svc.GetContact(bg, c.ID)
	if err != nil || got.Version != c.Version+1 || got.ClientID == "" {
		t.Errorf("after converting: version %d, client %q (%v); want version %d and a client", got.Version, got.ClientID, err, c.Version+1)
	}
	if _, err := r.svc.UpdateContact(crm.WithActor(bg, r.ana), c.ID, c.Version, func(x *crm.Contact) error { x.Company = "Otra"; return nil }); crm.ErrorCode(err) != crm.CodePreconditionFailed {
		t.Errorf("an edit on the copy from before the conversion: %v, want precondition_failed", err)
	}
}

// A quote is read back by its ID as it was created; a malformed ID is
// invalid.
func TestGetQuote(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	o, q := r.draftQuote(t)
	got, err := r.svc.GetQuote(bg, q.ID)
	if err != nil || got.ID != q.ID || got.Number != q.Number || got.TotalCents != q.TotalCents || got.OpportunityID != o.ID {
		t.Errorf("GetQuote: %+v, %v; want %+v", got, err, q)
	}
	if _, err := r.svc.GetQuote(bg, "no es un id"); crm.ErrorCode(err) != crm.CodeInvalid {
		t.Errorf("a malformed ID: %v, want invalid", err)
	}
}

// Accepting a quote whose write loses a race reads again and tries again,
// up to 20 more times, then gives the race's error.
func TestAcceptQuoteRetriesALostRace(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	_, q := r.draftQuote(t)
	ctx := crm.WithActor(bg, r.ana)
	st := &racingStore{Store: r.st, fails: -1}
	svc := crm.NewService(st, crm.Config{})
	if _, _, err := svc.AcceptQuote(ctx, r.ana, q.ID); !errors.Is(err, crm.ErrConcurrentWrite) || st.commits != 21 {
		t.Errorf("always losing: %v after %d commits; want the race after 21", err, st.commits)
	}
	st.fails, st.commits = 2, 0
	got, accepted, err := svc.AcceptQuote(ctx, r.ana, q.ID)
	if err != nil || !accepted || got.Status != crm.QuoteAccepted || st.commits != 3 {
		t.Errorf("after two lost races: %s, accepted %v, %v, %d commits; want accepted at the third", got.Status, accepted, err, st.commits)
	}
}

// draftQuote is a new quote, as Ana makes it, on a new opportunity of
// 50.00 of a new contact.
func (r *rig) draftQuote(t *testing.T) (crm.Opportunity, crm.Quote) {
	t.Helper()
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	ctx := crm.WithActor(bg, r.ana)
	o, err := r.svc.CreateOpportunity(ctx, r.ana, crm.Opportunity{ContactID: c.ID, Description: "Reforma", ApproxAmountCents: 5000})
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.svc.CreateQuote(ctx, r.ana, o.ID, crm.Quote{})
	if err != nil {
		t.Fatal(err)
	}
	return o, q
}
