package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// actor is the user the use cases act as; it is not stored (nothing the
// store checks refers to it).
var actor = crm.User{ID: crm.NewID(time.Now()), Name: "Actor", Role: crm.RoleAdmin, Active: true}

// now is the current time as the suite writes times: UTC, to the millisecond.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// newID returns a new ID, later than every ID made before it.
func newID() string { return crm.NewID(time.Now()) }

// seeded returns the use cases over st, seeded with the initial states and
// settings as every installation is.
func seeded(t *testing.T, st crm.Store) *crm.Service {
	t.Helper()
	svc := crm.NewService(st, crm.Config{})
	noErr(t, svc.EnsureSeeded(t.Context()))
	return svc
}

// fixture writes valid entities through the port, filling what the use
// cases would (ID, dates, version 1, required fields left empty), and fails
// the test if a write fails. Each method returns the entity as written.
type fixture struct {
	t   *testing.T
	st  crm.Store
	ctx context.Context
}

// fixtures returns the fixture of a test's store.
func fixtures(t *testing.T, st crm.Store) *fixture { return &fixture{t: t, st: st, ctx: t.Context()} }

// stamp fills a new entity's ID (if empty), dates and version.
func stamp(id *string, created, updated *time.Time, version *int) {
	n := now()
	if *id == "" {
		*id = crm.NewID(n)
	}
	if created.IsZero() {
		*created = n
	}
	if updated.IsZero() {
		*updated = *created
	}
	*version = 1
}

func (f *fixture) contact(c crm.Contact) crm.Contact {
	f.t.Helper()
	stamp(&c.ID, &c.CreatedAt, &c.UpdatedAt, &c.Version)
	if c.Name == "" {
		c.Name = "Contacto"
	}
	noErr(f.t, f.st.CreateContact(f.ctx, c))
	return c
}

func (f *fixture) source(s crm.Source) crm.Source {
	f.t.Helper()
	stamp(&s.ID, &s.CreatedAt, &s.UpdatedAt, &s.Version)
	if s.Name == "" {
		s.Name = "Fuente " + s.ID // source names are unique
	}
	noErr(f.t, f.st.CreateSource(f.ctx, s))
	return s
}

func (f *fixture) interest(name string) crm.Interest {
	f.t.Helper()
	i := crm.Interest{Name: name}
	stamp(&i.ID, &i.CreatedAt, &i.UpdatedAt, &i.Version)
	noErr(f.t, f.st.CreateInterest(f.ctx, i))
	return i
}

func (f *fixture) agent(code string) crm.Agent {
	f.t.Helper()
	a := crm.Agent{Code: code, Name: "Agente " + code, Active: true}
	stamp(&a.ID, &a.CreatedAt, &a.UpdatedAt, &a.Version)
	noErr(f.t, f.st.CreateAgent(f.ctx, a))
	return a
}

func (f *fixture) user(u crm.User) crm.User {
	f.t.Helper()
	stamp(&u.ID, &u.CreatedAt, &u.UpdatedAt, &u.Version)
	if u.Name == "" {
		u.Name = "Usuario"
	}
	if u.Role == "" {
		u.Role = crm.RoleStaff
	}
	if u.Lang == "" {
		u.Lang = crm.LangES
	}
	noErr(f.t, f.st.CreateUser(f.ctx, u))
	return u
}

// state creates a pipeline state (open unless it says otherwise).
func (f *fixture) state(s crm.State) crm.State {
	f.t.Helper()
	stamp(&s.ID, &s.CreatedAt, &s.UpdatedAt, &s.Version)
	if s.Name == "" {
		s.Name = "Estado"
	}
	if s.Outcome == "" {
		s.Outcome = crm.OutcomeOpen
	}
	noErr(f.t, f.st.WriteStates(f.ctx, []crm.StateWrite{{New: s}}))
	return s
}

// opportunity opens an opportunity, counting it in its state as the use
// cases do; ContactID and StateID must name stored entities.
func (f *fixture) opportunity(o crm.Opportunity) crm.Opportunity {
	f.t.Helper()
	stamp(&o.ID, &o.CreatedAt, &o.UpdatedAt, &o.Version)
	if o.Description == "" {
		o.Description = "Oportunidad"
	}
	if o.Currency == "" {
		o.Currency = crm.DefaultCurrency
	}
	if o.Outcome == "" {
		o.Outcome = crm.OutcomeOpen
	}
	f.commit(crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{New: o}}, StateCounts: map[string]int64{o.StateID: 1}})
	return o
}

func (f *fixture) party(p crm.Party) crm.Party {
	f.t.Helper()
	stamp(&p.ID, &p.CreatedAt, &p.UpdatedAt, &p.Version)
	if p.Name == "" {
		p.Name = "Cliente"
		p.LegalName = p.Name
	}
	f.commit(crm.Batch{Parties: []crm.Write[crm.Party]{{New: p}}})
	return p
}

func (f *fixture) quote(q crm.Quote) crm.Quote {
	f.t.Helper()
	stamp(&q.ID, &q.CreatedAt, &q.UpdatedAt, &q.Version)
	if q.Status == "" {
		q.Status = crm.QuoteDraft
	}
	if q.Lines == nil { // a quote has a line at least; minidyn also spoils an empty list when it rolls a transaction back
		q.Lines = []crm.QuoteLine{{Description: "Servicio", QuantityMilli: 1000, UnitPriceCents: 1000, NetCents: 1000, TotalCents: 1000}}
		q.SubtotalCents, q.TotalCents = 1000, 1000
	}
	if q.Currency == "" {
		q.Currency = crm.DefaultCurrency
	}
	f.commit(crm.Batch{Quotes: []crm.Write[crm.Quote]{{New: q}}})
	return q
}

func (f *fixture) note(n crm.Note) crm.Note {
	f.t.Helper()
	stamp(&n.ID, &n.CreatedAt, &n.UpdatedAt, &n.Version)
	if n.Text == "" {
		n.Text = "Nota"
	}
	if n.Visibility == "" {
		n.Visibility = crm.VisibilityTeam
	}
	f.commit(crm.Batch{Notes: []crm.Write[crm.Note]{{New: n}}})
	return n
}

func (f *fixture) file(fl crm.File) crm.File {
	f.t.Helper()
	stamp(&fl.ID, &fl.CreatedAt, &fl.UpdatedAt, &fl.Version)
	if fl.Name == "" {
		fl.Name = "doc.pdf"
		fl.ContentType = "application/pdf"
		fl.Size = 1234
	}
	if fl.Status == "" {
		fl.Status = crm.FileComplete
	}
	f.commit(crm.Batch{Files: []crm.Write[crm.File]{{New: fl}}})
	return fl
}

func (f *fixture) commit(b crm.Batch) {
	f.t.Helper()
	noErr(f.t, f.st.Commit(f.ctx, b))
}

// bumped makes an entity its next version as the use cases write it:
// version one up, changed now.
func bumped(version *int, updated *time.Time) {
	*version++
	*updated = now()
}

// The IDs of entities, for ids and walk.
func contactID(c crm.Contact) string         { return c.ID }
func opportunityID(o crm.Opportunity) string { return o.ID }
func partyID(p crm.Party) string             { return p.ID }
func noteID(n crm.Note) string               { return n.ID }
func fileID(f crm.File) string               { return f.ID }
func userID(u crm.User) string               { return u.ID }
func stateID(s crm.State) string             { return s.ID }
func timelineID(i crm.TimelineItem) string   { return i.EventID }
