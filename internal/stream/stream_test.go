package stream_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/stream"
)

// The handler runs here over real change records: the change-capture layer
// of dynamotest records every write of the service as the stream records
// DynamoDB would emit, and the test hands them to the handler in batches,
// as Lambda would, as many times as it likes.

var bg = context.Background()

// mailbox is a crm.Mailer that keeps what it is given, and can be told to
// fail (as SES failing for a while would: internal, retry later).
type mailbox struct {
	mu    sync.Mutex
	sent  []crm.Email
	fails int // fail this many more Sends
	tries int
}

func (m *mailbox) Send(_ context.Context, e crm.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tries++
	if m.fails > 0 {
		m.fails--
		return crm.Internal(errors.New("mail service unavailable"))
	}
	m.sent = append(m.sent, e)
	return nil
}

func (m *mailbox) all() []crm.Email {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

// schedCall is one call of the recording scheduler.
type schedCall struct {
	Op     string // arm or disarm
	NoteID string
	At     time.Time // arm only
}

func (c schedCall) String() string {
	if c.Op == "disarm" {
		return "disarm " + c.NoteID
	}
	return "arm " + c.NoteID + " at " + c.At.UTC().Format(time.RFC3339Nano)
}

type schedLog struct {
	mu    sync.Mutex
	calls []schedCall
}

func (s *schedLog) Arm(_ context.Context, noteID string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, schedCall{"arm", noteID, at})
	return nil
}

func (s *schedLog) Disarm(_ context.Context, noteID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, schedCall{Op: "disarm", NoteID: noteID})
	return nil
}

// take returns the calls since the last take.
func (s *schedLog) take() []schedCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.calls
	s.calls = nil
	return out
}

// fixture is a store whose writes are captured, the service over it, the
// handler, and the change records not yet handed to the handler.
type fixture struct {
	t     *testing.T
	svc   *crm.Service
	st    crm.Store // the store under svc, as the handler reads it
	h     *stream.Handler
	mail  *mailbox
	sched *schedLog

	mu      sync.Mutex
	pending []dynamotest.Record
	skew    time.Duration // added to the handler's clock

	admin, ana, beto, gone crm.User
	// agents: ana's (linked to her user, English), bruno's (no user),
	// an inactive one, one without any e-mail, and the admin's own.
	agentAna, agentBruno, agentOff, agentNoMail, agentAdmin crm.Agent
}

func newFixture(t *testing.T) *fixture { t.Helper(); return newFixtureAt(t, nil) }

// newFixtureAt is newFixture with the service's clock (nil: the real one).
func newFixtureAt(t *testing.T, now func() time.Time) *fixture {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tbl, db := dynamotest.NewCapturing(t)
	f := &fixture{t: t, mail: &mailbox{}, sched: &schedLog{}}
	db.OnChange = f.capture
	f.st = dynamo.New(db, tbl.Name)
	f.svc = crm.NewService(f.st, crm.Config{Now: now})
	f.h = stream.New(stream.Config{Service: f.svc, Store: f.st, Mailer: f.mail, Scheduler: f.sched,
		AppURL: "https://crm.example.com/", Log: quiet, Now: func() time.Time { return time.Now().Add(f.clockSkew()) }})
	if err := f.svc.EnsureSeeded(bg); err != nil {
		t.Fatal(err)
	}
	user := func(name, email, lang string, role crm.Role, active bool) crm.User {
		u, err := f.svc.CreateUser(bg, crm.User{Name: name, Email: email, Lang: lang, Role: role, Active: active})
		if err != nil {
			t.Fatalf("user %s: %v", name, err)
		}
		return u
	}
	f.admin = user("Marta Admin", "marta@example.com", "es", crm.RoleAdmin, true)
	f.ana = user("Ana Smith", "ana@example.com", "en", crm.RoleStaff, true)
	f.beto = user("Beto Ruiz", "beto@example.com", "es", crm.RoleStaff, true)
	f.gone = user("Gonzalo Baja", "gonzalo@example.com", "es", crm.RoleStaff, false)
	agent := func(code, name, email, userID string, active bool) crm.Agent {
		a, err := f.svc.CreateAgent(bg, crm.Agent{Code: code, Name: name, Email: email, UserID: userID, Active: active})
		if err != nil {
			t.Fatalf("agent %s: %v", code, err)
		}
		return a
	}
	f.agentAna = agent("ANA", "Ana Smith", "ana@example.com", f.ana.ID, true)
	f.agentBruno = agent("BRUNO", "Bruno Díaz", "bruno@example.com", "", true)
	f.agentOff = agent("OFF", "Olga Fuera", "olga@example.com", "", false)
	f.agentNoMail = agent("NOMAIL", "Nadia Sin Correo", "", "", true)
	f.agentAdmin = agent("MARTA", "Marta Admin", "marta@example.com", f.admin.ID, true)
	f.settle() // nothing above is a stream type; this also checks that
	if got := f.mail.all(); len(got) != 0 {
		t.Fatalf("setting up sent e-mails: %+v", got)
	}
	return f
}

func (f *fixture) clockSkew() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.skew
}

func (f *fixture) setSkew(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.skew = d
}

func (f *fixture) capture(recs []dynamotest.Record) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending = append(f.pending, recs...)
}

// as returns a context whose changes user makes.
func as(u crm.User) context.Context { return crm.WithActor(bg, u) }

// take returns the records written since the last take, of the stream's
// item types, as a Lambda DynamoDB event.
func (f *fixture) take() events.DynamoDBEvent {
	f.t.Helper()
	f.mu.Lock()
	recs := f.pending
	f.pending = nil
	f.mu.Unlock()
	var ev events.DynamoDBEvent
	for _, rec := range dynamotest.Events(f.t, recs) {
		if dynamotest.InStream(rec) {
			ev.Records = append(ev.Records, rec)
		}
	}
	return ev
}

// handle hands a batch to the handler and requires that it succeeds.
func (f *fixture) handle(ev events.DynamoDBEvent) {
	f.t.Helper()
	res, err := dynamo.StreamHandler{Apply: f.h.Apply}.Handle(bg, ev)
	if err != nil {
		f.t.Fatalf("Handle: %v", err)
	}
	if len(res.BatchItemFailures) != 0 {
		f.t.Fatalf("Handle reported failures %+v", res.BatchItemFailures)
	}
}

// settle handles every pending record, and then the records the handler's
// own writes produced (a reminder sent marks its note), until none is
// left. It returns every batch it handled.
func (f *fixture) settle() []events.DynamoDBEvent {
	f.t.Helper()
	var out []events.DynamoDBEvent
	for range 10 {
		ev := f.take()
		if len(ev.Records) == 0 {
			return out
		}
		f.handle(ev)
		out = append(out, ev)
	}
	f.t.Fatal("the stream did not settle: the handler keeps producing records")
	return nil
}

// sentSince returns the e-mails after the first n.
func (f *fixture) sentSince(n int) []crm.Email { return f.mail.all()[n:] }

// brief is what a test checks of an e-mail.
type brief struct{ Key, To, Subject string }

func briefs(es []crm.Email) []brief {
	out := make([]brief, len(es))
	for i, e := range es {
		out[i] = brief{e.Key, e.To, e.Subject}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].To < out[j].To
	})
	return out
}

func sortBriefs(bs []brief) []brief {
	out := slices.Clone(bs)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].To < out[j].To
	})
	return out
}

// expectMail checks the e-mails sent since n, in any order.
func (f *fixture) expectMail(n int, want ...brief) {
	f.t.Helper()
	got := briefs(f.sentSince(n))
	if !slices.Equal(got, sortBriefs(want)) {
		f.t.Errorf("e-mails sent:\n got  %+v\n want %+v", got, sortBriefs(want))
	}
}

func (f *fixture) contact(ctx context.Context, actor crm.User, c crm.Contact) crm.Contact {
	f.t.Helper()
	c, err := f.svc.CreateContact(ctx, actor, c)
	if err != nil {
		f.t.Fatalf("create contact: %v", err)
	}
	return c
}

func (f *fixture) opportunity(actor crm.User, o crm.Opportunity) crm.Opportunity {
	f.t.Helper()
	o, err := f.svc.CreateOpportunity(as(actor), actor, o)
	if err != nil {
		f.t.Fatalf("create opportunity: %v", err)
	}
	return o
}

func (f *fixture) note(actor crm.User, k crm.ParentKind, parentID string, n crm.Note) crm.Note {
	f.t.Helper()
	n, err := f.svc.CreateNote(as(actor), actor, k, parentID, n)
	if err != nil {
		f.t.Fatalf("create note: %v", err)
	}
	return n
}

func oppTitle(o crm.Opportunity) string { return fmt.Sprintf("#%d %s", o.Number, o.Description) }

func TestContactAgentEmails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin

	// Created with an agent whose user reads English: to that address,
	// in English, naming who did it and linking to the contact.
	n := len(f.mail.all())
	lucia := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández", AgentID: f.agentAna.ID})
	f.settle()
	f.expectMail(n, brief{crm.NotifyNewContactAgent, "ana@example.com", "New contact for you: Lucía Fernández"})
	if got := f.sentSince(n); len(got) == 1 {
		e := got[0]
		if !strings.Contains(e.Text, "Marta Admin") || !strings.Contains(e.Text, "https://crm.example.com/contacts/"+lucia.ID) || e.HTML == "" {
			t.Errorf("the e-mail does not name the actor or link to the contact:\n%s", e.Text)
		}
	}

	// An agent without a user: Spanish, the default.
	n = len(f.mail.all())
	f.contact(as(admin), admin, crm.Contact{Name: "Pedro", Surname: "Gil", AgentID: f.agentBruno.ID})
	f.settle()
	f.expectMail(n, brief{crm.NotifyNewContactAgent, "bruno@example.com", "Nuevo contacto a tu cargo: Pedro Gil"})

	// Created without an agent, with an inactive agent, with an agent who
	// has no e-mail, and by the agent's own user: nobody.
	n = len(f.mail.all())
	f.contact(as(admin), admin, crm.Contact{Name: "Sin Agente"})
	f.contact(as(admin), admin, crm.Contact{Name: "Agente Inactivo", AgentID: f.agentOff.ID})
	f.contact(as(admin), admin, crm.Contact{Name: "Agente Sin Correo", AgentID: f.agentNoMail.ID})
	self := f.contact(as(admin), admin, crm.Contact{Name: "Propio", AgentID: f.agentAdmin.ID})
	f.settle()
	f.expectMail(n)

	// An agent without an address of its own, linked to Beto: Beto's.
	viaUser, err := f.svc.CreateAgent(bg, crm.Agent{Code: "VIABETO", Name: "Beto Ruiz", UserID: f.beto.ID, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	n = len(f.mail.all())
	f.contact(as(admin), admin, crm.Contact{Name: "Vía Usuario", AgentID: viaUser.ID})
	f.settle()
	f.expectMail(n, brief{crm.NotifyNewContactAgent, "beto@example.com", "Nuevo contacto a tu cargo: Vía Usuario"})

	// A lead from a web form whose source assigns Bruno: the same e-mail
	// as through the API (every write path), caused by nobody.
	src, err := f.svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatForm, Assignment: crm.AssignFixed, DefaultAgentID: f.agentBruno.ID}})
	if err != nil {
		t.Fatal(err)
	}
	n = len(f.mail.all())
	if _, _, err := f.svc.IntakeLead(bg, src, crm.Lead{Format: crm.FormatForm, Name: "Rosa", Surname: "Web", Email: "rosa@example.com"}); err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.expectMail(n, brief{crm.NotifyNewContactAgent, "bruno@example.com", "Nuevo contacto a tu cargo: Rosa Web"})
	if got := f.sentSince(n); len(got) == 1 && !strings.Contains(got[0].Text, "de forma automática") {
		t.Errorf("the e-mail of a web lead should say it was assigned automatically:\n%s", got[0].Text)
	}

	// The agent changes: the new agent hears of it (here Ana's agent,
	// in English); the change was Beto's, so the e-mail names him.
	n = len(f.mail.all())
	if _, err := f.svc.UpdateContact(as(f.beto), lucia.ID, 0, func(c *crm.Contact) error { c.AgentID = f.agentBruno.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.expectMail(n, brief{crm.NotifyNewContactAgent, "bruno@example.com", "Nuevo contacto a tu cargo: Lucía Fernández"})
	if got := f.sentSince(n); len(got) == 1 && !strings.Contains(got[0].Text, "Beto Ruiz") {
		t.Errorf("the e-mail does not name Beto, who made the change:\n%s", got[0].Text)
	}

	// Someone other than the admin gives the admin's agent a contact: now
	// the admin is told (the rule skips only the actor).
	n = len(f.mail.all())
	if _, err := f.svc.UpdateContact(as(f.beto), lucia.ID, 0, func(c *crm.Contact) error { c.AgentID = f.agentAdmin.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.expectMail(n, brief{crm.NotifyNewContactAgent, "marta@example.com", "Nuevo contacto a tu cargo: Lucía Fernández"})

	// Other changes, or clearing the agent: nothing.
	n = len(f.mail.all())
	if _, err := f.svc.UpdateContact(as(f.beto), lucia.ID, 0, func(c *crm.Contact) error { c.Company = "ACME"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateContact(as(f.beto), lucia.ID, 0, func(c *crm.Contact) error { c.AgentID = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	// Nor does the admin changing a contact of their own agent.
	if _, err := f.svc.UpdateContact(as(admin), self.ID, 0, func(c *crm.Contact) error { c.Company = "Propia"; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.expectMail(n)
}

func TestOpportunityAgentAndAssigneeEmails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	f.settle()

	n := len(f.mail.all())
	o := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Tienda online", AgentID: f.agentBruno.ID, AssigneeID: f.beto.ID})
	f.settle()
	f.expectMail(n,
		brief{crm.NotifyNewOpportunityAgent, "bruno@example.com", "Eres agente de " + oppTitle(o)},
		brief{crm.NotifyNewOpportunityAssignee, "beto@example.com", "Te toca: " + oppTitle(o)})
	for _, e := range f.sentSince(n) {
		if !strings.Contains(e.Text, "https://crm.example.com/opportunities/"+o.ID) {
			t.Errorf("%s does not link to the opportunity:\n%s", e.Key, e.Text)
		}
	}

	// The assignee changes to Ana (English); the agent stays: one e-mail.
	n = len(f.mail.all())
	if _, err := f.svc.UpdateOpportunity(as(admin), o.ID, 0, func(o *crm.Opportunity) error { o.AssigneeID = f.ana.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.expectMail(n, brief{crm.NotifyNewOpportunityAssignee, "ana@example.com", "Assigned to you: " + oppTitle(o)})

	// The agent changes to Ana's agent; the assignee stays: one e-mail.
	n = len(f.mail.all())
	if _, err := f.svc.UpdateOpportunity(as(admin), o.ID, 0, func(o *crm.Opportunity) error { o.AgentID = f.agentAna.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.expectMail(n, brief{crm.NotifyNewOpportunityAgent, "ana@example.com", "You are the agent for " + oppTitle(o)})

	// Unchanged, cleared: nothing.
	n = len(f.mail.all())
	if _, err := f.svc.UpdateOpportunity(as(admin), o.ID, 0, func(o *crm.Opportunity) error { o.Observations = "Llamar en enero"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateOpportunity(as(admin), o.ID, 0, func(o *crm.Opportunity) error { o.AgentID, o.AssigneeID = "", ""; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.expectMail(n)

	// Beto creates one for himself with Bruno as agent: Bruno hears, Beto
	// (the actor) does not; an inactive assignee hears nothing either.
	n = len(f.mail.all())
	mine := f.opportunity(f.beto, crm.Opportunity{ContactID: c.ID, Description: "Mantenimiento", AgentID: f.agentBruno.ID, AssigneeID: f.beto.ID})
	f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Formación", AgentID: f.agentOff.ID, AssigneeID: f.gone.ID})
	f.settle()
	f.expectMail(n, brief{crm.NotifyNewOpportunityAgent, "bruno@example.com", "Eres agente de " + oppTitle(mine)})
}

func TestSettingsDisableAndOverride(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	if _, err := f.svc.UpdateNotificationSetting(bg, crm.NotifyNewContactAgent, 0, func(s *crm.NotificationSetting) error {
		s.Enabled = false
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateNotificationSetting(bg, crm.NotifyNewOpportunityAssignee, 0, func(s *crm.NotificationSetting) error {
		s.Overrides = map[string]crm.TemplateOverride{crm.LangES: {Subject: "Oportunidad para ti: {opportunity} ({contact})"}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	n := len(f.mail.all())
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández", AgentID: f.agentBruno.ID})
	o := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Tienda online", AgentID: f.agentBruno.ID, AssigneeID: f.beto.ID})
	// Ana reads English, and the override is for Spanish only.
	o2 := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Web", AgentID: f.agentBruno.ID, AssigneeID: f.ana.ID})
	f.settle()
	f.expectMail(n,
		brief{crm.NotifyNewOpportunityAgent, "bruno@example.com", "Eres agente de " + oppTitle(o)},
		brief{crm.NotifyNewOpportunityAgent, "bruno@example.com", "Eres agente de " + oppTitle(o2)},
		brief{crm.NotifyNewOpportunityAssignee, "beto@example.com", "Oportunidad para ti: " + oppTitle(o) + " (Lucía Fernández)"},
		brief{crm.NotifyNewOpportunityAssignee, "ana@example.com", "Assigned to you: " + oppTitle(o2)})
}

func TestOpportunityNoteEmails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	// Created by Beto, assigned to Ana, whose agent is also Ana (same
	// address): one e-mail per address.
	o := f.opportunity(f.beto, crm.Opportunity{ContactID: c.ID, Description: "Tienda online", AgentID: f.agentAna.ID, AssigneeID: f.ana.ID})
	f.settle()

	n := len(f.mail.all())
	team := f.note(admin, crm.ParentOpportunity, o.ID, crm.Note{Text: "El cliente pide una demo el jueves", Visibility: crm.VisibilityTeam})
	f.settle()
	f.expectMail(n,
		brief{crm.NotifyNewOpportunityNote, "ana@example.com", "New note on " + oppTitle(o)},
		brief{crm.NotifyNewOpportunityNote, "beto@example.com", "Nota nueva en " + oppTitle(o)})
	for _, e := range f.sentSince(n) {
		if !strings.Contains(e.Text, team.Text) {
			t.Errorf("the note e-mail to %s does not quote the note:\n%s", e.To, e.Text)
		}
	}

	// Beto writes one: Ana only (Beto caused it; the admin is no party).
	n = len(f.mail.all())
	f.note(f.beto, crm.ParentOpportunity, o.ID, crm.Note{Text: "Demo confirmada", Visibility: crm.VisibilityTeam})
	f.settle()
	f.expectMail(n, brief{crm.NotifyNewOpportunityNote, "ana@example.com", "New note on " + oppTitle(o)})

	// A private note, a note on the contact, an edited team note: nobody.
	n = len(f.mail.all())
	f.note(admin, crm.ParentOpportunity, o.ID, crm.Note{Text: "Ojo: margen bajo", Visibility: crm.VisibilityPrivate})
	f.note(admin, crm.ParentContact, c.ID, crm.Note{Text: "Prefiere WhatsApp", Visibility: crm.VisibilityTeam})
	if _, err := f.svc.UpdateNote(as(admin), admin, team.ID, 0, func(n *crm.Note) error { n.Text = "La demo es el viernes"; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.expectMail(n)
}

// The same batch delivered again (Lambda retries batches) sends no second
// e-mail and counts nothing twice.
func TestRedeliveredBatchHasNoSecondEffect(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	src, err := f.svc.CreateSource(bg, crm.Source{Name: "Feria 2026"})
	if err != nil {
		t.Fatal(err)
	}
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández", AgentID: f.agentBruno.ID, SourceID: src.ID})
	o := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Tienda online", AssigneeID: f.beto.ID, ApproxAmountCents: 120000})
	f.note(admin, crm.ParentOpportunity, o.ID, crm.Note{Text: "Demo el jueves", Visibility: crm.VisibilityTeam})
	if _, err := f.svc.CreateQuote(as(admin), admin, o.ID, crm.Quote{}); err != nil {
		t.Fatal(err)
	}
	won := stateWith(t, f.svc, crm.OutcomeWon)
	if _, err := f.svc.UpdateOpportunity(as(admin), o.ID, 0, func(o *crm.Opportunity) error { o.StateID = won.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	ev := f.take()
	if len(ev.Records) < 5 {
		t.Fatalf("only %d stream records for a contact, an opportunity, a note, a quote and a win", len(ev.Records))
	}
	f.handle(ev)
	f.settle()

	mails := f.mail.all()
	stats := allStats(t, f.st)
	timeline := timelineOf(t, f.svc, admin, c.ID)
	if len(mails) != 5 { // contact agent, opportunity agent (the contact's), assignee, note to the assignee and the agent
		t.Fatalf("first delivery sent %d e-mails, want 5: %+v", len(mails), briefs(mails))
	}
	if len(timeline) == 0 || len(stats) == 0 {
		t.Fatalf("first delivery wrote timeline %v, stats %+v", timeline, stats)
	}

	f.handle(ev) // the whole batch again
	f.handle(ev) // and again
	f.settle()
	if got := f.mail.all(); len(got) != len(mails) {
		t.Errorf("redelivery sent %d more e-mails: %+v", len(got)-len(mails), briefs(got[len(mails):]))
	}
	if got := allStats(t, f.st); !slices.Equal(got, stats) {
		t.Errorf("redelivery changed the counters:\n before %+v\n after  %+v", stats, got)
	}
	if got := timelineOf(t, f.svc, admin, c.ID); !slices.Equal(got, timeline) {
		t.Errorf("redelivery changed the timeline:\n before %v\n after  %v", timeline, got)
	}
}

// A mailer failing is reported for retry, and the retry sends the e-mail,
// once.
func TestFailedEmailIsRetriedAndSentOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c1 := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández", AgentID: f.agentBruno.ID})
	f.contact(as(admin), admin, crm.Contact{Name: "Pedro", Surname: "Gil", AgentID: f.agentAna.ID})
	ev := f.take()
	if len(ev.Records) != 2 {
		t.Fatalf("%d records for two new contacts", len(ev.Records))
	}
	f.mail.mu.Lock()
	f.mail.fails = 1
	f.mail.mu.Unlock()

	res, err := dynamo.StreamHandler{Apply: f.h.Apply}.Handle(bg, ev)
	if err != nil {
		t.Fatal(err)
	}
	want := []events.DynamoDBBatchItemFailure{{ItemIdentifier: ev.Records[0].Change.SequenceNumber}}
	if !slices.Equal(res.BatchItemFailures, want) {
		t.Fatalf("BatchItemFailures = %+v, want %+v (the record whose e-mail failed)", res.BatchItemFailures, want)
	}
	if got := f.mail.all(); len(got) != 0 {
		t.Fatalf("sent %+v although the mailer failed", briefs(got))
	}

	// Lambda delivers the batch again (from the failed record on; here the
	// whole batch, which is also allowed).
	f.handle(ev)
	f.handle(ev)
	f.settle()
	f.expectMail(0,
		brief{crm.NotifyNewContactAgent, "bruno@example.com", "Nuevo contacto a tu cargo: Lucía Fernández"},
		brief{crm.NotifyNewContactAgent, "ana@example.com", "New contact for you: Pedro Gil"})
	// The timeline entry of the failed record was written once.
	kinds := timelineOf(t, f.svc, admin, c1.ID)
	if !slices.Equal(kinds, []string{"created:contact:" + c1.ID}) {
		t.Errorf("timeline of the retried contact: %v", kinds)
	}
	var contacts int64
	for _, s := range allStats(t, f.st) {
		contacts += s.Contacts
	}
	if contacts != 2 {
		t.Errorf("counted %d contacts for two, after a retry", contacts)
	}
}

func TestReminderSchedules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	f.settle()
	f.sched.take()

	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	n := f.note(admin, crm.ParentContact, c.ID, crm.Note{Text: "Llamar", AvisoAt: &at})
	f.settle()
	if got, want := f.sched.take(), []schedCall{{"arm", n.ID, at}}; !sameCalls(got, want) {
		t.Errorf("a note with an aviso: scheduler %v, want %v", got, want)
	}

	// Moved: armed again for the new time.
	at2 := at.Add(3 * time.Hour)
	n, err := f.svc.UpdateNote(as(admin), admin, n.ID, 0, func(x *crm.Note) error { x.AvisoAt = &at2; return nil })
	if err != nil {
		t.Fatal(err)
	}
	f.settle()
	if got, want := f.sched.take(), []schedCall{{"arm", n.ID, at2}}; !sameCalls(got, want) {
		t.Errorf("aviso moved: scheduler %v, want %v", got, want)
	}

	// Other changes leave the schedule alone.
	if _, err := f.svc.UpdateNote(as(admin), admin, n.ID, 0, func(x *crm.Note) error { x.Text = "Llamar por la tarde"; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	if got := f.sched.take(); len(got) != 0 {
		t.Errorf("a text change touched the schedule: %v", got)
	}

	// Moved into the past: sent at once, not armed; then moved to the
	// future again: pending again, and armed.
	past := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	if _, err := f.svc.UpdateNote(as(admin), admin, n.ID, 0, func(x *crm.Note) error { x.AvisoAt = &past; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	if got := f.sched.take(); len(got) != 0 {
		t.Errorf("aviso moved into the past: scheduler %v, want nothing (sent at once)", got)
	}
	f.expectMail(0, brief{crm.NotifyNote, "marta@example.com", "Recordatorio: Lucía Fernández"})
	if _, err := f.svc.UpdateNote(as(admin), admin, n.ID, 0, func(x *crm.Note) error { x.AvisoAt = &at; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	if got, want := f.sched.take(), []schedCall{{"arm", n.ID, at}}; !sameCalls(got, want) {
		t.Errorf("a sent reminder given a new time: scheduler %v, want %v", got, want)
	}

	// Cleared: disarmed.
	if _, err := f.svc.UpdateNote(as(admin), admin, n.ID, 0, func(x *crm.Note) error { x.AvisoAt = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()
	if got, want := f.sched.take(), []schedCall{{Op: "disarm", NoteID: n.ID}}; !sameCalls(got, want) {
		t.Errorf("aviso cleared: scheduler %v, want %v", got, want)
	}

	// Deleted while pending: disarmed.
	d := f.note(admin, crm.ParentContact, c.ID, crm.Note{Text: "Enviar catálogo", AvisoAt: &at})
	f.settle()
	f.sched.take()
	if err := f.svc.DeleteNote(as(admin), admin, d.ID, 0); err != nil {
		t.Fatal(err)
	}
	f.settle()
	if got, want := f.sched.take(), []schedCall{{Op: "disarm", NoteID: d.ID}}; !sameCalls(got, want) {
		t.Errorf("pending note deleted: scheduler %v, want %v", got, want)
	}
	if got := f.mail.all(); len(got) != 1 {
		t.Errorf("future reminders sent e-mails: %+v", briefs(got))
	}
}

// A reminder whose time has passed when it is saved goes out at once (the
// product we replace drops those), once.
func TestPastReminderIsSentAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	f.settle()
	f.sched.take()

	past := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	n := f.note(f.ana, crm.ParentContact, c.ID, crm.Note{Text: "Send the brochure", AvisoAt: &past})
	batches := f.settle()
	f.expectMail(0, brief{crm.NotifyNote, "ana@example.com", "Reminder: Lucía Fernández"})
	if got := f.mail.all(); len(got) == 1 && !strings.Contains(got[0].Text, "Send the brochure") {
		t.Errorf("the reminder does not quote the note:\n%s", got[0].Text)
	}
	got, err := f.st.GetNote(bg, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.NotifiedAt == nil {
		t.Error("the note was not marked notified")
	}
	if calls := f.sched.take(); slices.ContainsFunc(calls, func(c schedCall) bool { return c.Op == "arm" }) {
		t.Errorf("a past reminder was armed instead of sent: %v", calls)
	}
	// Delivered again: nothing more.
	for _, b := range batches {
		f.handle(b)
	}
	f.settle()
	if got := f.mail.all(); len(got) != 1 {
		t.Errorf("redelivery sent the reminder again: %+v", briefs(got))
	}
}

func TestRemind(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	f.settle()

	at := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	n := f.note(f.beto, crm.ParentContact, c.ID, crm.Note{Text: "Llamar", AvisoAt: &at, Visibility: crm.VisibilityPrivate})
	f.settle()

	// A stale schedule (armed for a time the note no longer has) sends
	// nothing and leaves the note pending.
	if err := f.h.Remind(bg, n.ID, at.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.expectMail(0)
	if got, err := f.st.GetNote(bg, n.ID); err != nil || got.NotifiedAt != nil {
		t.Fatalf("a stale reminder marked the note notified (or it cannot be read: %v)", err)
	}

	// Its own time: to the author only (a private note), once however
	// often the schedule fires.
	for range 3 {
		if err := f.h.Remind(bg, n.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	f.settle()
	f.expectMail(0, brief{crm.NotifyNote, "beto@example.com", "Recordatorio: Lucía Fernández"})
	if got, err := f.st.GetNote(bg, n.ID); err != nil || got.NotifiedAt == nil {
		t.Errorf("the note was not marked notified (or it cannot be read: %v)", err)
	}

	// A note that is gone: nothing, no error.
	if err := f.h.Remind(bg, crm.NewID(time.Now()), at); err != nil {
		t.Errorf("Remind of a missing note: %v", err)
	}

	// A team note that reminds everyone: every active user, each in their
	// language; not the inactive one.
	m := len(f.mail.all())
	all := f.note(f.beto, crm.ParentContact, c.ID, crm.Note{Text: "Revisión trimestral", AvisoAt: &at, Visibility: crm.VisibilityTeam, RemindAll: true})
	f.settle()
	if err := f.h.Remind(bg, all.ID, at); err != nil {
		t.Fatal(err)
	}
	f.settle()
	f.expectMail(m,
		brief{crm.NotifyNote, "marta@example.com", "Recordatorio: Lucía Fernández"},
		brief{crm.NotifyNote, "ana@example.com", "Reminder: Lucía Fernández"},
		brief{crm.NotifyNote, "beto@example.com", "Recordatorio: Lucía Fernández"})
}

// The sweep sends the due reminders whose schedule was lost, once.
func TestSweep(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	f.settle()
	now := time.Now().UTC().Truncate(time.Second)
	soon, later := now.Add(time.Hour), now.Add(5*time.Hour)
	due := f.note(f.beto, crm.ParentContact, c.ID, crm.Note{Text: "Llamar", AvisoAt: &soon})
	notYet := f.note(f.beto, crm.ParentContact, c.ID, crm.Note{Text: "Enviar oferta", AvisoAt: &later})
	f.settle()
	if sent := f.mail.all(); len(sent) != 0 {
		t.Fatalf("future reminders sent: %+v", briefs(sent))
	}

	f.setSkew(2 * time.Hour) // the first is due now; its schedule never fired
	n, err := f.h.Sweep(bg)
	if err != nil {
		t.Fatal(err)
	}
	f.settle()
	if n != 1 {
		t.Errorf("Sweep sent %d, want 1", n)
	}
	f.expectMail(0, brief{crm.NotifyNote, "beto@example.com", "Recordatorio: Lucía Fernández"})

	// Swept again, and the lost schedule firing late after all: nothing more.
	n, err = f.h.Sweep(bg)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.h.Remind(bg, due.ID, soon); err != nil {
		t.Fatal(err)
	}
	f.settle()
	if n != 0 {
		t.Errorf("a second sweep sent %d", n)
	}
	if sent := f.mail.all(); len(sent) != 1 {
		t.Errorf("e-mails after a second sweep: %+v", briefs(sent))
	}
	if got, err := f.st.GetNote(bg, notYet.ID); err != nil || got.NotifiedAt != nil {
		t.Errorf("the sweep notified a reminder that is not due (or it cannot be read: %v)", err)
	}
}

func sameCalls(got, want []schedCall) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Op != want[i].Op || got[i].NoteID != want[i].NoteID || !got[i].At.Equal(want[i].At) {
			return false
		}
	}
	return true
}

func stateWith(t *testing.T, svc *crm.Service, o crm.Outcome) crm.State {
	t.Helper()
	states, err := svc.ListStates(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if s.Outcome == o {
			return s
		}
	}
	t.Fatalf("no %s state", o)
	return crm.State{}
}

func allStats(t *testing.T, st crm.EffectStore) []crm.SourceMonth {
	t.Helper()
	s, err := st.Stats(bg, "2000-01", "2999-12")
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(s, func(i, j int) bool {
		if s[i].Month != s[j].Month {
			return s[i].Month < s[j].Month
		}
		return s[i].SourceID < s[j].SourceID
	})
	return s
}

// timelineOf lists a contact's timeline as user sees it, as kind:refKind:refID.
func timelineOf(t *testing.T, svc *crm.Service, u crm.User, contactID string) []string {
	t.Helper()
	p, err := svc.Timeline(bg, u, contactID, crm.ListOptions{Limit: crm.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range p.Items {
		out = append(out, string(it.Kind)+":"+it.RefKind+":"+it.RefID)
	}
	return out
}

func TestTimeline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	o := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Tienda online"})
	team := f.note(admin, crm.ParentOpportunity, o.ID, crm.Note{Text: "Demo el jueves", Visibility: crm.VisibilityTeam})
	private := f.note(f.beto, crm.ParentContact, c.ID, crm.Note{Text: "Sospecho que compara precios", Visibility: crm.VisibilityPrivate})
	if _, err := f.svc.UpdateContact(as(admin), c.ID, 0, func(x *crm.Contact) error { x.AgentID = f.agentBruno.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	f.settle()

	has := func(items []string, s string) bool { return slices.Contains(items, s) }
	forAdmin := timelineOf(t, f.svc, admin, c.ID)
	for _, want := range []string{"created:contact:" + c.ID, "opportunity:opportunity:" + o.ID, "note:note:" + team.ID, "assigned:agent:" + f.agentBruno.ID} {
		if !has(forAdmin, want) {
			t.Errorf("timeline lacks %s: %v", want, forAdmin)
		}
	}
	if has(forAdmin, "note:note:"+private.ID) {
		t.Errorf("another user's private note is in the admin's timeline: %v", forAdmin)
	}
	if forBeto := timelineOf(t, f.svc, f.beto, c.ID); !has(forBeto, "note:note:"+private.ID) {
		t.Errorf("the author does not see their private note in the timeline: %v", forBeto)
	}
}

// The per-source monthly counters equal a recount of what was created,
// after creating, winning, losing, reopening and deleting.
func TestCountersMatchARecount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	ctx := as(admin)
	feria, err := f.svc.CreateSource(bg, crm.Source{Name: "Feria 2026"})
	if err != nil {
		t.Fatal(err)
	}
	web, err := f.svc.CreateSource(bg, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatForm}})
	if err != nil {
		t.Fatal(err)
	}
	won, lost := stateWith(t, f.svc, crm.OutcomeWon), stateWith(t, f.svc, crm.OutcomeLost)
	var open crm.State
	for _, s := range mustStates(t, f.svc) {
		if s.Outcome == crm.OutcomeOpen && !s.Default {
			open = s
		}
	}

	var contacts []string
	newContact := func(name, src string) crm.Contact {
		c := f.contact(ctx, admin, crm.Contact{Name: name, SourceID: src})
		contacts = append(contacts, c.ID)
		return c
	}
	c1 := newContact("Uno", feria.ID)
	c2 := newContact("Dos", feria.ID)
	c3 := newContact("Tres", web.ID)
	c4 := newContact("Cuatro", "")
	c5 := newContact("Cinco", web.ID)

	var leads []crm.LeadRecord
	for _, l := range []crm.Lead{
		{Format: crm.FormatForm, Name: "Lead Nuevo", Email: "lead1@example.com"},
		{Format: crm.FormatForm, Name: "Lead Otro", Email: "lead2@example.com"},
		{Format: crm.FormatForm, Name: "Lead Nuevo", Email: "lead1@example.com", Phone: "600111222", Message: "Otra vez"}, // merged into the first
	} {
		rec, dup, err := f.svc.IntakeLead(bg, web, l)
		if err != nil || dup {
			t.Fatalf("lead %s: duplicate %v, %v", l.Name, dup, err)
		}
		leads = append(leads, rec)
		if !slices.Contains(contacts, rec.ContactID) {
			contacts = append(contacts, rec.ContactID)
		}
	}

	if leads[2].Outcome != crm.OutcomeMerged || leads[2].ContactID != leads[0].ContactID {
		t.Fatalf("the third lead was not merged into the first contact: %+v", leads[2])
	}

	var opps []string
	newOpp := func(c crm.Contact, desc string, amount int64, state string) crm.Opportunity {
		o := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: desc, ApproxAmountCents: amount, StateID: state})
		opps = append(opps, o.ID)
		return o
	}
	quote := func(o crm.Opportunity) {
		if _, err := f.svc.CreateQuote(ctx, admin, o.ID, crm.Quote{}); err != nil {
			t.Fatal(err)
		}
	}
	move := func(o crm.Opportunity, st crm.State) {
		if _, err := f.svc.UpdateOpportunity(ctx, o.ID, 0, func(x *crm.Opportunity) error { x.StateID = st.ID; return nil }); err != nil {
			t.Fatalf("move %s to %s: %v", o.Description, st.Name, err)
		}
	}
	o1 := newOpp(c1, "ganada", 150000, "")
	quote(o1)
	move(o1, won)
	o2 := newOpp(c2, "perdida", 0, "")
	move(o2, lost)
	o3 := newOpp(c3, "ganada y reabierta", 50000, "")
	quote(o3)
	move(o3, won)
	move(o3, open)
	o4 := newOpp(c1, "ganada y borrada", 70000, "")
	quote(o4)
	move(o4, won)
	newOpp(c4, "abierta sin fuente", 0, "")
	newOpp(c5, "nace ganada", 0, won.ID)
	newOpp(c5, "nace perdida", 0, lost.ID)
	o8 := newOpp(c2, "perdida y luego ganada", 30000, "")
	move(o8, lost)
	quote(o8)
	move(o8, won)
	o9 := newOpp(c3, "ganada y luego perdida", 20000, "")
	quote(o9)
	move(o9, won)
	move(o9, lost)
	quote(o1) // a new quote on a won opportunity changes its amount
	o10 := newOpp(c3, "presupuesto aceptado", 80000, "")
	q, err := f.svc.CreateQuote(ctx, admin, o10.ID, crm.Quote{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.AcceptQuote(ctx, admin, q.ID); err != nil { // won, and the contact becomes a client
		t.Fatal(err)
	}
	f.settle()

	// Delete a won opportunity, and a contact; move a contact to another source.
	if err := f.svc.DeleteOpportunity(ctx, o4.ID, 0); err != nil {
		t.Fatal(err)
	}
	extra := newContact("Borrado", feria.ID)
	if err := f.svc.DeleteContact(ctx, extra.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateContact(ctx, c4.ID, 0, func(x *crm.Contact) error { x.SourceID = feria.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	batches := f.settle()

	want := recount(t, f.svc, contacts, leads, opps)
	if o, _ := f.svc.GetOpportunity(bg, o1.ID); o.AmountCents <= 0 {
		t.Fatalf("the won opportunity has no amount (%d): the test would not check wonAmountCents", o.AmountCents)
	}
	got := nonZero(allStats(t, f.st))
	if !slices.Equal(got, want) {
		t.Errorf("counters differ from a recount:\n got  %+v\n want %+v", got, want)
	}

	// Every batch again: the counters do not move.
	for _, b := range batches {
		f.handle(b)
	}
	f.settle()
	if again := nonZero(allStats(t, f.st)); !slices.Equal(again, want) {
		t.Errorf("after redelivery:\n got  %+v\n want %+v", again, want)
	}
}

// nonZero drops the rows whose counters all came back to zero: for the
// report they are the same as no row.
func nonZero(rows []crm.SourceMonth) []crm.SourceMonth {
	return slices.DeleteFunc(rows, func(r crm.SourceMonth) bool {
		return r == crm.SourceMonth{SourceID: r.SourceID, Month: r.Month}
	})
}

func mustStates(t *testing.T, svc *crm.Service) []crm.State {
	t.Helper()
	s, err := svc.ListStates(bg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// recount computes the source report from the items that exist now.
func recount(t *testing.T, svc *crm.Service, contactIDs []string, leads []crm.LeadRecord, oppIDs []string) []crm.SourceMonth {
	t.Helper()
	month := func(at time.Time) string { return at.In(svc.TimeZone()).Format("2006-01") }
	rows := map[[2]string]*crm.SourceMonth{}
	row := func(src string, at time.Time) *crm.SourceMonth {
		k := [2]string{src, month(at)}
		if rows[k] == nil {
			rows[k] = &crm.SourceMonth{SourceID: src, Month: k[1]}
		}
		return rows[k]
	}
	for _, id := range contactIDs {
		c, err := svc.GetContact(bg, id)
		if crm.ErrorCode(err) == crm.CodeNotFound {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		row(c.SourceID, c.CreatedAt).Contacts++
	}
	for _, l := range leads {
		row(l.SourceID, l.ReceivedAt).Leads++
	}
	states := map[string]crm.Outcome{}
	for _, s := range mustStates(t, svc) {
		states[s.ID] = s.Outcome
	}
	for _, id := range oppIDs {
		o, err := svc.GetOpportunity(bg, id)
		if crm.ErrorCode(err) == crm.CodeNotFound {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		row(o.SourceID, o.CreatedAt).Opportunities++
		switch states[o.StateID] {
		case crm.OutcomeWon:
			r := row(o.SourceID, *o.ClosedAt)
			r.Won++
			r.WonAmountCents += o.AmountCents
		case crm.OutcomeLost:
			row(o.SourceID, *o.ClosedAt).Lost++
		}
	}
	var out []crm.SourceMonth
	for _, r := range rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Month != out[j].Month {
			return out[i].Month < out[j].Month
		}
		return out[i].SourceID < out[j].SourceID
	})
	return out
}

// A month is the company's (Europe/Madrid by default), not UTC's: a
// contact created at 23:30 UTC on 31 January counts for February.
func TestCountersUseTheCompanyMonth(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC)
	f := newFixtureAt(t, func() time.Time { return at })
	admin := f.admin
	src, err := f.svc.CreateSource(bg, crm.Source{Name: "Feria"})
	if err != nil {
		t.Fatal(err)
	}
	c := f.contact(as(admin), admin, crm.Contact{Name: "Medianoche", SourceID: src.ID})
	f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "De madrugada"})
	f.settle()
	want := []crm.SourceMonth{{SourceID: src.ID, Month: "2026-02", Contacts: 1, Opportunities: 1}}
	if got := nonZero(allStats(t, f.st)); !slices.Equal(got, want) {
		t.Errorf("counters %+v, want %+v", got, want)
	}
}

// A reminder on an opportunity's note says which opportunity and who wrote
// the note, and links to the opportunity (e-mails name the contact or
// opportunity and who did it, and link to the resource).
func TestReminderOnAnOpportunityNamesItAndTheAuthor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	o := f.opportunity(admin, crm.Opportunity{ContactID: c.ID, Description: "Tienda online"})
	f.settle()
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	n := f.note(f.beto, crm.ParentOpportunity, o.ID, crm.Note{Text: "Llamar para cerrar", AvisoAt: &at, Visibility: crm.VisibilityTeam, RemindAll: true})
	f.settle()
	m := len(f.mail.all())
	if err := f.h.Remind(bg, n.ID, at); err != nil {
		t.Fatal(err)
	}
	f.settle()
	var toAna *crm.Email
	for _, e := range f.sentSince(m) {
		if e.To == "ana@example.com" {
			toAna = &e
		}
	}
	if toAna == nil {
		t.Fatalf("no reminder to Ana: %+v", briefs(f.sentSince(m)))
	}
	if want := "Reminder: Lucía Fernández (" + oppTitle(o) + ")"; toAna.Subject != want {
		t.Errorf("subject %q, want %q", toAna.Subject, want)
	}
	if !strings.Contains(toAna.Text, "Beto Ruiz") {
		t.Errorf("the reminder does not say who wrote the note:\n%s", toAna.Text)
	}
	if !strings.Contains(toAna.Text, "https://crm.example.com/opportunities/"+o.ID) {
		t.Errorf("the reminder does not link to the opportunity:\n%s", toAna.Text)
	}
}
