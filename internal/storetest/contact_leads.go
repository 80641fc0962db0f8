package storetest

import (
	"fmt"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// testContactLeads: a contact's lead records are listed newest first, in
// pages, every field kept; another contact's, and records of no contact,
// are not; a cursor of one contact's list is refused for another's.
func testContactLeads(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	ana, bea := f.contact(crm.Contact{Name: "Ana"}), f.contact(crm.Contact{Name: "Bea"})
	var anas, beas []crm.LeadRecord
	for i := range 5 {
		for _, c := range []struct {
			id   string
			into *[]crm.LeadRecord
		}{{ana.ID, &anas}, {bea.ID, &beas}} {
			rec := newLead(c.id)
			rec.ExternalID = fmt.Sprintf("lead-%d", i)
			f.commit(crm.Batch{Leads: []crm.KeyedLead{{Key: c.id + "#" + rec.ExternalID, Record: rec}}})
			*c.into = append(*c.into, rec)
		}
	}
	spam := newLead("")
	spam.Outcome, spam.Data, spam.OpportunityID = crm.OutcomeSpam, crm.LeadData{}, ""
	f.commit(crm.Batch{Leads: []crm.KeyedLead{{Key: "spam", Record: spam}}})

	list := func(contactID string) func(crm.ListOptions) (crm.Page[crm.LeadRecord], error) {
		return func(o crm.ListOptions) (crm.Page[crm.LeadRecord], error) {
			return st.ListContactLeads(ctx, contactID, o)
		}
	}
	leadID := func(r crm.LeadRecord) string { return r.ID }
	walk(t, "Ana's leads", leadID, newestFirst(anas, leadID), list(ana.ID))
	walk(t, "Bea's leads", leadID, newestFirst(beas, leadID), list(bea.ID))
	walk(t, "nobody's leads", leadID, nil, list(newID()))
	same(t, "Ana's newest lead", must(st.ListContactLeads(ctx, ana.ID, crm.ListOptions{Limit: 1}))(t).Items, []crm.LeadRecord{anas[4]})
	refusesCursor(t, "Ana's cursor on Bea's leads", firstCursor(t, "Ana's leads", list(ana.ID)), list(bea.ID))
	refusesCursor(t, "a timeline cursor on Ana's leads", firstCursor(t, "timeline", func(o crm.ListOptions) (crm.Page[crm.Note], error) {
		c := f.contact(crm.Contact{Name: "Carmen"})
		for range 2 {
			f.note(crm.Note{ParentKind: crm.ParentContact, ParentID: c.ID, ContactID: c.ID})
		}
		return st.ListNotes(ctx, crm.ParentContact, c.ID, o, nil)
	}), list(ana.ID))
}

// testMergedLeadKept: a lead merged into an existing contact writes only
// what the contact lacked, but its record keeps everything it posted; the
// contact's leads list both, newest first; the merge, not the admin who
// last changed the contact, is its last change (UpdatedBy "" and the
// webhook's source as UpdatedVia).
func testMergedLeadKept(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	src := hookSource(t, svc, crm.Webhook{Kind: crm.FormatForm})
	first, _, err := svc.IntakeLead(ctx, src, crm.Lead{Format: crm.FormatForm, ExternalID: "1", Name: "Ana", Email: "ana@example.com", Company: "ACME SL"})
	noErr(t, err)
	must(svc.UpdateContact(crm.WithActor(ctx, actor), first.ContactID, 0, func(c *crm.Contact) error { c.JobTitle = "Gerente"; return nil }))(t)
	second, _, err := svc.IntakeLead(ctx, src, crm.Lead{Format: crm.FormatForm, ExternalID: "2", Name: "Ana María", Email: "ANA@example.com",
		Company: "Otra Empresa SL", JobTitle: "Directora", Phone: "600 11 22 33", Message: "Llamadme por la tarde",
		Address: crm.Address{City: "Sevilla"}, Interests: []string{"Nada"}, MarketingConsent: true})
	noErr(t, err)
	if second.Outcome != crm.OutcomeMerged || second.ContactID != first.ContactID {
		t.Fatalf("second lead: %+v, want merged into %s", second, first.ContactID)
	}
	c := must(svc.GetContact(ctx, first.ContactID))(t)
	if c.Name != "Ana" || c.Company != "ACME SL" || c.JobTitle != "Gerente" || c.Address.City != "Sevilla" || !c.MarketingConsent {
		t.Fatalf("the merge overwrote or missed something: %+v", c)
	}
	if c.UpdatedBy != "" || c.UpdatedVia != src.ID {
		t.Fatalf("after a webhook's merge the contact says it was changed by %q via %q, want \"\" via %s", c.UpdatedBy, c.UpdatedVia, src.ID)
	}
	recs := must(st.ListContactLeads(ctx, c.ID, crm.ListOptions{Limit: 10}))(t).Items
	if len(recs) != 2 || recs[0].ID != second.ID || recs[1].ID != first.ID {
		t.Fatalf("the contact's leads %v, want %s then %s", recs, second.ID, first.ID)
	}
	same(t, "the merged lead's record", recs[0], second)
	want := crm.LeadData{Name: "Ana María", Email: "ana@example.com", Phone: "+34600112233", Company: "Otra Empresa SL",
		JobTitle: "Directora", Address: crm.Address{City: "Sevilla"}, Interests: []string{"Nada"}, MarketingConsent: true}
	same(t, "what the merged lead posted", recs[0].Data, want)
	if recs[0].Message != "Llamadme por la tarde" || recs[0].SourceID != src.ID || recs[0].ReceivedAt.IsZero() {
		t.Fatalf("the merged lead's record: %+v", recs[0])
	}
	// An import merges as the user running it.
	rows := []crm.ImportRow{{Line: 2, Name: "Ana", Email: "ana@example.com", TaxID: "B123"}}
	res := must(svc.ImportContacts(crm.WithActor(ctx, actor), rows))(t)
	if res[0].Outcome != crm.ImportMerged {
		t.Fatalf("import: %+v", res[0])
	}
	if c := must(svc.GetContact(ctx, first.ContactID))(t); c.UpdatedBy != actor.ID || c.UpdatedVia != "" || c.TaxID != "B123" {
		t.Fatalf("after an import's merge the contact says %q via %q (tax ID %q), want %s via nothing", c.UpdatedBy, c.UpdatedVia, c.TaxID, actor.ID)
	}
}

// testReimport: importing rows made from the contacts as they are (an
// export: their id, fields, source and interests) changes nothing: every
// row is unchanged, no version moves, no record is written; a row with
// something new still merges it.
func testReimport(t *testing.T, st crm.Store) {
	ctx, svc := crm.WithActor(t.Context(), actor), seeded(t, st)
	src := must(svc.CreateSource(ctx, crm.Source{Name: "Feria"}))(t)
	in := must(svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"}))(t)
	made := []crm.Contact{
		must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Surname: "Ruiz", Email: "ana@example.com", Phone: "600111222",
			Company: "ACME SL", JobTitle: "Gerente", TaxID: "b123", Web: "https://acme.example", Observations: "Cliente de 2024",
			Address: crm.Address{Street: "Calle Mayor 1", City: "Madrid", Country: "ES"}, SourceID: src.ID,
			InterestIDs: []string{in.ID}, MarketingConsent: true}))(t),
		must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Bea", Mobile: "611222333"}))(t),
		must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Carmen", Company: "Sin contacto SL"}))(t), // neither e-mail nor phone
		must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Dora", Phone: "+34 622 333 444"}))(t),
	}
	export := func(c crm.Contact, line int) crm.ImportRow {
		return crm.ImportRow{Line: line, ID: c.ID, Name: c.Name, Surname: c.Surname, Email: c.Email, Phone: c.Phone, Mobile: c.Mobile,
			Company: c.Company, JobTitle: c.JobTitle, TaxID: c.TaxID, Web: c.Web, Observations: c.Observations, Address: c.Address,
			Source: c.SourceID, Interests: c.InterestIDs, MarketingConsent: c.MarketingConsent}
	}
	var rows []crm.ImportRow
	for i, c := range made {
		rows = append(rows, export(must(svc.GetContact(ctx, c.ID))(t), i+2))
	}
	for range 2 {
		for i, r := range must(svc.ImportContacts(ctx, rows))(t) {
			if r.Outcome != crm.ImportUnchanged || r.ContactID != made[i].ID {
				t.Fatalf("row %d: %+v, want unchanged, contact %s", r.Line, r, made[i].ID)
			}
		}
		for _, c := range made {
			same(t, "a re-imported contact", must(svc.GetContact(ctx, c.ID))(t), c)
			if recs := must(st.ListContactLeads(ctx, c.ID, crm.ListOptions{Limit: 10}))(t).Items; len(recs) != 0 {
				t.Fatalf("re-importing %s wrote %d lead records", c.Name, len(recs))
			}
		}
	}
	if p := must(svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{Limit: 10}))(t); len(p.Items) != len(made) {
		t.Fatalf("%d contacts after re-importing %d", len(p.Items), len(made))
	}
	// Something new in a row of a contact without e-mail or phone: merged
	// into the contact its id names, not a new one.
	carmen := export(made[2], 2)
	carmen.Web, carmen.Email = "https://sincontacto.example", "carmen@example.com"
	res := must(svc.ImportContacts(ctx, []crm.ImportRow{carmen}))(t)
	if res[0].Outcome != crm.ImportMerged || res[0].ContactID != made[2].ID {
		t.Fatalf("a row with news: %+v", res[0])
	}
	if c := must(svc.GetContact(ctx, made[2].ID))(t); c.Web != "https://sincontacto.example" || c.Email != "carmen@example.com" || c.Version != 2 {
		t.Fatalf("merged by id: %+v", c)
	}
	// A row naming a contact whose e-mail is another's is refused.
	bea := export(made[1], 2)
	bea.Email = "ana@example.com"
	if res := must(svc.ImportContacts(ctx, []crm.ImportRow{bea}))(t); res[0].Outcome != crm.ImportRejected || res[0].Fields["email"] == "" {
		t.Fatalf("a row whose id and e-mail are two contacts: %+v", res[0])
	}
}
