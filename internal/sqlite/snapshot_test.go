package sqlite

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

func TestLoadKeepsEveryValueAndRebuildsWhatFollows(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	at := time.Date(2025, 3, 4, 10, 11, 12, 345_000_000, time.UTC)
	id := func() string { at = at.Add(time.Second); return crm.NewID(at) }
	in := crm.Interest{ID: id(), Name: "Hosting", CreatedAt: at, UpdatedAt: at, Version: 3}
	src := crm.Source{ID: id(), Name: "Feria", Webhook: &crm.Webhook{Kind: crm.FormatJSON, TokenHash: "abc"}, CreatedAt: at, UpdatedAt: at, Version: 2}
	st := crm.State{ID: id(), Name: "Nuevo", Default: true, Outcome: crm.OutcomeOpen, CreatedAt: at, UpdatedAt: at, Version: 1}
	empty := crm.State{ID: id(), Name: "Vacío", Outcome: crm.OutcomeOpen, CreatedAt: at, UpdatedAt: at, Version: 1}
	u := crm.User{ID: id(), Name: "Admin", Email: "admin@example.com", Role: crm.RoleAdmin, Active: true, CreatedAt: at, UpdatedAt: at, Version: 4}
	c := crm.Contact{ID: id(), Name: "Ana", Email: "ana@example.com", Mobile: "+34600111222", SourceID: src.ID,
		InterestIDs: []string{in.ID}, CreatedAt: at, UpdatedAt: at.Add(time.Hour), Version: 7}
	o := crm.Opportunity{ID: id(), Number: 12, ContactID: c.ID, Description: "Web", StateID: st.ID, Currency: "EUR",
		CreatedAt: at, UpdatedAt: at, Version: 5}
	lead := crm.KeyedLead{Key: src.ID + "#json#k", Record: crm.LeadRecord{ID: id(), SourceID: src.ID, Format: crm.FormatJSON,
		Outcome: crm.OutcomeCreated, ContactID: c.ID, ReceivedAt: at}}
	snap := crm.Snapshot{
		Contacts: []crm.Contact{c}, Opportunities: []crm.Opportunity{o}, Sources: []crm.Source{src},
		Interests: []crm.Interest{in}, States: []crm.State{st, empty}, Users: []crm.User{u},
		Tokens:   []crm.Token{{Hash: "tokenhash", UserID: u.ID, CreatedAt: at}},
		Settings: []crm.NotificationSetting{{Key: crm.NotifyNote, Enabled: true, UpdatedAt: at, Version: 2}},
		Leads:    []crm.KeyedLead{lead},
		Timeline: []crm.TimelineItem{{ContactID: c.ID, At: at, EventID: "ev1", Kind: crm.TimelineCreated, RefKind: "contact", RefID: c.ID}},
		Stats:    []crm.SourceMonth{{SourceID: src.ID, Month: "2025-03", Leads: 3, Contacts: 2}},
		Counters: map[string]int64{"opportunity": 12}, StateCounts: map[string]int64{st.ID: 1},
		Seeded: true, AdminCreated: true,
	}
	if err := s.Load(bg, snap); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetContact(bg, c.ID); err != nil || got.Version != 7 || !got.UpdatedAt.Equal(c.UpdatedAt) || got.InterestIDs[0] != in.ID {
		t.Fatalf("contact: %+v %v", got, err)
	}
	for name, f := range map[string]crm.ContactFilter{
		"e-mail": {Email: c.Email}, "phone": {Phone: c.Mobile}, "interest": {InterestID: in.ID},
		"source": {SourceID: src.ID}, "name": {Query: "an"},
	} {
		if p, err := s.ListContacts(bg, f, crm.ListOptions{Limit: 10}); err != nil || len(p.Items) != 1 {
			t.Errorf("contacts by %s: %v %v", name, p.Items, err)
		}
	}
	if err := s.CreateContact(bg, contact("Otra", c.Email)); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("the loaded e-mail is not claimed: %v", err)
	}
	if got, err := s.SourceByWebhookHash(bg, "abc"); err != nil || got.ID != src.ID {
		t.Fatalf("source by webhook: %v %v", got.ID, err)
	}
	if got, err := s.GetToken(bg, "tokenhash"); err != nil || got.UserID != u.ID {
		t.Fatalf("token by hash: %v %v", got.UserID, err)
	}
	if p, err := s.ListTokens(bg, u.ID, crm.ListOptions{Limit: 10}); err != nil || len(p.Items) != 1 {
		t.Fatalf("the user's tokens: %v %v", p.Items, err)
	}
	if p, err := s.ListOpportunities(bg, crm.OpportunityFilter{StateID: st.ID}, crm.ListOptions{Limit: 10}); err != nil || len(p.Items) != 1 {
		t.Fatalf("opportunities by state: %v %v", p.Items, err)
	}
	if counts, err := s.StateCounts(bg); err != nil || counts[st.ID] != 1 || len(counts) != 2 {
		t.Fatalf("state counts: %v %v", counts, err)
	}
	if n, err := s.PeekNumber(bg, "opportunity"); err != nil || n != 12 {
		t.Fatalf("counter: %d %v", n, err)
	}
	if ok, err := s.HasAdmin(bg); err != nil || !ok {
		t.Fatalf("admin marker: %v %v", ok, err)
	}
	if seeded, err := s.Seed(bg, crm.SeedStates(), nil); err != nil || seeded {
		t.Fatalf("a loaded store seeded again: %v %v", seeded, err)
	}
	if r, err := s.GetLeadRecord(bg, lead.Key); err != nil || r.ID != lead.Record.ID {
		t.Fatalf("lead: %+v %v", r, err)
	}
	if p, err := s.Timeline(bg, c.ID, crm.ListOptions{Limit: 10}, nil); err != nil || len(p.Items) != 1 {
		t.Fatalf("timeline: %v %v", p.Items, err)
	}
	if m, err := s.Stats(bg, "2025-01", "2025-12"); err != nil || len(m) != 1 || m[0].Leads != 3 {
		t.Fatalf("stats: %v %v", m, err)
	}
	if n := outboxRows(t, s); n != 0 {
		t.Fatalf("the load wrote %d outbox rows", n)
	}
	if err := s.Load(bg, crm.Snapshot{Interests: []crm.Interest{{ID: id(), Name: "Otro", Version: 1}}}); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("a load into a store that is not empty: %v", err)
	}
}

func TestLoadRefusesAUniqueValueTwice(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	a, b := contact("Ana", "ana@example.com"), contact("Eva", "ana@example.com")
	err := s.Load(bg, crm.Snapshot{Contacts: []crm.Contact{a, b}})
	if crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("two contacts with one e-mail loaded: %v", err)
	}
	if _, err := s.GetContact(bg, a.ID); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Fatalf("a refused load wrote something: %v", err)
	}
}

func TestSnapshotLoadRoundTrip(t *testing.T) {
	a := openAt(t, filepath.Join(t.TempDir(), "a.db"), Options{})
	svc := crm.NewService(a, crm.Config{})
	if err := svc.EnsureSeeded(bg); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	admin, _, err := svc.BootstrapAdmin(bg, "admin@example.com", "", false)
	must(err)
	_, _, err = svc.IssueToken(bg, admin.ID, "cli")
	must(err)
	in, err := svc.CreateInterest(bg, crm.Interest{Name: "Hosting"})
	must(err)
	src, err := svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatJSON, CreateOpportunity: true}})
	must(err)
	rec, _, err := svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatJSON, ExternalID: "x1", Name: "Ana", Email: "ana@example.com",
		Phone: "600111222", Interests: []string{"hosting"}, Extra: map[string]string{"k": "v"}})
	must(err)
	c, err := svc.GetContact(bg, rec.ContactID)
	must(err)
	o, err := svc.GetOpportunity(bg, rec.OpportunityID)
	must(err)
	_, err = svc.CreateQuote(bg, admin, o.ID, crm.Quote{})
	must(err)
	aviso := time.Now().Add(time.Hour)
	_, err = svc.CreateNote(bg, admin, crm.ParentContact, c.ID, crm.Note{Text: "Llamar", AvisoAt: &aviso, InterestID: in.ID})
	must(err)
	_, _, err = svc.Convert(bg, c.ID, crm.PartySupplier)
	must(err)
	_, err = a.ApplyOnce(bg, "rec#1", []crm.TimelineItem{{ContactID: c.ID, At: time.Now().UTC(), EventID: "e1", Kind: crm.TimelineLead}},
		[]crm.StatDelta{{SourceID: src.ID, Month: "2026-01", Field: "leads", Delta: 2}, {Month: "2026-01", Field: "contacts", Delta: 1}})
	must(err)

	snap, err := a.Snapshot(bg)
	must(err)
	if len(snap.Contacts) != 1 || len(snap.Parties) != 1 || len(snap.Quotes) != 1 || len(snap.Notes) != 1 || len(snap.Leads) != 1 ||
		len(snap.Tokens) != 2 || len(snap.Stats) != 2 || !snap.Seeded || !snap.AdminCreated || snap.Counters["opportunity"] != 1 {
		t.Fatalf("snapshot: %+v", snap)
	}
	b := openAt(t, filepath.Join(t.TempDir(), "b.db"), Options{})
	must(b.Load(bg, snap))
	again, err := b.Snapshot(bg)
	must(err)
	if !reflect.DeepEqual(snap, again) {
		t.Fatalf("the loaded store's snapshot differs:\n%+v\n%+v", snap, again)
	}
	if p, err := b.PendingReminders(bg, "PENDING", time.Time{}, 10); err != nil || len(p) != 1 {
		t.Fatalf("the loaded reminder is not pending: %v %v", p, err)
	}
}
