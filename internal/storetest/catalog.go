package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

var catalogTests = []test{
	{"SourceLifecycle", testSourceLifecycle},
	{"InterestLifecycle", testInterestLifecycle},
	{"AgentLifecycle", testAgentLifecycle},
	{"NamesAndAgentCodesAreUnique", testCatalogUniqueness},
	{"WebhookTokenFindsItsSource", testWebhookLookup},
	{"ReferencesMustExist", testCatalogReferences},
	{"CountContactsWithFollowsContacts", testCountContactsWith},
	{"EntriesInUseCannotBeDeleted", testCatalogInUse},
}

// catalogOps is one kind of catalog entry as the port keeps it.
type catalogOps[T any] struct {
	create func(context.Context, T) error
	get    func(context.Context, string) (T, error)
	update func(ctx context.Context, old, next T) error
	delete func(context.Context, T) error
	list   func(context.Context, crm.ListOptions) (crm.Page[T], error)
	id     func(T) string
	// make returns the i-th new entry (ID, dates and version 1 set); change
	// returns the next version of an entry with other values.
	make   func(i int) T
	change func(T) T
}

// catalogLifecycle checks one kind of entry: every field kept by create
// and update, oldest first in pages, updates and deletes guarded by the
// version, an unknown ID not_found.
func catalogLifecycle[T any](t *testing.T, ops catalogOps[T]) {
	ctx := t.Context()
	var made []T
	for i := range 5 {
		v := ops.make(i)
		noErr(t, ops.create(ctx, v))
		same(t, "created entry", must(ops.get(ctx, ops.id(v)))(t), v)
		made = append(made, v)
	}
	walk(t, "entries oldest first", ops.id, ids(made, ops.id), func(o crm.ListOptions) (crm.Page[T], error) { return ops.list(ctx, o) })

	v := made[0]
	next := ops.change(v)
	noErr(t, ops.update(ctx, v, next))
	same(t, "updated entry", must(ops.get(ctx, ops.id(v)))(t), next)
	wantCode(t, ops.update(ctx, v, ops.change(v)), crm.CodePreconditionFailed)
	wantCode(t, ops.delete(ctx, v), crm.CodePreconditionFailed)
	same(t, "entry after stale writes", must(ops.get(ctx, ops.id(v)))(t), next)
	noErr(t, ops.delete(ctx, next))
	_, err := ops.get(ctx, ops.id(v))
	wantCode(t, err, crm.CodeNotFound)
	wantCode(t, ops.update(ctx, next, ops.change(next)), crm.CodeNotFound)
	wantCode(t, ops.delete(ctx, next), crm.CodeNotFound)
}

func testSourceLifecycle(t *testing.T, st crm.Store) {
	f := fixtures(t, st)
	ag, state := f.agent("A1"), f.state(crm.State{})
	catalogLifecycle(t, catalogOps[crm.Source]{
		create: st.CreateSource, get: st.GetSource, update: st.UpdateSource, delete: st.DeleteSource, list: st.ListSources,
		id: func(s crm.Source) string { return s.ID },
		make: func(i int) crm.Source {
			s := crm.Source{Name: fmt.Sprintf("Fuente %d", i), Observations: "Campaña", CostCents: int64(1000 * i)}
			if i%2 == 0 {
				s.Webhook = &crm.Webhook{Kind: crm.FormatJSON, TokenHash: crm.HashToken(newID()), Secret: "s3cret",
					VerifyToken: "verify", AccessToken: "access", FieldMap: map[string]string{"nombre": "name"},
					AllowedOrigins: []string{"https://www.example.com"}, RedirectURL: "https://www.example.com/gracias",
					Honeypot: "_gotcha", DefaultAgentID: ag.ID, Assignment: crm.AssignFixed, CreateOpportunity: true,
					OpportunityStateID: state.ID}
			}
			stamp(&s.ID, &s.CreatedAt, &s.UpdatedAt, &s.Version)
			return s
		},
		change: func(s crm.Source) crm.Source {
			s.Name, s.Observations, s.CostCents = s.Name+" bis", "", s.CostCents+1
			s.Webhook = &crm.Webhook{Kind: crm.FormatGoogleAds, TokenHash: crm.HashToken(newID()), Assignment: crm.AssignRoundRobin}
			bumped(&s.Version, &s.UpdatedAt)
			return s
		},
	})
}

func testInterestLifecycle(t *testing.T, st crm.Store) {
	catalogLifecycle(t, catalogOps[crm.Interest]{
		create: st.CreateInterest, get: st.GetInterest, update: st.UpdateInterest, delete: st.DeleteInterest, list: st.ListInterests,
		id: func(i crm.Interest) string { return i.ID },
		make: func(i int) crm.Interest {
			v := crm.Interest{Name: fmt.Sprintf("Interés %d", i), Observations: "Servicio"}
			stamp(&v.ID, &v.CreatedAt, &v.UpdatedAt, &v.Version)
			return v
		},
		change: func(v crm.Interest) crm.Interest {
			v.Name, v.Observations = v.Name+" bis", ""
			bumped(&v.Version, &v.UpdatedAt)
			return v
		},
	})
}

func testAgentLifecycle(t *testing.T, st crm.Store) {
	u := fixtures(t, st).user(crm.User{Email: "agente@example.com"})
	catalogLifecycle(t, catalogOps[crm.Agent]{
		create: st.CreateAgent, get: st.GetAgent, update: st.UpdateAgent, delete: st.DeleteAgent, list: st.ListAgents,
		id: func(a crm.Agent) string { return a.ID },
		make: func(i int) crm.Agent {
			a := crm.Agent{Code: fmt.Sprintf("A%d", i), Name: "Agente", Email: "agente@example.com", Active: true, UserID: u.ID}
			stamp(&a.ID, &a.CreatedAt, &a.UpdatedAt, &a.Version)
			return a
		},
		change: func(a crm.Agent) crm.Agent {
			a.Code, a.Name, a.Email, a.Active, a.UserID = a.Code+"X", "Otro", "", false, ""
			bumped(&a.Version, &a.UpdatedAt)
			return a
		},
	})
}

// testCatalogUniqueness: a source name and an interest name (ignoring case
// and accents) and an agent code name one entry; the conflict names the
// entry holding it; renaming or deleting frees them.
func testCatalogUniqueness(t *testing.T, st crm.Store) {
	ctx := t.Context()
	for _, tc := range []struct {
		kind, field  string
		value, equal string // equal is value written another way that is the same
		create       func(value string) (id string, err error)
		rename       func(id, value string) error
		delete       func(id string) error
	}{
		{
			kind: "source", field: "name", value: "Feria de Málaga", equal: " feria DE  malaga",
			create: func(v string) (string, error) {
				s := crm.Source{Name: v}
				stamp(&s.ID, &s.CreatedAt, &s.UpdatedAt, &s.Version)
				return s.ID, st.CreateSource(ctx, s)
			},
			rename: func(id, v string) error {
				old := must(st.GetSource(ctx, id))(t)
				next := old
				next.Name = v
				bumped(&next.Version, &next.UpdatedAt)
				return st.UpdateSource(ctx, old, next)
			},
			delete: func(id string) error { return st.DeleteSource(ctx, must(st.GetSource(ctx, id))(t)) },
		},
		{
			kind: "interest", field: "name", value: "Diseño Web", equal: "diseno  WEB",
			create: func(v string) (string, error) {
				i := crm.Interest{Name: v}
				stamp(&i.ID, &i.CreatedAt, &i.UpdatedAt, &i.Version)
				return i.ID, st.CreateInterest(ctx, i)
			},
			rename: func(id, v string) error {
				old := must(st.GetInterest(ctx, id))(t)
				next := old
				next.Name = v
				bumped(&next.Version, &next.UpdatedAt)
				return st.UpdateInterest(ctx, old, next)
			},
			delete: func(id string) error { return st.DeleteInterest(ctx, must(st.GetInterest(ctx, id))(t)) },
		},
		{
			kind: "agent", field: "code", value: "A1", equal: "A1",
			create: func(v string) (string, error) {
				a := crm.Agent{Code: v, Name: "Agente"}
				stamp(&a.ID, &a.CreatedAt, &a.UpdatedAt, &a.Version)
				return a.ID, st.CreateAgent(ctx, a)
			},
			rename: func(id, v string) error {
				old := must(st.GetAgent(ctx, id))(t)
				next := old
				next.Code = v
				bumped(&next.Version, &next.UpdatedAt)
				return st.UpdateAgent(ctx, old, next)
			},
			delete: func(id string) error { return st.DeleteAgent(ctx, must(st.GetAgent(ctx, id))(t)) },
		},
	} {
		first, err := tc.create(tc.value)
		noErr(t, err)
		_, err = tc.create(tc.equal)
		wantTaken(t, err, tc.field, first)
		second, err := tc.create("B2")
		noErr(t, err)
		wantTaken(t, tc.rename(second, tc.equal), tc.field, first)
		noErr(t, tc.rename(first, "C3"))
		noErr(t, tc.rename(second, tc.equal)) // freed by the rename
		_, err = tc.create("C3")
		wantTaken(t, err, tc.field, first)
		noErr(t, tc.delete(first))
		if _, err := tc.create("C3"); err != nil {
			t.Fatalf("%s: %s not freed by delete: %v", tc.kind, tc.field, err)
		}
	}
}

// testWebhookLookup: a webhook token's hash finds its source until it is
// rotated or removed, or the source deleted; no two sources share one.
func testWebhookLookup(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	h1, h2 := crm.HashToken("whk_one"), crm.HashToken("whk_two")
	s := f.source(crm.Source{Name: "Formulario", Webhook: &crm.Webhook{Kind: crm.FormatForm, TokenHash: h1}})
	same(t, "source by its token", must(st.SourceByWebhookHash(ctx, h1))(t), s)
	_, err := st.SourceByWebhookHash(ctx, crm.HashToken("whk_unknown"))
	wantCode(t, err, crm.CodeNotFound)
	other := crm.Source{ID: newID(), Name: "Otra", Webhook: &crm.Webhook{Kind: crm.FormatForm, TokenHash: h1}, Version: 1}
	wantTaken(t, st.CreateSource(ctx, other), "webhook.token", s.ID)

	rotated := s
	rotated.Webhook = &crm.Webhook{Kind: crm.FormatForm, TokenHash: h2}
	bumped(&rotated.Version, &rotated.UpdatedAt)
	noErr(t, st.UpdateSource(ctx, s, rotated))
	_, err = st.SourceByWebhookHash(ctx, h1)
	wantCode(t, err, crm.CodeNotFound)
	same(t, "source by its new token", must(st.SourceByWebhookHash(ctx, h2))(t), rotated)
	noErr(t, st.CreateSource(ctx, other)) // the old token is free

	removed := rotated
	removed.Webhook = nil
	bumped(&removed.Version, &removed.UpdatedAt)
	noErr(t, st.UpdateSource(ctx, rotated, removed))
	_, err = st.SourceByWebhookHash(ctx, h2)
	wantCode(t, err, crm.CodeNotFound)

	noErr(t, st.DeleteSource(ctx, other))
	_, err = st.SourceByWebhookHash(ctx, h1)
	wantCode(t, err, crm.CodeNotFound)
}

// testCatalogReferences: what a webhook or an agent names must exist.
func testCatalogReferences(t *testing.T, st crm.Store) {
	ctx, missing := t.Context(), newID()
	for field, err := range map[string]error{
		"webhook.defaultAgentId": st.CreateSource(ctx, crm.Source{ID: newID(), Name: "F", Version: 1,
			Webhook: &crm.Webhook{Kind: crm.FormatForm, TokenHash: crm.HashToken(newID()), DefaultAgentID: missing}}),
		"webhook.opportunityStateId": st.CreateSource(ctx, crm.Source{ID: newID(), Name: "F", Version: 1,
			Webhook: &crm.Webhook{Kind: crm.FormatForm, TokenHash: crm.HashToken(newID()), OpportunityStateID: missing}}),
		"userId": st.CreateAgent(ctx, crm.Agent{ID: newID(), Code: "A1", Name: "Agente", UserID: missing, Version: 1}),
	} {
		wantField(t, err, crm.CodeInvalid, field)
	}
	p := must(st.ListSources(ctx, crm.ListOptions{Limit: 10}))(t)
	a := must(st.ListAgents(ctx, crm.ListOptions{Limit: 10}))(t)
	if len(p.Items)+len(a.Items) != 0 {
		t.Fatalf("refused creates wrote %d sources and %d agents", len(p.Items), len(a.Items))
	}
	fixtures(t, st).agent("A1") // the refused agent's code was not claimed
}

// testCountContactsWith: the count of contacts using a source, agent or
// interest follows creates, updates and deletes.
func testCountContactsWith(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	src, ag, in := f.source(crm.Source{}), f.agent("A1"), f.interest("Hosting")
	a := f.contact(crm.Contact{Name: "Ana", SourceID: src.ID, AgentID: ag.ID, InterestIDs: []string{in.ID}})
	b := f.contact(crm.Contact{Name: "Bea", SourceID: src.ID, AgentID: ag.ID, InterestIDs: []string{in.ID}})
	f.contact(crm.Contact{Name: "Carmen"})
	counts := func(want int) {
		t.Helper()
		for field, id := range map[string]string{"sourceId": src.ID, "agentId": ag.ID, "interestId": in.ID} {
			if n := must(st.CountContactsWith(ctx, field, id))(t); n != want {
				t.Fatalf("%s: %d contacts, want %d", field, n, want)
			}
		}
	}
	counts(2)
	next := a
	next.SourceID, next.AgentID, next.InterestIDs, next.Version = "", "", nil, 2
	noErr(t, st.UpdateContact(ctx, a, next))
	counts(1)
	noErr(t, st.DeleteContact(ctx, b))
	counts(0)
	if n := must(st.CountContactsWith(ctx, "sourceId", newID()))(t); n != 0 {
		t.Fatalf("an unknown source has %d contacts", n)
	}
}

// testCatalogInUse: a source, agent or interest that contacts use cannot
// be deleted until they stop using it.
func testCatalogInUse(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	src := must(svc.CreateSource(ctx, crm.Source{Name: "Feria"}))(t)
	ag := must(svc.CreateAgent(ctx, crm.Agent{Code: "A1", Name: "Agente"}))(t)
	in := must(svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"}))(t)
	c := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", SourceID: src.ID, AgentID: ag.ID, InterestIDs: []string{in.ID}}))(t)
	deletes := map[string]func() error{
		"source":   func() error { return svc.DeleteSource(ctx, src.ID, 0) },
		"agent":    func() error { return svc.DeleteAgent(ctx, ag.ID, 0) },
		"interest": func() error { return svc.DeleteInterest(ctx, in.ID, 0) },
	}
	for kind, del := range deletes {
		if err := del(); crm.ErrorCode(err) != crm.CodeConflict {
			t.Fatalf("deleting a %s in use: %v", kind, err)
		}
	}
	noErr(t, svc.DeleteContact(ctx, c.ID, 0))
	for kind, del := range deletes {
		if err := del(); err != nil {
			t.Fatalf("deleting a %s no longer used: %v", kind, err)
		}
	}
}
