package crm_test

// The use cases' own rules, through crm.Service on a real store (a SQLite
// file per test, internal/sqlite): who may change what, how a lead becomes
// or enriches a contact, how an opportunity moves through the pipeline and
// a quote closes it.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/sqlite"
)

var bg = context.Background()

// rig is a service over a fresh database, its states seeded, with an
// admin and two staff users.
type rig struct {
	svc              *crm.Service
	st               crm.Store
	admin, ana, beto crm.User
	states           map[string]crm.State // by name
}

func newRig(t *testing.T) *rig {
	t.Helper()
	st, err := sqlite.Open(bg, filepath.Join(t.TempDir(), "embudo.db"), sqlite.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := crm.NewService(st, crm.Config{})
	if err := svc.EnsureSeeded(bg); err != nil {
		t.Fatal(err)
	}
	r := &rig{svc: svc, st: st, states: map[string]crm.State{}}
	r.admin = r.user(t, "Admin", "admin@example.es", crm.RoleAdmin)
	r.ana = r.user(t, "Ana", "ana@example.es", crm.RoleStaff)
	r.beto = r.user(t, "Beto", "beto@example.es", crm.RoleStaff)
	states, err := svc.ListStates(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		r.states[s.Name] = s
	}
	return r
}

func (r *rig) user(t *testing.T, name, email string, role crm.Role) crm.User {
	t.Helper()
	u, err := r.svc.CreateUser(bg, crm.User{Name: name, Email: email, Role: role, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (r *rig) contact(t *testing.T, c crm.Contact) crm.Contact {
	t.Helper()
	c, err := r.svc.CreateContact(bg, r.ana, c)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Notes: a private note is its author's alone (to others it does not
// exist); a team note may be changed or deleted by its author or an admin
// only; a new aviso re-arms the reminder.
func TestNotePermissions(t *testing.T) {
	r := newRig(t)
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	aviso := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	team, err := r.svc.CreateNote(bg, r.ana, crm.ParentContact, c.ID, crm.Note{Text: "Llamar", AvisoAt: &aviso})
	if err != nil {
		t.Fatal(err)
	}
	private, err := r.svc.CreateNote(bg, r.ana, crm.ParentContact, c.ID, crm.Note{Text: "Mío", Visibility: crm.VisibilityPrivate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.GetNote(bg, r.beto, private.ID); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Errorf("another user's private note: %v, want not_found", err)
	}
	if _, err := r.svc.GetNote(bg, r.admin, private.ID); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Errorf("an admin reads another's private note: %v", err)
	}
	if n, err := r.svc.GetNote(bg, r.ana, private.ID); err != nil || n.Text != "Mío" {
		t.Errorf("the author's own private note: %+v %v", n, err)
	}
	for _, who := range []crm.User{r.ana, r.beto, r.admin} {
		p, err := r.svc.ListNotes(bg, who, crm.ParentContact, c.ID, crm.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, n := range p.Items {
			ids = append(ids, n.ID)
		}
		if want := who.ID == r.ana.ID; slices.Contains(ids, private.ID) != want || !slices.Contains(ids, team.ID) {
			t.Errorf("%s lists %v", who.Name, ids)
		}
	}
	edit := func(n *crm.Note) error { n.Text = "Llamar el lunes"; return nil }
	if _, err := r.svc.UpdateNote(bg, r.beto, team.ID, 0, edit); crm.ErrorCode(err) != crm.CodeForbidden {
		t.Errorf("another staff member changes a team note: %v", err)
	}
	if err := r.svc.DeleteNote(bg, r.beto, team.ID, 0); crm.ErrorCode(err) != crm.CodeForbidden {
		t.Errorf("another staff member deletes a team note: %v", err)
	}
	if n, err := r.svc.UpdateNote(bg, r.admin, team.ID, 0, edit); err != nil || n.Text != "Llamar el lunes" || n.UpdatedBy != r.admin.ID || n.CreatedBy != r.ana.ID || n.Version != 2 {
		t.Errorf("an admin changes a team note: %+v %v", n, err)
	}
	if _, err := r.svc.UpdateNote(bg, r.ana, team.ID, 1, edit); crm.ErrorCode(err) != crm.CodePreconditionFailed {
		t.Errorf("a stale version: %v", err)
	}
	// The reminder went out; moving the aviso re-arms it, changing the text does not.
	team, _ = r.svc.GetNote(bg, r.ana, team.ID)
	if err := r.svc.MarkNotified(bg, team, time.Now()); err != nil {
		t.Fatal(err)
	}
	n, err := r.svc.UpdateNote(bg, r.ana, team.ID, 0, func(n *crm.Note) error { n.Text = "Otra vez"; return nil })
	if err != nil || n.NotifiedAt == nil {
		t.Errorf("a new text keeps notifiedAt: %+v %v", n, err)
	}
	later := aviso.Add(time.Hour)
	n, err = r.svc.UpdateNote(bg, r.ana, team.ID, 0, func(n *crm.Note) error { n.AvisoAt = &later; return nil })
	if err != nil || n.NotifiedAt != nil || !n.AvisoAt.Equal(later) {
		t.Errorf("a new aviso re-arms the reminder: %+v %v", n, err)
	}
	if err := r.svc.DeleteNote(bg, r.ana, team.ID, 0); err != nil {
		t.Errorf("the author deletes: %v", err)
	}
	if err := r.svc.DeleteNote(bg, r.admin, private.ID, 0); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Errorf("an admin deletes another's private note: %v", err)
	}
}

// Reminders: one's own pending avisos and the team's remind-everyone ones,
// soonest first.
func TestReminders(t *testing.T) {
	r := newRig(t)
	c := r.contact(t, crm.Contact{Name: "Lucía"})
	at := func(h int) *time.Time {
		t := time.Now().Add(time.Duration(h) * time.Hour).UTC().Truncate(time.Second)
		return &t
	}
	mine, _ := r.svc.CreateNote(bg, r.ana, crm.ParentContact, c.ID, crm.Note{Text: "a", AvisoAt: at(3)})
	all, _ := r.svc.CreateNote(bg, r.beto, crm.ParentContact, c.ID, crm.Note{Text: "b", AvisoAt: at(1), RemindAll: true})
	r.svc.CreateNote(bg, r.beto, crm.ParentContact, c.ID, crm.Note{Text: "c", AvisoAt: at(2)})
	got, err := r.svc.Reminders(bg, r.ana)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range got {
		ids = append(ids, n.ID)
	}
	if !slices.Equal(ids, []string{all.ID, mine.ID}) {
		t.Errorf("Ana's reminders %v, want [%s %s]", ids, all.ID, mine.ID)
	}
}

// A user cannot take away their own admin role or deactivate themselves.
func TestUsersKeepTheirWayIn(t *testing.T) {
	r := newRig(t)
	if _, err := r.svc.DeactivateUser(bg, r.admin, r.admin.ID, 0); crm.ErrorCode(err) != crm.CodeConflict {
		t.Errorf("deactivating yourself: %v", err)
	}
	if _, err := r.svc.UpdateUser(bg, r.admin, r.admin.ID, 0, func(u *crm.User) error { u.Role = crm.RoleStaff; return nil }); crm.ErrorCode(err) != crm.CodeConflict {
		t.Errorf("demoting yourself: %v", err)
	}
	u, err := r.svc.DeactivateUser(bg, r.admin, r.beto.ID, 0)
	if err != nil || u.Active || u.Version != 2 {
		t.Fatalf("deactivating another: %+v %v", u, err)
	}
	secret, _, err := r.svc.IssueToken(bg, r.ana.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := r.svc.Authenticate(bg, secret); err != nil || u.ID != r.ana.ID {
		t.Errorf("Authenticate: %+v %v", u, err)
	}
	if _, err := r.svc.Authenticate(bg, secret+"x"); crm.ErrorCode(err) != crm.CodeUnauthorized {
		t.Errorf("a wrong token: %v", err)
	}
	if _, _, err := r.svc.BootstrapAdmin(bg, "otra@example.es", "", false); crm.ErrorCode(err) != crm.CodeConflict {
		t.Errorf("a second first admin: %v", err)
	}
}

// The pipeline through the use cases: a new opportunity in the default
// state with its contact's agent; closing sets closedAt; a closed one's
// fields are locked; a lost reason only in a lost state; a bulk move is
// all or nothing; the tabs count.
func TestOpportunityPipeline(t *testing.T) {
	r := newRig(t)
	agent, err := r.svc.CreateAgent(bg, crm.Agent{Code: "ANA", Name: "Ana", Email: "ana@example.es", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	c := r.contact(t, crm.Contact{Name: "Lucía", AgentID: agent.ID})
	o, err := r.svc.CreateOpportunity(bg, r.ana, crm.Opportunity{ContactID: c.ID, Description: "Web"})
	if err != nil {
		t.Fatal(err)
	}
	if o.StateID != r.states["Nuevo"].ID || o.AgentID != agent.ID || o.ClosedAt != nil || o.Number < 1 {
		t.Fatalf("new opportunity %+v", o)
	}
	o2, _ := r.svc.CreateOpportunity(bg, r.ana, crm.Opportunity{ContactID: c.ID, Description: "App"})
	if o2.Number != o.Number+1 {
		t.Errorf("numbers %d then %d", o.Number, o2.Number)
	}
	move := func(id, state string, f func(*crm.Opportunity)) (crm.Opportunity, error) {
		return r.svc.UpdateOpportunity(bg, id, 0, func(o *crm.Opportunity) error {
			o.StateID = r.states[state].ID
			if f != nil {
				f(o)
			}
			return nil
		})
	}
	if _, err := move(o.ID, "Nuevo", func(o *crm.Opportunity) { o.LostReason = "caro" }); crm.ErrorCode(err) != crm.CodeInvalid {
		t.Errorf("a lost reason while open: %v", err)
	}
	lost, err := move(o.ID, "Perdido", func(o *crm.Opportunity) { o.LostReason = "caro" })
	if err != nil || lost.ClosedAt == nil || lost.LostReason != "caro" || lost.Outcome != crm.OutcomeLost {
		t.Fatalf("lost: %+v %v", lost, err)
	}
	if _, err := move(o.ID, "Perdido", func(o *crm.Opportunity) { o.Description = "Otra" }); crm.ErrorCode(err) != crm.CodeConflict {
		t.Errorf("a closed opportunity's description: %v", err)
	}
	reopened, err := move(o.ID, "En negociación", func(o *crm.Opportunity) { o.Description = "Otra" })
	if err != nil || reopened.ClosedAt != nil || reopened.LostReason != "" || reopened.Description != "Otra" {
		t.Errorf("reopened: %+v %v", reopened, err)
	}
	if _, err := r.svc.UpdateOpportunity(bg, o.ID, 0, func(o *crm.Opportunity) error { o.StateID = crm.NewID(time.Now()); return nil }); crm.ErrorCode(err) != crm.CodeInvalid {
		t.Errorf("an unknown state: %v", err)
	}
	// Bulk move: all or nothing, naming each bad ID.
	_, err = r.svc.BulkMove(bg, []string{o.ID, "x", o.ID, crm.NewID(time.Now())}, r.states["Presupuestado"].ID)
	var e *crm.Error
	if !errors.As(err, &e) || e.Code != crm.CodeInvalid || e.Fields["ids[1]"] == "" || e.Fields["ids[2]"] == "" || len(e.Fields) != 2 {
		t.Fatalf("bad IDs: %v", err)
	}
	_, err = r.svc.BulkMove(bg, []string{o.ID, crm.NewID(time.Now())}, r.states["Presupuestado"].ID)
	if !errors.As(err, &e) || e.Fields["ids[1]"] == "" || len(e.Fields) != 1 {
		t.Fatalf("an unknown opportunity: %v", err)
	}
	if n, err := r.svc.BulkMove(bg, []string{o.ID, o2.ID}, r.states["Presupuestado"].ID); err != nil || n != 2 {
		t.Fatalf("bulk move: %d %v", n, err)
	}
	if n, err := r.svc.BulkMove(bg, []string{o.ID, o2.ID}, r.states["Presupuestado"].ID); err != nil || n != 0 {
		t.Errorf("moving them again moves none: %d %v", n, err)
	}
	if _, err := r.svc.BulkMove(bg, nil, r.states["Presupuestado"].ID); crm.ErrorCode(err) != crm.CodeInvalid {
		t.Errorf("no IDs: %v", err)
	}
	// A bulk move into a lost state may give the lost reason; into another
	// state it is refused, and nothing moves.
	if _, err := r.svc.MoveOpportunities(bg, []string{o.ID}, r.states["Ganado"].ID, "caro"); crm.ErrorCode(err) != crm.CodeInvalid {
		t.Errorf("a lost reason moving to a won state: %v", err)
	}
	if n, err := r.svc.MoveOpportunities(bg, []string{o.ID}, r.states["Perdido"].ID, "  caro  "); err != nil || n != 1 {
		t.Fatalf("a lost move with a reason: %d %v", n, err)
	}
	if got, err := r.svc.GetOpportunity(bg, o.ID); err != nil || got.LostReason != "caro" || got.ClosedAt == nil {
		t.Fatalf("moved to lost with a reason: %+v %v", got, err)
	}
	if n, err := r.svc.BulkMove(bg, []string{o.ID}, r.states["Presupuestado"].ID); err != nil || n != 1 {
		t.Fatalf("moving it back: %d %v", n, err)
	}
	tabs, err := r.svc.Tabs(bg)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, tab := range tabs {
		counts[tab.State.Name] = tab.Count
	}
	if counts["Presupuestado"] != 2 || counts["Nuevo"] != 0 || counts["Perdido"] != 0 {
		t.Errorf("tabs %v", counts)
	}
}

// Quotes: numbered per year; accepting one wins its opportunity (closedAt,
// amount) and makes its contact a client, once.
func TestQuoteAcceptance(t *testing.T) {
	r := newRig(t)
	c := r.contact(t, crm.Contact{Name: "Lucía", Company: "Cerámicas"})
	o, err := r.svc.CreateOpportunity(bg, r.ana, crm.Opportunity{ContactID: c.ID, Description: "Web", ApproxAmountCents: 50000})
	if err != nil {
		t.Fatal(err)
	}
	q1, err := r.svc.CreateQuote(bg, r.ana, o.ID, crm.Quote{})
	if err != nil {
		t.Fatal(err)
	}
	if len(q1.Lines) != 1 || q1.Lines[0].UnitPriceCents != 50000 || q1.SubtotalCents != 50000 || q1.TaxCents != 10500 {
		t.Errorf("a quote pre-filled from the opportunity: %+v", q1)
	}
	line := crm.QuoteLine{Description: "Web", QuantityMilli: 1000, UnitPriceCents: 80000, TaxBP: 2100}
	q2, err := r.svc.CreateQuote(bg, r.ana, o.ID, crm.Quote{Lines: []crm.QuoteLine{line}})
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().In(r.svc.TimeZone()).Year()
	if q1.Number != fmt.Sprintf("%d-0001", year) || q2.Number != fmt.Sprintf("%d-0002", year) {
		t.Errorf("numbers %s, %s", q1.Number, q2.Number)
	}
	if got, _ := r.svc.GetOpportunity(bg, o.ID); got.AmountCents != 80000 {
		t.Errorf("amount %d, want the latest quote's", got.AmountCents)
	}
	if _, err := r.svc.CreateQuote(bg, r.ana, o.ID, crm.Quote{Status: crm.QuoteAccepted, Lines: []crm.QuoteLine{line}}); crm.ErrorCode(err) != crm.CodeInvalid {
		t.Errorf("a quote created accepted: %v", err)
	}
	acc, changed, err := r.svc.AcceptQuote(bg, r.ana, q1.ID)
	if err != nil || !changed || acc.Status != crm.QuoteAccepted {
		t.Fatalf("accept: %+v %v %v", acc, changed, err)
	}
	won, _ := r.svc.GetOpportunity(bg, o.ID)
	if won.StateID != r.states["Ganado"].ID || won.ClosedAt == nil || won.AmountCents != 50000 || won.Outcome != crm.OutcomeWon {
		t.Errorf("the won opportunity %+v", won)
	}
	client, _ := r.svc.GetContact(bg, c.ID)
	if client.ClientID == "" {
		t.Errorf("the contact is no client: %+v", client)
	}
	if _, changed, err := r.svc.AcceptQuote(bg, r.ana, q1.ID); err != nil || changed {
		t.Errorf("accepting again: %v %v", changed, err)
	}
	// An opportunity accepts one quote.
	if _, _, err := r.svc.AcceptQuote(bg, r.ana, q2.ID); crm.ErrorCode(err) != crm.CodeConflict {
		t.Errorf("a second quote accepted: %v", err)
	}
	if q, err := r.svc.GetQuote(bg, q2.ID); err != nil || q.Status != q2.Status {
		t.Errorf("the second quote after its refusal: %+v %v (status %q before)", q, err, q2.Status)
	}
}

// Lead intake: a lead becomes a contact, or enriches the contact that
// holds its e-mail or phone; a delivery seen before is not stored twice;
// test and spam deliveries make no contact; agents are assigned as the
// source says.
func TestLeadIntake(t *testing.T) {
	r := newRig(t)
	a1, _ := r.svc.CreateAgent(bg, crm.Agent{Code: "A1", Name: "Uno", Email: "uno@example.es", Active: true})
	a2, _ := r.svc.CreateAgent(bg, crm.Agent{Code: "A2", Name: "Dos", Email: "dos@example.es", Active: true})
	r.svc.CreateAgent(bg, crm.Agent{Code: "A3", Name: "Tres", Email: "tres@example.es"}) // inactive: never assigned
	alarmas, _ := r.svc.CreateInterest(bg, crm.Interest{Name: "Alarmas"})
	src, err := r.svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Assignment: crm.AssignRoundRobin, CreateOpportunity: true}})
	if err != nil {
		t.Fatal(err)
	}

	rec, dup, err := r.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, ExternalID: "d1", Name: "Lucía", Email: "LUCIA@example.es",
		Interests: []string{"alarmas", "drones"}, Message: "Hola"})
	if err != nil || dup || rec.Outcome != crm.OutcomeCreated || rec.OpportunityID == "" || rec.Extra["interests (unmatched)"] != "drones" {
		t.Fatalf("a new lead: %+v %v %v", rec, dup, err)
	}
	lucia, _ := r.svc.GetContact(bg, rec.ContactID)
	if lucia.Email != "lucia@example.es" || lucia.SourceID != src.ID || lucia.AgentID != a1.ID || !slices.Equal(lucia.InterestIDs, []string{alarmas.ID}) || lucia.Observations != "Hola" {
		t.Errorf("the new contact %+v", lucia)
	}
	opp, _ := r.svc.GetOpportunity(bg, rec.OpportunityID)
	if opp.StateID != r.states["Nuevo"].ID || opp.AgentID != a1.ID || opp.InterestID != alarmas.ID || opp.Description != "Lead: Web: Hola" {
		t.Errorf("the lead's opportunity %+v", opp)
	}

	// The same delivery again: the first outcome, nothing new.
	again, dup, err := r.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, ExternalID: "d1", Name: "Lucía", Email: "lucia@example.es"})
	if err != nil || !dup || again.ID != rec.ID {
		t.Errorf("a delivery seen before: %+v %v %v", again, dup, err)
	}

	// Another lead with her e-mail and a phone: merged, the phone claimed,
	// nothing overwritten; the next agent in turn is not taken by a merge
	// (the contact keeps hers).
	merged, _, err := r.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, ExternalID: "d2", Name: "Lucía F.", Email: "lucia@example.es",
		Phone: "600 12 34 56", Company: "Cerámicas"})
	if err != nil || merged.Outcome != crm.OutcomeMerged || merged.ContactID != lucia.ID {
		t.Fatalf("a lead with a known e-mail: %+v %v", merged, err)
	}
	lucia, _ = r.svc.GetContact(bg, lucia.ID)
	if lucia.Name != "Lucía" || lucia.Phone != "+34600123456" || lucia.Company != "Cerámicas" || lucia.AgentID != a1.ID {
		t.Errorf("the enriched contact %+v", lucia)
	}
	// Found by that phone: merged into her too.
	byPhone, _, err := r.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "L", Phone: "+34 600 123 456"})
	if err != nil || byPhone.Outcome != crm.OutcomeMerged || byPhone.ContactID != lucia.ID {
		t.Errorf("a lead with a known phone: %+v %v", byPhone, err)
	}
	// A new person: the next active agent in turn.
	beto, _, err := r.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Beto", Email: "beto@example.es"})
	if err != nil || beto.Outcome != crm.OutcomeCreated {
		t.Fatal(err)
	}
	if c, _ := r.svc.GetContact(bg, beto.ContactID); c.AgentID != a2.ID {
		t.Errorf("round robin gave %s, want %s", c.AgentID, a2.ID)
	}
	carla, _, _ := r.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Carla", Email: "carla@example.es"})
	if c, _ := r.svc.GetContact(bg, carla.ContactID); c.AgentID != a1.ID {
		t.Errorf("round robin wraps to %s, want %s", c.AgentID, a1.ID)
	}

	// Test and spam deliveries: recorded, no contact; a lead with no way
	// to reach anyone is refused.
	for _, l := range []crm.Lead{{Format: crm.FormatGoogleAds, IsTest: true, Name: "Prueba"}, {Format: crm.FormatForm, Spam: true, Name: "Bot", Email: "bot@example.es"}} {
		rec, _, err := r.svc.IntakeLead(bg, src, l)
		if err != nil || rec.ContactID != "" || (rec.Outcome != crm.OutcomeTest && rec.Outcome != crm.OutcomeSpam) {
			t.Errorf("%+v: %+v %v", l, rec, err)
		}
	}
	if _, _, err := r.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Company: "Nadie"}); crm.ErrorCode(err) != crm.CodeUnprocessable {
		t.Errorf("a lead without name, e-mail or phone: %v", err)
	}
	if p, _ := r.svc.ListContacts(bg, crm.ContactFilter{}, crm.ListOptions{}); len(p.Items) != 3 {
		t.Errorf("%d contacts, want Lucía, Beto and Carla", len(p.Items))
	}

	// A fixed agent; one deactivated since leaves the lead unassigned.
	fixed, _ := r.svc.CreateSource(bg, crm.Source{Name: "Feria", Webhook: &crm.Webhook{DefaultAgentID: a2.ID}})
	rec, _, _ = r.svc.IntakeLead(bg, fixed, crm.Lead{Format: crm.FormatForm, Name: "Dani", Email: "dani@example.es"})
	if c, _ := r.svc.GetContact(bg, rec.ContactID); c.AgentID != a2.ID || rec.OpportunityID != "" {
		t.Errorf("fixed agent: %+v %+v", c, rec)
	}
	if _, err := r.svc.UpdateAgent(bg, a2.ID, 0, func(a *crm.Agent) error { a.Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	later := crm.NewService(r.st, crm.Config{}) // a fresh instance: no catalog cached
	rec, _, _ = later.IntakeLead(bg, fixed, crm.Lead{Format: crm.FormatForm, Name: "Eva", Email: "eva@example.es"})
	if c, _ := later.GetContact(bg, rec.ContactID); c.AgentID != "" {
		t.Errorf("an inactive fixed agent was assigned: %+v", c)
	}
}
