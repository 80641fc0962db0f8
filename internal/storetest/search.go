package storetest

import (
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

var searchTests = []test{
	{"FindsTheStartOfAnyWord", testSearchAnyWord},
	{"ListsAContactOnceInWordOrder", testSearchListsOnce},
	{"FollowsUpdatesAndDeletes", testSearchFollowsChanges},
	{"FindsWhatALeadMergeFilled", testSearchMergeFill},
	{"ReadsByTheRarestWord", testSearchRarestWord},
}

// search lists, through the use case that normalises the query, the IDs
// of the contacts q finds (with the rest of f), in one page.
func search(t *testing.T, svc *crm.Service, q string, f crm.ContactFilter) []string {
	t.Helper()
	f.Query = q
	p, err := svc.ListContacts(t.Context(), f, crm.ListOptions{Limit: 50})
	noErr(t, err)
	return ids(p.Items, contactID)
}

// testSearchAnyWord: q finds a contact by the start of any word of its
// name, surname or company, in any case and with or without accents; a
// query of several words finds the contacts having a word that starts
// with each, in any order.
func testSearchAnyWord(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	src := must(svc.CreateSource(ctx, crm.Source{Name: "Feria"}))(t)
	jose := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "José", Surname: "Pérez Álvarez", Company: "Talleres Pérez, S.L.",
		SourceID: src.ID}))(t)
	ana := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Surname: "Álvaro", Company: "Tallón e Hijos"}))(t)
	for q, want := range map[string][]string{
		"perez":         {jose.ID},
		"alvarez":       {jose.ID},
		"talleres":      {jose.ID},
		"Jose":          {jose.ID},
		"PÉREZ":         {jose.ID},
		"Álvarez":       {jose.ID},
		"alva":          {jose.ID, ana.ID}, // by the word found: alvarez, then alvaro
		"tall":          {jose.ID, ana.ID}, // talleres, tallon
		"hijos":         {ana.ID},
		"jose per":      {jose.ID},
		"per jose":      {jose.ID},
		"tal alv":       {jose.ID, ana.ID},
		"pérez-álvarez": {jose.ID},
		"s.l.":          {jose.ID},
		"ana per":       nil,
		"erez":          nil, // inside a word, not its start
		"ruiz":          nil,
	} {
		sameIDs(t, "q="+q, search(t, svc, q, crm.ContactFilter{}), want)
	}
	sameIDs(t, "q with a source", search(t, svc, "tall", crm.ContactFilter{SourceID: src.ID}), []string{jose.ID})
	sameIDs(t, "q with a kind", search(t, svc, "tall", crm.ContactFilter{Kind: crm.KindClient}), nil)
}

// testSearchListsAContactOnce: a contact with several words starting
// with the term is listed once, under the first of them; the list is in
// the order of the words found, then of the contacts' IDs, page after
// page.
func testSearchListsOnce(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	pablo := f.contact(crm.Contact{Name: "Pablo", Surname: "Pérez Pons", Company: "Papelería Pons"})
	pedro := f.contact(crm.Contact{Name: "Pedro"})
	ana := f.contact(crm.Contact{Name: "Ana", Surname: "Pons"})
	pilar := f.contact(crm.Contact{Name: "Pilar", Company: "Pablo y Pedro"})
	f.contact(crm.Contact{Name: "Bea", Company: "Sol"})
	q := crm.ContactFilter{Query: "P"}
	noErr(t, q.Normalize("ES"))
	want := []string{pablo.ID, pilar.ID, pedro.ID, ana.ID} // pablo, pablo; pedro; pons
	walk(t, "q=p", contactID, want, func(o crm.ListOptions) (crm.Page[crm.Contact], error) { return st.ListContacts(ctx, q, o) })
	q = crm.ContactFilter{Query: "pons pa"}
	noErr(t, q.Normalize("ES"))
	walk(t, "q=pons pa", contactID, []string{pablo.ID}, func(o crm.ListOptions) (crm.Page[crm.Contact], error) { return st.ListContacts(ctx, q, o) })
}

// testSearchFollowsChanges: the search finds a contact by its words as
// they are now: an update's new words, not its old ones, and nothing once
// it is deleted.
func testSearchFollowsChanges(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	c := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "José", Surname: "Pérez", Company: "Talleres Pérez"}))(t)
	c = must(svc.UpdateContact(ctx, c.ID, c.Version, func(c *crm.Contact) error {
		c.Surname, c.Company = "Gil Ruiz", ""
		return nil
	}))(t)
	for q, want := range map[string][]string{"perez": nil, "talleres": nil, "gil": {c.ID}, "ruiz": {c.ID}, "jose": {c.ID}} {
		sameIDs(t, "after the update, q="+q, search(t, svc, q, crm.ContactFilter{}), want)
	}
	noErr(t, svc.DeleteContact(ctx, c.ID, 0))
	for _, q := range []string{"jose", "gil", "ruiz"} {
		sameIDs(t, "after the delete, q="+q, search(t, svc, q, crm.ContactFilter{}), nil)
	}
}

// testSearchMergeFill: a lead that fills a contact's surname or company
// makes the search find the contact by their words; a lead whose surname
// the contact does not take (it has one) does not.
func testSearchMergeFill(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	src := hookSource(t, svc, crm.Webhook{Kind: crm.FormatJSON})
	ana := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"}))(t)
	bea := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Bea", Surname: "Soto", Company: "Soto SL", Email: "bea@example.com"}))(t)
	for _, l := range []crm.Lead{
		{Format: crm.FormatJSON, Name: "Ana", Surname: "Ruiz", Company: "Ruiz y Gil", Email: "ana@example.com"},
		{Format: crm.FormatJSON, Name: "Bea", Surname: "Rubio", Company: "Rubio Hermanos", Email: "bea@example.com"},
	} {
		rec, _, err := svc.IntakeLead(ctx, src, l)
		if err != nil || rec.Outcome != crm.OutcomeMerged {
			t.Fatalf("lead of %s: %+v %v", l.Email, rec, err)
		}
	}
	if got := must(svc.GetContact(ctx, ana.ID))(t); got.Surname != "Ruiz" || got.Company != "Ruiz y Gil" {
		t.Fatalf("merged into Ana: %+v", got)
	}
	if got := must(svc.GetContact(ctx, bea.ID))(t); got.Surname != "Soto" || got.Company != "Soto SL" || got.Version != 2 {
		t.Fatalf("merged into Bea: %+v", got)
	}
	for q, want := range map[string][]string{"ruiz": {ana.ID}, "gil": {ana.ID}, "ana ru": {ana.ID}, "soto": {bea.ID},
		"rubio": nil, "hermanos": nil, "r": {ana.ID}} {
		sameIDs(t, "after the merges, q="+q, search(t, svc, q, crm.ContactFilter{}), want)
	}
}

// testSearchRarestWord: a query of several words reads by the one the
// fewest search words start with (ties: the longest), so its list is in
// the order of that word's, page after page, whatever the order of the
// terms.
func testSearchRarestWord(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	x2 := f.contact(crm.Contact{Name: "Ana", Surname: "X2"})
	x1 := f.contact(crm.Contact{Name: "Ana", Surname: "X1"})
	var gils []string
	for range 3 {
		gils = append(gils, f.contact(crm.Contact{Name: "Ana", Surname: "Gil"}).ID)
	}
	x3 := f.contact(crm.Contact{Name: "Bea", Surname: "X3"})
	for q, want := range map[string][]string{
		"ana x":  {x1.ID, x2.ID},                          // by x1, x2: three x words, five ana
		"x ana":  {x1.ID, x2.ID},                          // the same
		"an x":   {x1.ID, x2.ID},                          // the same counts: an is not longer for that
		"x bea":  {x3.ID},                                 // one bea
		"ana an": append([]string{x2.ID, x1.ID}, gils...), // a tie: by the longest, ana, then the IDs
		"gil an": gils,
		"x":      {x1.ID, x2.ID, x3.ID}, // one word
	} {
		fl := crm.ContactFilter{Query: q}
		noErr(t, fl.Normalize("ES"))
		all := must(st.ListContacts(ctx, fl, crm.ListOptions{Limit: 50}))(t)
		sameIDs(t, "q="+q, ids(all.Items, contactID), want)
		walk(t, "q="+q+", in pages", contactID, want, func(o crm.ListOptions) (crm.Page[crm.Contact], error) {
			return st.ListContacts(ctx, fl, o)
		})
	}
}
