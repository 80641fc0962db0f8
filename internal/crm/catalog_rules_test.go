package crm_test

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// A source that contacts use cannot be deleted (conflict, saying to
// reassign them), nor one deleted with a stale If-Match; once no contact
// uses it, it can.
func TestDeleteSourceInUse(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	src, err := r.svc.CreateSource(bg, crm.Source{Name: "Feria"})
	if err != nil {
		t.Fatal(err)
	}
	c := r.contact(t, crm.Contact{Name: "Lucía", SourceID: src.ID})
	if err := r.svc.DeleteSource(bg, src.ID, 0); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("deleting a source a contact uses: %v, want conflict", err)
	}
	if _, err := r.svc.UpdateContact(crm.WithActor(bg, r.ana), c.ID, 0, func(x *crm.Contact) error { x.SourceID = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeleteSource(bg, src.ID, src.Version+1); crm.ErrorCode(err) != crm.CodePreconditionFailed {
		t.Errorf("deleting with a stale If-Match: %v, want precondition_failed", err)
	}
	if err := r.svc.DeleteSource(bg, src.ID, src.Version); err != nil {
		t.Fatalf("deleting a source no contact uses: %v", err)
	}
	if _, err := r.svc.GetSource(bg, src.ID); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Errorf("the deleted source is still there: %v", err)
	}
}

// A webhook's URL token is issued when the webhook is created and when
// asked to rotate, not on any other edit of its source: the URL a form
// posts to keeps working.
func TestWebhookTokenIsKeptUntilRotated(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	src, err := r.svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatForm}})
	if err != nil {
		t.Fatal(err)
	}
	if src.Webhook.Token == "" || src.Webhook.TokenHash != crm.HashToken(src.Webhook.Token) {
		t.Fatalf("a new webhook's token %q (hash %q)", src.Webhook.Token, src.Webhook.TokenHash)
	}
	first := src.Webhook.TokenHash
	update := func(change func(*crm.Source)) crm.Source {
		t.Helper()
		out, err := r.svc.UpdateSource(bg, src.ID, 0, func(s *crm.Source) error { change(s); return nil })
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	renamed := update(func(s *crm.Source) { s.Name = "Formulario web"; s.Webhook.Honeypot = "trampa" })
	if renamed.Webhook.TokenHash != first || renamed.Webhook.Token != "" {
		t.Errorf("an edit issued a new token: hash %q (was %q), token %q", renamed.Webhook.TokenHash, first, renamed.Webhook.Token)
	}
	rotated := update(func(s *crm.Source) { s.Webhook.RotateToken = true })
	if rotated.Webhook.Token == "" || rotated.Webhook.TokenHash == first || rotated.Webhook.TokenHash != crm.HashToken(rotated.Webhook.Token) {
		t.Errorf("rotation: token %q, hash %q (was %q)", rotated.Webhook.Token, rotated.Webhook.TokenHash, first)
	}
}

// An import row that names a contact by its id (a row of an export)
// merges into that contact, even with no e-mail or phone to match by.
func TestImportRowNamedByID(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.contact(t, crm.Contact{Name: "Sin", Surname: "Datos"})
	res, err := r.svc.ImportContacts(bg, []crm.ImportRow{{Line: 2, ID: c.ID, Name: "Sin", Surname: "Datos", Company: "Cocinas SL"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Outcome != crm.ImportMerged || res[0].ContactID != c.ID {
		t.Fatalf("the row naming %s: %+v, want merged into it", c.ID, res)
	}
	got, err := r.svc.GetContact(bg, c.ID)
	if err != nil || got.Company != "Cocinas SL" {
		t.Errorf("the named contact's company: %q, %v", got.Company, err)
	}
}
