package crm_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// A note goes on a parent that exists, and concerns its contact (the
// contact of an opportunity's note); the interest it names is linked to
// that contact.
func TestNoteConcernsItsParentsContact(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	cocinas, err := r.svc.CreateInterest(bg, crm.Interest{Name: "Cocinas"})
	if err != nil {
		t.Fatal(err)
	}
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	o, err := r.svc.CreateOpportunity(crm.WithActor(bg, r.ana), r.ana, crm.Opportunity{ContactID: c.ID, Description: "Reforma"})
	if err != nil {
		t.Fatal(err)
	}
	n, err := r.svc.CreateNote(crm.WithActor(bg, r.ana), r.ana, crm.ParentOpportunity, o.ID, crm.Note{Text: "Quiere cocina", InterestID: cocinas.ID})
	if err != nil || n.ContactID != c.ID {
		t.Fatalf("a note on the opportunity concerns contact %q (%v), want %s", n.ContactID, err, c.ID)
	}
	if got, err := r.svc.GetContact(bg, c.ID); err != nil || !slices.Contains(got.InterestIDs, cocinas.ID) {
		t.Errorf("the note's interest is not linked to its contact: %v (%v)", got.InterestIDs, err)
	}
	missing := crm.NewID(n.CreatedAt)
	if _, err := r.svc.CreateNote(crm.WithActor(bg, r.ana), r.ana, crm.ParentContact, missing, crm.Note{Text: "Nadie"}); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Errorf("a note on a contact that does not exist: %v, want not_found", err)
	}
}

// A source that assigns in turn gives its leads to its active agents one
// after the other, from the first, and starts over after the last.
func TestRoundRobinFromTheFirstAgent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	var agents []string
	for _, code := range []string{"A1", "A2", "A3"} {
		a, err := r.svc.CreateAgent(bg, crm.Agent{Code: code, Name: "Agente " + code, Email: code + "@example.es", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		agents = append(agents, a.ID)
	}
	src, err := r.svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatForm, Assignment: crm.AssignRoundRobin}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, email := range []string{"uno@example.es", "dos@example.es", "tres@example.es", "cuatro@example.es"} {
		rec, _, err := r.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Lead", Email: email})
		if err != nil {
			t.Fatal(err)
		}
		c, err := r.svc.GetContact(bg, rec.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.AgentID)
	}
	if want := []string{agents[0], agents[1], agents[2], agents[0]}; !slices.Equal(got, want) {
		t.Errorf("agents of four leads %v, want %v", got, want)
	}
}

// A note edited to name an interest links that interest to its contact.
func TestNoteEditedToNameAnInterest(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	banos, err := r.svc.CreateInterest(bg, crm.Interest{Name: "Baños"})
	if err != nil {
		t.Fatal(err)
	}
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	n, err := r.svc.CreateNote(crm.WithActor(bg, r.ana), r.ana, crm.ParentContact, c.ID, crm.Note{Text: "Llamó"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.UpdateNote(crm.WithActor(bg, r.ana), r.ana, n.ID, 0, func(x *crm.Note) error { x.InterestID = banos.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	if got, err := r.svc.GetContact(bg, c.ID); err != nil || !slices.Contains(got.InterestIDs, banos.ID) {
		t.Errorf("the interest a note was edited to name is not linked to its contact: %v (%v)", got.InterestIDs, err)
	}
}

// A note deleted with its current version (or none) is gone; one deleted
// with a stale If-Match stays, and the caller is told.
func TestNoteDeleteChecksTheVersion(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	n, err := r.svc.CreateNote(crm.WithActor(bg, r.ana), r.ana, crm.ParentContact, c.ID, crm.Note{Text: "Llamó"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteNote(crm.WithActor(bg, r.ana), r.ana, n.ID, n.Version+1); crm.ErrorCode(err) != crm.CodePreconditionFailed {
		t.Errorf("deleting with a stale If-Match: %v, want precondition_failed", err)
	}
	if _, err := r.svc.GetNote(bg, r.ana, n.ID); err != nil {
		t.Fatalf("the note is gone after a refused delete: %v", err)
	}
	if err := r.svc.DeleteNote(crm.WithActor(bg, r.ana), r.ana, n.ID, n.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.GetNote(bg, r.ana, n.ID); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Errorf("the deleted note: %v, want not_found", err)
	}
}

// A contact holds at most 20 interests: a note naming a 21st keeps the
// note and leaves the contact's 20 as they are.
func TestNoteInterestBeyondTheContactsTwenty(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	var ids []string
	for i := range 21 {
		in, err := r.svc.CreateInterest(bg, crm.Interest{Name: fmt.Sprint("Interés ", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, in.ID)
	}
	c := r.contact(t, crm.Contact{Name: "Lucía", InterestIDs: ids[:20]})
	if len(c.InterestIDs) != 20 {
		t.Fatalf("the contact holds %d interests, want 20", len(c.InterestIDs))
	}
	if _, err := r.svc.CreateNote(crm.WithActor(bg, r.ana), r.ana, crm.ParentContact, c.ID, crm.Note{Text: "Otro", InterestID: ids[20]}); err != nil {
		t.Fatal(err)
	}
	if got, err := r.svc.GetContact(bg, c.ID); err != nil || len(got.InterestIDs) != 20 || slices.Contains(got.InterestIDs, ids[20]) {
		t.Errorf("after a note naming a 21st interest the contact holds %d (%v), want its 20", len(got.InterestIDs), err)
	}
}
