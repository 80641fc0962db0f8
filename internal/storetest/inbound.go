package storetest

import (
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

var inboundTests = []test{
	{"RejectedEmailsListedApartNewestFirst", testRejectedEmails},
	{"EmailNoteOnNewContactWithFiles", testEmailNewContact},
	{"EmailNoteOnExistingContactAndReply", testEmailExisting},
	{"SameMessageTwiceMakesOneNote", testEmailTwice},
}

func rejectedID(r crm.LeadRecord) string { return r.ID }

// testRejectedEmails: refused e-mail is listed newest first, with its
// reason, and nothing else (lead records, accepted e-mail) is.
func testRejectedEmails(t *testing.T, st crm.Store) {
	ctx := t.Context()
	svc := seeded(t, st)
	admin := crm.User{ID: newID(), Role: crm.RoleAdmin, Active: true}
	f := fixtures(t, st)
	f.commit(crm.Batch{Leads: []crm.KeyedLead{{Key: "web", Record: newLead("")}}})
	var want []string
	for _, id := range []string{"<a@x>", "<b@x>", "<c@x>"} {
		rec, dup := must2(svc.RejectEmail(ctx, id, map[string]string{crm.RejectReason: "not a staff address", crm.RejectFrom: "x@example.com"}))(t)
		if dup {
			t.Fatalf("%s: a first rejection is a duplicate", id)
		}
		want = append([]string{rec.ID}, want...)
	}
	if _, dup := must2(svc.RejectEmail(ctx, "<a@x>", map[string]string{crm.RejectReason: "again"}))(t); !dup {
		t.Fatal("the same message rejected twice is recorded twice")
	}
	p1 := must(svc.RejectedEmails(ctx, admin, crm.ListOptions{Limit: 2}))(t)
	p2 := must(svc.RejectedEmails(ctx, admin, crm.ListOptions{Limit: 2, Cursor: p1.NextCursor}))(t)
	sameIDs(t, "rejected", append(ids(p1.Items, rejectedID), ids(p2.Items, rejectedID)...), want)
	if p2.NextCursor != "" {
		t.Fatalf("a cursor after the last page: %q", p2.NextCursor)
	}
	if r := p1.Items[0]; r.Extra[crm.RejectReason] != "not a staff address" || r.Outcome != crm.OutcomeRejected || r.Format != crm.FormatEmail {
		t.Fatalf("record %+v", r)
	}
	_, err := svc.RejectedEmails(ctx, crm.User{ID: newID(), Role: crm.RoleStaff, Active: true}, crm.ListOptions{})
	wantCode(t, err, crm.CodeForbidden)
}

// must2 is must for a use case that returns two values and an error.
func must2[A, B any](a A, b B, err error) func(t *testing.T) (A, B) {
	return func(t *testing.T) (A, B) {
		t.Helper()
		noErr(t, err)
		return a, b
	}
}

// testEmailNewContact: an e-mail about an unknown address creates the
// contact (source E-mail), its note and its files, all in one commit.
func testEmailNewContact(t *testing.T, st crm.Store) {
	ctx := t.Context()
	svc := seeded(t, st)
	marta := fixtures(t, st).user(crm.User{Name: "Marta", Email: "marta@acme.example", Active: true})
	orig := crm.File{ID: newID(), Name: "mensaje.eml", ContentType: "message/rfc822", Size: 1200}
	att := crm.File{ID: newID(), Name: "presupuesto.pdf", ContentType: "application/pdf", Size: 300}
	rec, dup := must2(svc.IntakeEmail(ctx, marta, crm.InboundEmail{MessageID: "<m1@x>", ContactEmail: "Lucia@Example.com",
		ContactName: "Lucía Fernández", Text: "Presupuesto\n\nTe lo envío.", Original: &orig, Attachments: []crm.File{att}}))(t)
	if dup || rec.Outcome != crm.OutcomeCreated || rec.ContactID == "" {
		t.Fatalf("record %+v dup %v", rec, dup)
	}
	c := must(st.GetContact(ctx, rec.ContactID))(t)
	if c.Email != "lucia@example.com" || c.Name != "Lucía Fernández" || c.SourceID != crm.EmailSourceID || c.CreatedBy != marta.ID {
		t.Fatalf("contact %+v", c)
	}
	if src := must(st.GetSource(ctx, crm.EmailSourceID))(t); src.Name != crm.EmailSourceName {
		t.Fatalf("source %+v", src)
	}
	notes := must(st.ListNotes(ctx, crm.ParentContact, c.ID, crm.ListOptions{Limit: 10}, nil))(t)
	if len(notes.Items) != 1 || notes.Items[0].CreatedBy != marta.ID || notes.Items[0].Visibility != crm.VisibilityTeam {
		t.Fatalf("notes %+v", notes.Items)
	}
	fs := must(st.ListFiles(ctx, crm.ParentContact, c.ID, crm.ListOptions{Limit: 10}))(t)
	if len(fs.Items) != 2 {
		t.Fatalf("files %+v", fs.Items)
	}
	for _, f := range fs.Items {
		if f.Status != crm.FileComplete || f.UploadedBy != marta.ID || f.ContactID != c.ID {
			t.Fatalf("file %+v", f)
		}
	}
	// A second message about the same address finds the contact; it is
	// no lead of it (the contact's leads list only the one that created it).
	rec2, _ := must2(svc.IntakeEmail(ctx, marta, crm.InboundEmail{MessageID: "<m2@x>", ContactEmail: "lucia@example.com", Text: "Otra"}))(t)
	if rec2.Outcome != crm.OutcomeNoted || rec2.ContactID != "" || rec2.EmailContact() != c.ID {
		t.Fatalf("second record %+v", rec2)
	}
	leads := must(st.ListContactLeads(ctx, c.ID, crm.ListOptions{}))(t)
	if len(leads.Items) != 1 || leads.Items[0].ID != rec.ID {
		t.Fatalf("the contact's leads %+v, want only the e-mail that created it", leads.Items)
	}
}

// testEmailExisting: a reply names its opportunity; a private note stays
// private; an inactive author is refused.
func testEmailExisting(t *testing.T, st crm.Store) {
	ctx := t.Context()
	svc := seeded(t, st)
	f := fixtures(t, st)
	marta := f.user(crm.User{Name: "Marta", Email: "marta@acme.example", Active: true})
	lucia := f.contact(crm.Contact{Name: "Lucía", Email: "lucia@example.com"})
	opp := must(svc.CreateOpportunity(ctx, marta, crm.Opportunity{ContactID: lucia.ID, Description: "Tienda online"}))(t)
	att := crm.File{ID: newID(), Name: "plano.png", ContentType: "image/png", Size: 10}
	rec, _ := must2(svc.IntakeEmail(ctx, marta, crm.InboundEmail{MessageID: "<r1@x>", ParentKind: crm.ParentOpportunity, ParentID: opp.ID,
		Text: "De acuerdo", Private: true, Attachments: []crm.File{att}}))(t)
	if rec.Outcome != crm.OutcomeNoted || rec.EmailContact() != lucia.ID || rec.OpportunityID != opp.ID {
		t.Fatalf("record %+v", rec)
	}
	notes := must(st.ListNotes(ctx, crm.ParentOpportunity, opp.ID, crm.ListOptions{Limit: 10}, nil))(t)
	if len(notes.Items) != 1 || notes.Items[0].Visibility != crm.VisibilityPrivate || notes.Items[0].ContactID != lucia.ID {
		t.Fatalf("notes %+v", notes.Items)
	}
	if fs := must(st.ListFiles(ctx, crm.ParentOpportunity, opp.ID, crm.ListOptions{}))(t); len(fs.Items) != 1 {
		t.Fatalf("files on the opportunity %+v", fs.Items)
	}
	_, _, err := svc.IntakeEmail(ctx, crm.User{ID: marta.ID}, crm.InboundEmail{MessageID: "<r2@x>", ParentKind: crm.ParentContact, ParentID: lucia.ID, Text: "x"})
	wantCode(t, err, crm.CodeForbidden)
	_, _, err = svc.IntakeEmail(ctx, marta, crm.InboundEmail{MessageID: "<r3@x>", ParentKind: crm.ParentContact, ParentID: newID(), Text: "x"})
	wantCode(t, err, crm.CodeNotFound)
}

// testEmailTwice: the same Message-ID, even at the same moment from two
// colleagues, makes one note and one contact.
func testEmailTwice(t *testing.T, st crm.Store) {
	ctx := t.Context()
	svc := seeded(t, st)
	f := fixtures(t, st)
	a := f.user(crm.User{Name: "A", Email: "a@acme.example", Active: true})
	b := f.user(crm.User{Name: "B", Email: "b@acme.example", Active: true})
	var wg sync.WaitGroup
	recs := make([]crm.LeadRecord, 4)
	errs := make([]error, 4)
	for i := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			author := a
			if i%2 == 1 {
				author = b
			}
			recs[i], _, errs[i] = svc.IntakeEmail(ctx, author, crm.InboundEmail{MessageID: "<same@x>", ContactEmail: "nuevo@example.com", Text: "Hola"})
		}()
	}
	wg.Wait()
	for i := range recs {
		noErr(t, errs[i])
		if recs[i].ID != recs[0].ID {
			t.Fatalf("two records for one message: %+v %+v", recs[0], recs[i])
		}
	}
	notes := must(st.ListNotes(ctx, crm.ParentContact, recs[0].EmailContact(), crm.ListOptions{Limit: 10}, nil))(t)
	if len(notes.Items) != 1 {
		t.Fatalf("%d notes, want 1", len(notes.Items))
	}
}
