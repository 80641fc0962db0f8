package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

var pipelineTests = []test{
	{"CommitWritesEveryKindOfChange", testCommitEveryKind},
	{"CommitIsAllOrNothing", testCommitAllOrNothing},
	{"CommitGuardsEveryWriteByVersion", testCommitVersionGuards},
	{"CommitRefusesReferencesToNothing", testCommitReferences},
	{"StateCountsFollowCommits", testStateCounts},
	{"CountersHandOutEachNumberOnce", testCounters},
	{"ConcurrentOpportunitiesGetDistinctNumbers", testConcurrentNumbers},
}

// everyKind is a batch with one change of every kind a Batch holds, on top
// of a stored state, contact (merged into) and interest.
type everyKind struct {
	state    crm.State
	merged   crm.Contact // stored before; the batch merges into it
	contact  crm.Contact // the new contact
	opp      crm.Opportunity
	party    crm.Party
	quote    crm.Quote
	note     crm.Note
	file     crm.File
	lead     crm.KeyedLead
	mergeSet crm.ContactMerge
}

func newEveryKind(f *fixture) everyKind {
	f.t.Helper()
	in, ag := f.interest("Hosting"), f.agent("A1")
	e := everyKind{state: f.state(crm.State{}), merged: f.contact(crm.Contact{Name: "Ana"})}
	n := now()
	e.contact = crm.Contact{ID: crm.NewID(n), Name: "Bea", Email: "bea@example.com", Phone: "+34600000010",
		InterestIDs: []string{in.ID}, AgentID: ag.ID, CreatedAt: n, UpdatedAt: n, Version: 1}
	e.opp = crm.Opportunity{ID: crm.NewID(n), Number: 1, ContactID: e.contact.ID, Description: "Web", StateID: e.state.ID,
		InterestID: in.ID, AgentID: ag.ID, Currency: "EUR", Outcome: crm.OutcomeOpen, CreatedAt: n, UpdatedAt: n, Version: 1}
	e.party = crm.Party{Kind: crm.PartyClient, ID: crm.NewID(n), Code: "C00001", Name: "Bea", LegalName: "Bea",
		AgentID: ag.ID, MainContactID: e.contact.ID, CreatedAt: n, UpdatedAt: n, Version: 1}
	e.quote = crm.Quote{ID: crm.NewID(n), Number: "2026-0001", OpportunityID: e.opp.ID, ContactID: e.contact.ID,
		Lines:         []crm.QuoteLine{{Description: "Hosting", InterestID: in.ID, QuantityMilli: 1000, UnitPriceCents: 100, TaxBP: 2100, NetCents: 100, TaxCents: 21, TotalCents: 121}},
		SubtotalCents: 100, TaxCents: 21, TotalCents: 121, Currency: "EUR", Status: crm.QuoteDraft, CreatedAt: n, UpdatedAt: n, Version: 1}
	aviso := n.Add(time.Hour)
	e.note = crm.Note{ID: crm.NewID(n), ParentKind: crm.ParentOpportunity, ParentID: e.opp.ID, ContactID: e.contact.ID,
		Text: "Llamar", InterestID: in.ID, Visibility: crm.VisibilityTeam, AvisoAt: &aviso, CreatedBy: actor.ID, CreatedAt: n, UpdatedAt: n, Version: 1}
	e.file = crm.File{ID: crm.NewID(n), ParentKind: crm.ParentOpportunity, ParentID: e.opp.ID, ContactID: e.contact.ID,
		Name: "oferta.pdf", ContentType: "application/pdf", Size: 2048, Status: crm.FileComplete, CreatedAt: n, UpdatedAt: n, Version: 1}
	e.mergeSet = crm.ContactMerge{ContactID: e.merged.ID, Fill: crm.Contact{Company: "ACME"}, UpdatedAt: n}
	e.lead = crm.KeyedLead{Key: "src#json#k1", Record: crm.LeadRecord{ID: crm.NewID(n), SourceID: newID(), Format: crm.FormatJSON,
		ExternalID: "k1", Outcome: crm.OutcomeCreated, ContactID: e.contact.ID, OpportunityID: e.opp.ID, ReceivedAt: n}}
	return e
}

func (e everyKind) batch() crm.Batch {
	return crm.Batch{
		Contacts:      []crm.Write[crm.Contact]{{New: e.contact}},
		Opportunities: []crm.Write[crm.Opportunity]{{New: e.opp}},
		Parties:       []crm.Write[crm.Party]{{New: e.party}},
		Quotes:        []crm.Write[crm.Quote]{{New: e.quote}},
		StateCounts:   map[string]int64{e.state.ID: 1},
		Counters:      []crm.CounterStep{{Name: "opportunity", From: 0}},
		Notes:         []crm.Write[crm.Note]{{New: e.note}},
		Files:         []crm.Write[crm.File]{{New: e.file}},
		Merges:        []crm.ContactMerge{e.mergeSet},
		Leads:         []crm.KeyedLead{e.lead},
	}
}

// testCommitEveryKind: one batch writes a change of every kind, each read
// back as written.
func testCommitEveryKind(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	e := newEveryKind(f)
	f.commit(e.batch())
	same(t, "contact", must(st.GetContact(ctx, e.contact.ID))(t), e.contact)
	same(t, "opportunity", must(st.GetOpportunity(ctx, e.opp.ID))(t), e.opp)
	same(t, "party", must(st.GetParty(ctx, crm.PartyClient, e.party.ID))(t), e.party)
	same(t, "quote", must(st.GetQuote(ctx, e.quote.ID))(t), e.quote)
	same(t, "note", must(st.GetNote(ctx, e.note.ID))(t), e.note)
	same(t, "file", must(st.GetFile(ctx, e.file.ID))(t), e.file)
	same(t, "lead", must(st.GetLeadRecord(ctx, e.lead.Key))(t), e.lead.Record)
	if c := must(st.GetContact(ctx, e.merged.ID))(t); c.Company != "ACME" || c.Version != 2 {
		t.Fatalf("merged contact: %+v", c)
	}
	if n := must(st.StateCounts(ctx))(t)[e.state.ID]; n != 1 {
		t.Fatalf("state count %d, want 1", n)
	}
	if n := must(st.PeekNumber(ctx, "opportunity"))(t); n != 1 {
		t.Fatalf("counter at %d, want 1", n)
	}
	p := must(st.ListContacts(ctx, crm.ContactFilter{Email: e.contact.Email}, crm.ListOptions{Limit: 10}))(t)
	sameIDs(t, "contact by its e-mail", ids(p.Items, contactID), []string{e.contact.ID})
}

// testCommitAllOrNothing: a batch refused for one change (here a second
// delivery of its lead) writes none of the others.
func testCommitAllOrNothing(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	e := newEveryKind(f)
	first := e.lead
	first.Record.ID, first.Record.ContactID, first.Record.OpportunityID = newID(), e.merged.ID, ""
	f.commit(crm.Batch{Leads: []crm.KeyedLead{first}})

	wantCause(t, st.Commit(ctx, e.batch()), crm.ErrDuplicateLead)
	for what, err := range map[string]error{
		"contact":     second(st.GetContact(ctx, e.contact.ID)),
		"opportunity": second(st.GetOpportunity(ctx, e.opp.ID)),
		"party":       second(st.GetParty(ctx, crm.PartyClient, e.party.ID)),
		"quote":       second(st.GetQuote(ctx, e.quote.ID)),
		"note":        second(st.GetNote(ctx, e.note.ID)),
		"file":        second(st.GetFile(ctx, e.file.ID)),
	} {
		if crm.ErrorCode(err) != crm.CodeNotFound {
			t.Errorf("the refused batch wrote its %s: %v", what, err)
		}
	}
	same(t, "lead", must(st.GetLeadRecord(ctx, first.Key))(t), first.Record)
	same(t, "contact merged into", must(st.GetContact(ctx, e.merged.ID))(t), e.merged)
	if n := must(st.StateCounts(ctx))(t)[e.state.ID]; n != 0 {
		t.Errorf("state count %d, want 0", n)
	}
	if n := must(st.PeekNumber(ctx, "opportunity"))(t); n != 0 {
		t.Errorf("counter at %d, want 0", n)
	}
	f.contact(crm.Contact{Name: "Otra", Email: e.contact.Email, Phone: e.contact.Phone}) // nothing claimed
	if fs := must(st.ListFiles(ctx, crm.ParentOpportunity, e.opp.ID, crm.ListOptions{Limit: 10}))(t); len(fs.Items) != 0 {
		t.Errorf("the refused batch listed its file")
	}
}

// second returns the error of a read.
func second[T any](_ T, err error) error { return err }

// guarded checks that Commit writes a kind of entity only in place of the
// version read: cur is stored, next makes its next version, missing was
// never stored.
func guarded[T any](t *testing.T, st crm.Store, kind string, cur, missing T, next func(T) T,
	batch func(crm.Write[T]) crm.Batch, get func(T) (T, error)) {
	t.Helper()
	ctx := t.Context()
	v2 := next(cur)
	noErr(t, st.Commit(ctx, batch(crm.Write[T]{Old: cur, New: v2})))
	same(t, kind+" updated", must(get(cur))(t), v2)
	for what, w := range map[string]crm.Write[T]{
		"stale update": {Old: cur, New: next(cur)},
		"stale delete": {Old: cur, Delete: true},
	} {
		if err := st.Commit(ctx, batch(w)); crm.ErrorCode(err) != crm.CodePreconditionFailed {
			t.Fatalf("%s: %s: %v, want precondition_failed", kind, what, err)
		}
	}
	same(t, kind+" after stale writes", must(get(cur))(t), v2)
	for what, w := range map[string]crm.Write[T]{
		"update of a missing one": {Old: missing, New: next(missing)},
		"delete of a missing one": {Old: missing, Delete: true},
	} {
		if err := st.Commit(ctx, batch(w)); crm.ErrorCode(err) != crm.CodeNotFound {
			t.Fatalf("%s: %s: %v, want not_found", kind, what, err)
		}
	}
	noErr(t, st.Commit(ctx, batch(crm.Write[T]{Old: v2, Delete: true})))
	if _, err := get(cur); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Fatalf("%s deleted: %v", kind, err)
	}
}

// testCommitVersionGuards: every entity a batch writes is guarded by the
// version read; a write of one that does not exist is not_found.
func testCommitVersionGuards(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	s := f.state(crm.State{})
	c := f.contact(crm.Contact{Name: "Ana", Email: "ana@example.com"})
	o := f.opportunity(crm.Opportunity{ContactID: c.ID, StateID: s.ID})
	p := f.party(crm.Party{Kind: crm.PartySupplier, Code: "P00001", MainContactID: c.ID})
	q := f.quote(crm.Quote{Number: "2026-0001", OpportunityID: o.ID, ContactID: c.ID})
	n := f.note(crm.Note{ParentKind: crm.ParentContact, ParentID: c.ID, ContactID: c.ID})
	fl := f.file(crm.File{ParentKind: crm.ParentContact, ParentID: c.ID, ContactID: c.ID})
	cm := f.contact(crm.Contact{Name: "Bea"})
	missingID := newID()

	guarded(t, st, "opportunity", o, crm.Opportunity{ID: missingID, ContactID: c.ID, StateID: s.ID, Version: 1},
		func(v crm.Opportunity) crm.Opportunity {
			v.Description += "+"
			bumped(&v.Version, &v.UpdatedAt)
			return v
		},
		func(w crm.Write[crm.Opportunity]) crm.Batch {
			return crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{w}}
		},
		func(v crm.Opportunity) (crm.Opportunity, error) { return st.GetOpportunity(ctx, v.ID) })
	guarded(t, st, "party", p, crm.Party{Kind: crm.PartySupplier, ID: missingID, Version: 1},
		func(v crm.Party) crm.Party { v.Name += "+"; bumped(&v.Version, &v.UpdatedAt); return v },
		func(w crm.Write[crm.Party]) crm.Batch { return crm.Batch{Parties: []crm.Write[crm.Party]{w}} },
		func(v crm.Party) (crm.Party, error) { return st.GetParty(ctx, crm.PartySupplier, v.ID) })
	guarded(t, st, "quote", q, crm.Quote{ID: missingID, Version: 1},
		func(v crm.Quote) crm.Quote { v.ValidUntil = "2030-01-01"; bumped(&v.Version, &v.UpdatedAt); return v },
		func(w crm.Write[crm.Quote]) crm.Batch { return crm.Batch{Quotes: []crm.Write[crm.Quote]{w}} },
		func(v crm.Quote) (crm.Quote, error) { return st.GetQuote(ctx, v.ID) })
	guarded(t, st, "note", n, crm.Note{ID: missingID, Version: 1},
		func(v crm.Note) crm.Note { v.Text += "+"; bumped(&v.Version, &v.UpdatedAt); return v },
		func(w crm.Write[crm.Note]) crm.Batch { return crm.Batch{Notes: []crm.Write[crm.Note]{w}} },
		func(v crm.Note) (crm.Note, error) { return st.GetNote(ctx, v.ID) })
	guarded(t, st, "file", fl, crm.File{ID: missingID, Version: 1},
		func(v crm.File) crm.File { v.Name += "+"; bumped(&v.Version, &v.UpdatedAt); return v },
		func(w crm.Write[crm.File]) crm.Batch { return crm.Batch{Files: []crm.Write[crm.File]{w}} },
		func(v crm.File) (crm.File, error) { return st.GetFile(ctx, v.ID) })
	guarded(t, st, "contact", cm, crm.Contact{ID: missingID, Name: "Nadie", Version: 1},
		func(v crm.Contact) crm.Contact { v.Surname += "+"; bumped(&v.Version, &v.UpdatedAt); return v },
		func(w crm.Write[crm.Contact]) crm.Batch { return crm.Batch{Contacts: []crm.Write[crm.Contact]{w}} },
		func(v crm.Contact) (crm.Contact, error) { return st.GetContact(ctx, v.ID) })
}

// testCommitReferences: what a written opportunity, quote, note, party or
// contact refers to must exist; the error names the field and the batch
// writes nothing.
func testCommitReferences(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	s, c := f.state(crm.State{}), f.contact(crm.Contact{})
	o := f.opportunity(crm.Opportunity{ContactID: c.ID, StateID: s.ID})
	missing := newID()
	newOpp := func(change func(*crm.Opportunity), state string) crm.Batch {
		v := crm.Opportunity{ContactID: c.ID, StateID: state, Description: "x", Currency: "EUR", Outcome: crm.OutcomeOpen}
		stamp(&v.ID, &v.CreatedAt, &v.UpdatedAt, &v.Version)
		change(&v)
		return crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{New: v}}, StateCounts: map[string]int64{state: 1}}
	}
	newContact := func(change func(*crm.Contact)) crm.Batch {
		v := crm.Contact{Name: "Nuevo"}
		stamp(&v.ID, &v.CreatedAt, &v.UpdatedAt, &v.Version)
		change(&v)
		return crm.Batch{Contacts: []crm.Write[crm.Contact]{{New: v}}}
	}
	quote := crm.Quote{Number: "2026-0001", OpportunityID: o.ID, ContactID: c.ID, Currency: "EUR", Status: crm.QuoteDraft,
		Lines: []crm.QuoteLine{{Description: "x", InterestID: missing, QuantityMilli: 1000}}}
	stamp(&quote.ID, &quote.CreatedAt, &quote.UpdatedAt, &quote.Version)
	note := crm.Note{ParentKind: crm.ParentContact, ParentID: c.ID, ContactID: c.ID, Text: "x", Visibility: crm.VisibilityTeam, InterestID: missing}
	stamp(&note.ID, &note.CreatedAt, &note.UpdatedAt, &note.Version)
	party := crm.Party{Kind: crm.PartyClient, Code: "C00001", Name: "x", LegalName: "x", AgentID: missing, MainContactID: c.ID}
	stamp(&party.ID, &party.CreatedAt, &party.UpdatedAt, &party.Version)
	for _, tc := range []struct {
		field string
		batch crm.Batch
	}{
		{"contactId", newOpp(func(o *crm.Opportunity) { o.ContactID = missing }, s.ID)},
		{"agentId", newOpp(func(o *crm.Opportunity) { o.AgentID = missing }, s.ID)},
		{"assigneeId", newOpp(func(o *crm.Opportunity) { o.AssigneeID = missing }, s.ID)},
		{"interestId", newOpp(func(o *crm.Opportunity) { o.InterestID = missing }, s.ID)},
		{"stateId", newOpp(func(*crm.Opportunity) {}, missing)},
		{"lines[0].interestId", crm.Batch{Quotes: []crm.Write[crm.Quote]{{New: quote}}}},
		{"interestId", crm.Batch{Notes: []crm.Write[crm.Note]{{New: note}}}},
		{"agentId", crm.Batch{Parties: []crm.Write[crm.Party]{{New: party}}}},
		{"sourceId", newContact(func(c *crm.Contact) { c.SourceID = missing })},
		{"agentId", newContact(func(c *crm.Contact) { c.AgentID = missing })},
		{"interestIds", newContact(func(c *crm.Contact) { c.InterestIDs = []string{missing} })},
	} {
		wantField(t, st.Commit(ctx, tc.batch), crm.CodeInvalid, tc.field)
	}
	if p := must(st.ListOpportunities(ctx, crm.OpportunityFilter{}, crm.ListOptions{Limit: 10}))(t); len(p.Items) != 1 {
		t.Errorf("refused batches wrote opportunities: %d", len(p.Items))
	}
	if p := must(st.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{Limit: 10}))(t); len(p.Items) != 1 {
		t.Errorf("refused batches wrote contacts: %d", len(p.Items))
	}
	for what, err := range map[string]error{
		"quote": second(st.GetQuote(ctx, quote.ID)), "note": second(st.GetNote(ctx, note.ID)),
		"party": second(st.GetParty(ctx, crm.PartyClient, party.ID)),
	} {
		if crm.ErrorCode(err) != crm.CodeNotFound {
			t.Errorf("a refused batch wrote its %s: %v", what, err)
		}
	}
	if n := must(st.StateCounts(ctx))(t)[s.ID]; n != 1 {
		t.Errorf("state count %d, want 1", n)
	}
}

// testStateCounts: the per-state counts move with the deltas of each batch.
func testStateCounts(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	a, b := f.state(crm.State{Name: "A"}), f.state(crm.State{Name: "B"})
	c := f.contact(crm.Contact{})
	counts := func(wantA, wantB int64) {
		t.Helper()
		got := must(st.StateCounts(ctx))(t)
		if got[a.ID] != wantA || got[b.ID] != wantB {
			t.Fatalf("counts %v, want A %d and B %d", got, wantA, wantB)
		}
	}
	counts(0, 0)
	o1 := f.opportunity(crm.Opportunity{ContactID: c.ID, StateID: a.ID})
	o2 := f.opportunity(crm.Opportunity{ContactID: c.ID, StateID: a.ID})
	counts(2, 0)
	moved := o1
	moved.StateID = b.ID
	bumped(&moved.Version, &moved.UpdatedAt)
	f.commit(crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{Old: o1, New: moved}}, StateCounts: map[string]int64{a.ID: -1, b.ID: 1}})
	counts(1, 1)
	f.commit(crm.Batch{Opportunities: []crm.Write[crm.Opportunity]{{Old: o2, Delete: true}}, StateCounts: map[string]int64{a.ID: -1}})
	counts(0, 1)
	f.commit(crm.Batch{StateCounts: map[string]int64{b.ID: 2, a.ID: 0}})
	counts(0, 3)
}

// testCounters: a counter advances by one per batch that names the value
// it read; a batch naming a value used already fails with the conflict
// crm retries on (naming "counter"), and a failed batch takes no number.
func testCounters(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	peek := func(name string, want int64) {
		t.Helper()
		if n := must(st.PeekNumber(ctx, name))(t); n != want {
			t.Fatalf("counter %s at %d, want %d", name, n, want)
		}
	}
	peek("opportunity", 0)
	f.commit(crm.Batch{Counters: []crm.CounterStep{{Name: "opportunity", From: 0}}})
	peek("opportunity", 1)
	c := crm.Contact{Name: "Ana"}
	stamp(&c.ID, &c.CreatedAt, &c.UpdatedAt, &c.Version)
	for _, from := range []int64{0, 2} {
		b := crm.Batch{Counters: []crm.CounterStep{{Name: "opportunity", From: from}}, Contacts: []crm.Write[crm.Contact]{{New: c}}}
		wantCause(t, st.Commit(ctx, b), crm.ErrConcurrentWrite)
	}
	_, err := st.GetContact(ctx, c.ID)
	wantCode(t, err, crm.CodeNotFound)
	peek("opportunity", 1)
	// A batch refused for something else takes no number.
	b := crm.Batch{Counters: []crm.CounterStep{{Name: "opportunity", From: 1}},
		Contacts: []crm.Write[crm.Contact]{{New: crm.Contact{ID: newID(), Name: "x", SourceID: newID(), Version: 1}}}}
	wantField(t, st.Commit(ctx, b), crm.CodeInvalid, "sourceId")
	peek("opportunity", 1)
	f.commit(crm.Batch{Counters: []crm.CounterStep{{Name: "opportunity", From: 1}, {Name: "quote-2026", From: 0}}})
	peek("opportunity", 2)
	peek("quote-2026", 1)
	peek("client", 0)
}

// testConcurrentNumbers: opportunities opened at the same moment never
// share a number, and numbers have no gaps.
func testConcurrentNumbers(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	c := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana"}))(t)
	const n = 8
	numbers := make([]int64, n)
	var wg sync.WaitGroup
	for i := range numbers {
		wg.Go(func() {
			o, err := svc.CreateOpportunity(ctx, actor, crm.Opportunity{ContactID: c.ID, Description: "op"})
			if err != nil {
				t.Errorf("opportunity %d: %v", i, err)
			}
			numbers[i] = o.Number
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, num := range numbers {
		if num < 1 || num > n || seen[num] {
			t.Fatalf("numbers %v: want each of 1..%d once", numbers, n)
		}
		seen[num] = true
	}
	if tabs := tabCounts(t, svc); tabs["Nuevo"] != n {
		t.Fatalf("tabs %v, want %d in Nuevo", tabs, n)
	}
}
