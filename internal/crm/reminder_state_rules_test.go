package crm_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// A reminder sent marks its note sent and moves its version (an edit made
// on the copy from before is refused); a note changed or deleted
// meanwhile is not marked, and that is no error (the reminder went out:
// the change core must not send it again).
func TestMarkNotified(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	note := func(text string) crm.Note {
		t.Helper()
		n, err := r.svc.CreateNote(crm.WithActor(bg, r.ana), r.ana, crm.ParentContact, c.ID, crm.Note{Text: text, AvisoAt: &at})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	n := note("Llamar")
	if err := r.svc.MarkNotified(bg, n, at); err != nil {
		t.Fatal(err)
	}
	got, err := r.svc.GetNote(bg, r.ana, n.ID)
	if err != nil || got.NotifiedAt == nil || !got.NotifiedAt.Equal(at) || got.Version != n.Version+1 {
		t.Fatalf("a note marked sent: notified %v, version %d (%v); want %s, version %d", got.NotifiedAt, got.Version, err, at, n.Version+1)
	}
	if _, err := r.svc.UpdateNote(crm.WithActor(bg, r.ana), r.ana, n.ID, n.Version, func(x *crm.Note) error { x.Text = "Otra"; return nil }); crm.ErrorCode(err) != crm.CodePreconditionFailed {
		t.Errorf("an edit on the copy from before the reminder: %v, want precondition_failed", err)
	}

	stale := note("Cambiada")
	if _, err := r.svc.UpdateNote(crm.WithActor(bg, r.ana), r.ana, stale.ID, 0, func(x *crm.Note) error { x.Text = "Cambiada otra vez"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.MarkNotified(bg, stale, at); err != nil {
		t.Errorf("marking a note changed meanwhile: %v, want no error", err)
	}
	if got, err := r.svc.GetNote(bg, r.ana, stale.ID); err != nil || got.NotifiedAt != nil || got.Text != "Cambiada otra vez" {
		t.Errorf("the changed note after marking: %+v (%v); want its change kept, not marked", got, err)
	}
	gone := note("Borrada")
	if err := r.svc.DeleteNote(crm.WithActor(bg, r.ana), r.ana, gone.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.MarkNotified(bg, gone, at); err != nil {
		t.Errorf("marking a deleted note: %v, want no error", err)
	}
}

// An opportunity moves into any state of the pipeline, the first one too.
func TestOpportunityMovesIntoTheFirstState(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	states, err := r.svc.ListStates(bg)
	if err != nil || len(states) < 2 {
		t.Fatalf("states %v, %v", states, err)
	}
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	ctx := crm.WithActor(bg, r.ana)
	o, err := r.svc.CreateOpportunity(ctx, r.ana, crm.Opportunity{ContactID: c.ID, Description: "Reforma", StateID: states[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	moved, err := r.svc.UpdateOpportunity(ctx, o.ID, 0, func(x *crm.Opportunity) error { x.StateID = states[0].ID; return nil })
	if err != nil || moved.StateID != states[0].ID {
		t.Errorf("moving into the first state, %s: %s, %v", states[0].Name, moved.StateID, err)
	}
}

// An opportunity opened lost may say why; one opened in another state may
// not (invalid lostReason).
func TestOpportunityOpenedWithALostReason(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	states, err := r.svc.ListStates(bg)
	if err != nil {
		t.Fatal(err)
	}
	var lost, open crm.State
	for _, s := range states {
		switch {
		case s.Outcome == crm.OutcomeLost && lost.ID == "":
			lost = s
		case s.Outcome == crm.OutcomeOpen && open.ID == "":
			open = s
		}
	}
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	ctx := crm.WithActor(bg, r.ana)
	o, err := r.svc.CreateOpportunity(ctx, r.ana, crm.Opportunity{ContactID: c.ID, Description: "Perdida", StateID: lost.ID, LostReason: "Precio"})
	if err != nil || o.LostReason != "Precio" {
		t.Errorf("opened lost with a reason: %q, %v", o.LostReason, err)
	}
	_, err = r.svc.CreateOpportunity(ctx, r.ana, crm.Opportunity{ContactID: c.ID, Description: "Abierta", StateID: open.ID, LostReason: "Precio"})
	if e, ok := errors.AsType[*crm.Error](err); !ok || e.Code != crm.CodeInvalid || e.Fields["lostReason"] == "" {
		t.Errorf("opened %s with a lost reason: %v, want invalid lostReason", open.Name, err)
	}
}

// An opportunity edited to name an interest, or moved to another contact
// with its interest, links the interest to its contact.
func TestOpportunityInterestFollowsItsContact(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	cocinas, err := r.svc.CreateInterest(bg, crm.Interest{Name: "Cocinas"})
	if err != nil {
		t.Fatal(err)
	}
	lucia, pedro := r.contact(t, crm.Contact{Name: "Lucía"}), r.contact(t, crm.Contact{Name: "Pedro"})
	ctx := crm.WithActor(bg, r.ana)
	o, err := r.svc.CreateOpportunity(ctx, r.ana, crm.Opportunity{ContactID: lucia.ID, Description: "Reforma"})
	if err != nil {
		t.Fatal(err)
	}
	has := func(c crm.Contact) bool {
		t.Helper()
		got, err := r.svc.GetContact(bg, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(got.InterestIDs, cocinas.ID)
	}
	update := func(change func(*crm.Opportunity)) {
		t.Helper()
		if _, err := r.svc.UpdateOpportunity(ctx, o.ID, 0, func(x *crm.Opportunity) error { change(x); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	update(func(x *crm.Opportunity) { x.InterestID = cocinas.ID })
	if !has(lucia) {
		t.Error("the interest an opportunity was edited to name is not linked to its contact")
	}
	update(func(x *crm.Opportunity) { x.ContactID = pedro.ID })
	if !has(pedro) {
		t.Error("the interest of an opportunity moved to another contact is not linked to that contact")
	}
}

// A bulk move takes 1 to 99 opportunities (one transaction): 99 are
// looked up, 100 are refused before anything is read.
func TestBulkMoveTakesUpTo99(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	states, err := r.svc.ListStates(bg)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = crm.NewID(time.Now())
	}
	_, err = r.svc.BulkMove(bg, ids[:99], states[0].ID)
	if e, ok := errors.AsType[*crm.Error](err); !ok || e.Fields["ids"] != "" || e.Fields["ids[0]"] != "no opportunity has this ID" {
		t.Errorf("99 unknown opportunities: %v, want each named unknown", err)
	}
	_, err = r.svc.BulkMove(bg, ids, states[0].ID)
	if e, ok := errors.AsType[*crm.Error](err); !ok || e.Fields["ids"] == "" {
		t.Errorf("100 opportunities: %v, want invalid ids", err)
	}
}

// An opportunity moved in bulk moves its version: an edit made on the copy
// from before the move is refused.
func TestBulkMoveMovesTheVersion(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	states, err := r.svc.ListStates(bg)
	if err != nil || len(states) < 2 {
		t.Fatalf("states %v, %v", states, err)
	}
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	ctx := crm.WithActor(bg, r.ana)
	o, err := r.svc.CreateOpportunity(ctx, r.ana, crm.Opportunity{ContactID: c.ID, Description: "Reforma", StateID: states[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.svc.BulkMove(ctx, []string{o.ID}, states[1].ID); err != nil || n != 1 {
		t.Fatalf("bulk move: %d, %v", n, err)
	}
	got, err := r.svc.GetOpportunity(bg, o.ID)
	if err != nil || got.StateID != states[1].ID || got.Version != o.Version+1 {
		t.Errorf("after the move: state %s, version %d (%v); want %s, %d", got.StateID, got.Version, err, states[1].ID, o.Version+1)
	}
	if _, err := r.svc.UpdateOpportunity(ctx, o.ID, o.Version, func(x *crm.Opportunity) error { x.Description = "Otra"; return nil }); crm.ErrorCode(err) != crm.CodePreconditionFailed {
		t.Errorf("an edit on the copy from before the move: %v, want precondition_failed", err)
	}
}
