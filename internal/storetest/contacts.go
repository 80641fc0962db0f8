package storetest

import (
	"slices"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

var contactTests = []test{
	{"ReadBackAsWrittenAndMissingIsNotFound", testContactRoundTrip},
	{"EmailAndPhoneBelongToOneContact", testContactUniqueness},
	{"FailedCreateClaimsNothing", testFailedCreateClaimsNothing},
	{"NumberMovedFromPhoneToMobileStaysTheContacts", testNumberMovedToMobile},
	{"UpdateToAnotherContactsEmailIsRefused", testUpdateToTakenEmail},
	{"StaleOrMissingVersionIsRefused", testContactVersionGuards},
	{"ReferencesMustExist", testContactReferences},
	{"ListByEveryFilter", testListContactsByEveryFilter},
	{"ListPagesEveryAccessPathInOrder", testListContactsPages},
	{"ListRefusesCursorsOfOtherLists", testContactCursors},
}

// testContactRoundTrip: every field of a contact is kept, by create and by
// update, and an unknown ID is not_found.
func testContactRoundTrip(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	src, src2 := f.source(crm.Source{Name: "Feria"}), f.source(crm.Source{Name: "Web"})
	ag := f.agent("A1")
	in1, in2 := f.interest("Hosting"), f.interest("Diseño")
	c := f.contact(crm.Contact{
		Name: "José", Surname: "Pérez", Company: "ACME SL", JobTitle: "Gerente", Email: "jose@example.com",
		Phone: "+34600123456", Mobile: "+34611223344", TaxID: "B12345678", Web: "https://acme.example",
		Address:      crm.Address{Street: "Calle Mayor 1", PostalCode: "28001", City: "Madrid", Province: "Madrid", Country: "ES"},
		Observations: "Llamar por la tarde", SourceID: src.ID, InterestIDs: []string{in1.ID, in2.ID}, AgentID: ag.ID,
		ClientID: newID(), SupplierID: newID(), MarketingConsent: true, Lang: crm.LangEN,
		Attribution: crm.Attribution{UTMSource: "google", UTMMedium: "cpc", UTMCampaign: "enero", UTMTerm: "web",
			UTMContent: "a", GCLID: "g1", FBCLID: "f1", LandingPage: "https://acme.example/l", Referrer: "https://google.com"},
		CreatedBy: actor.ID, UpdatedBy: actor.ID,
	})
	same(t, "created contact", must(st.GetContact(ctx, c.ID))(t), c)

	next := c
	next.Surname, next.Company, next.Email, next.Phone, next.Mobile = "", "", "", "+34622000111", ""
	next.Address, next.Attribution, next.MarketingConsent = crm.Address{City: "Sevilla"}, crm.Attribution{}, false
	next.SourceID, next.AgentID, next.InterestIDs, next.ClientID, next.SupplierID = src2.ID, "", []string{in2.ID}, "", ""
	next.UpdatedBy, next.UpdatedAt, next.Version = "", now(), 2
	noErr(t, st.UpdateContact(ctx, c, next))
	same(t, "updated contact", must(st.GetContact(ctx, c.ID))(t), next)

	_, err := st.GetContact(ctx, newID())
	wantCode(t, err, crm.CodeNotFound)
}

// testContactUniqueness: an e-mail and a phone (as phone or mobile) belong
// to one contact; changing them frees the old ones, deleting frees all.
func testContactUniqueness(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	a, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "José", Surname: "Pérez", Email: " Jose@Example.com ", Phone: "+34 600 12 34 56"})
	noErr(t, err)
	if a.Email != "jose@example.com" || a.Phone != "+34600123456" {
		t.Fatalf("not normalised: %q %q", a.Email, a.Phone)
	}
	_, err = svc.CreateContact(ctx, actor, crm.Contact{Name: "Otro", Email: "JOSE@example.com"})
	wantTaken(t, err, "email", a.ID)
	_, err = svc.CreateContact(ctx, actor, crm.Contact{Name: "Otro", Mobile: "600123456"})
	wantTaken(t, err, "mobile", a.ID)
	// Changing the e-mail frees the old one and claims the new one.
	_, err = svc.UpdateContact(ctx, a.ID, a.Version, func(c *crm.Contact) error { c.Email = "pepe@example.com"; return nil })
	noErr(t, err)
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Nuevo", Email: "jose@example.com"}); err != nil {
		t.Fatalf("old e-mail not freed: %v", err)
	}
	_, err = svc.CreateContact(ctx, actor, crm.Contact{Name: "Nuevo", Email: "pepe@example.com"})
	wantTaken(t, err, "email", a.ID)
	// Deleting frees the phone.
	noErr(t, svc.DeleteContact(ctx, a.ID, 0))
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Tercero", Phone: "600 123 456"}); err != nil {
		t.Fatalf("phone not freed by delete: %v", err)
	}
	_, err = svc.GetContact(ctx, a.ID)
	wantCode(t, err, crm.CodeNotFound)
}

// testFailedCreateClaimsNothing: a create refused for one taken value
// claims none of the others.
func testFailedCreateClaimsNothing(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	ana := f.contact(crm.Contact{Name: "Ana", Email: "ana@example.com"})
	in := f.interest("Hosting")
	c := crm.Contact{ID: newID(), Name: "Otra", Email: "ana@example.com", Phone: "+34600000001", InterestIDs: []string{in.ID}, CreatedAt: now(), UpdatedAt: now(), Version: 1}
	wantTaken(t, st.CreateContact(ctx, c), "email", ana.ID)
	_, err := st.GetContact(ctx, c.ID)
	wantCode(t, err, crm.CodeNotFound)
	if n := must(st.CountContactsWith(ctx, "interestId", in.ID))(t); n != 0 {
		t.Fatalf("a refused create linked its interest: %d", n)
	}
	f.contact(crm.Contact{Name: "Beatriz", Phone: "+34600000001"})
}

// testNumberMovedToMobile: phone and mobile share one uniqueness, so a
// number moved from one to the other stays the contact's.
func testNumberMovedToMobile(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	c := f.contact(crm.Contact{Name: "Ana", Phone: "+34600000002"})
	next := c
	next.Phone, next.Mobile, next.Version = "", "+34600000002", 2
	noErr(t, st.UpdateContact(ctx, c, next))
	other := crm.Contact{ID: newID(), Name: "Otra", Phone: "+34600000002", CreatedAt: now(), UpdatedAt: now(), Version: 1}
	wantTaken(t, st.CreateContact(ctx, other), "phone", c.ID)
	p := must(st.ListContacts(ctx, crm.ContactFilter{Phone: "+34600000002"}, crm.ListOptions{Limit: 10}))(t)
	sameIDs(t, "contacts with the number", ids(p.Items, contactID), []string{c.ID})
}

// testUpdateToTakenEmail: an update may not take another contact's e-mail,
// and a refused update changes nothing.
func testUpdateToTakenEmail(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	ana := f.contact(crm.Contact{Name: "Ana", Email: "ana@example.com"})
	bea := f.contact(crm.Contact{Name: "Bea", Email: "bea@example.com", Mobile: "+34611000001"})
	next := bea
	next.Email, next.Mobile, next.Version = ana.Email, "+34611000002", 2
	wantTaken(t, st.UpdateContact(ctx, bea, next), "email", ana.ID)
	same(t, "contact after a refused update", must(st.GetContact(ctx, bea.ID))(t), bea)
	f.contact(crm.Contact{Name: "Carmen", Mobile: "+34611000002"})
	wantTaken(t, st.CreateContact(ctx, crm.Contact{ID: newID(), Name: "Dora", Mobile: "+34611000001", Version: 1}), "mobile", bea.ID)
}

// testContactVersionGuards: updates and deletes apply only to the version
// they were decided on; an unknown contact is not_found.
func testContactVersionGuards(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	c, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana"})
	noErr(t, err)
	u, err := svc.UpdateContact(ctx, c.ID, 1, func(c *crm.Contact) error { c.Company = "ACME"; return nil })
	if err != nil || u.Version != 2 || u.Company != "ACME" {
		t.Fatalf("update: %+v %v", u, err)
	}
	_, err = svc.UpdateContact(ctx, c.ID, 1, func(c *crm.Contact) error { c.Company = "Other"; return nil })
	wantCode(t, err, crm.CodePreconditionFailed)
	// A write racing between read and write is caught by the store.
	wantCode(t, st.UpdateContact(ctx, c, crm.Contact{ID: c.ID, Name: "Ana", Company: "Other", Version: 2}), crm.CodePreconditionFailed)
	wantCode(t, st.DeleteContact(ctx, c), crm.CodePreconditionFailed)
	if got := must(svc.GetContact(ctx, c.ID))(t); got.Company != "ACME" || got.Version != 2 {
		t.Fatalf("a stale write was applied: %+v", got)
	}
	missing := crm.Contact{ID: newID(), Name: "Nadie", Version: 1}
	next := missing
	next.Version = 2
	wantCode(t, st.UpdateContact(ctx, missing, next), crm.CodeNotFound)
	wantCode(t, st.DeleteContact(ctx, missing), crm.CodeNotFound)
	_, err = svc.UpdateContact(ctx, newID(), 0, func(*crm.Contact) error { return nil })
	wantCode(t, err, crm.CodeNotFound)
}

// testContactReferences: a contact's source, agent and interests must
// exist, on create and update; a refused write writes nothing.
func testContactReferences(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	missing := newID()
	for field, c := range map[string]crm.Contact{
		"sourceId":    {Name: "A", SourceID: missing},
		"agentId":     {Name: "A", AgentID: missing},
		"interestIds": {Name: "A", InterestIDs: []string{missing}},
	} {
		_, err := svc.CreateContact(ctx, actor, c)
		wantField(t, err, crm.CodeInvalid, field)
	}
	p, err := svc.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{})
	if err != nil || len(p.Items) != 0 {
		t.Fatalf("a refused create wrote something: %+v %v", p.Items, err)
	}
	in := must(svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"}))(t)
	c := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", InterestIDs: []string{in.ID}}))(t)
	for field, change := range map[string]func(*crm.Contact){
		"sourceId":    func(c *crm.Contact) { c.SourceID = missing },
		"agentId":     func(c *crm.Contact) { c.AgentID = missing },
		"interestIds": func(c *crm.Contact) { c.InterestIDs = []string{missing} },
	} {
		_, err := svc.UpdateContact(ctx, c.ID, 0, func(c *crm.Contact) error { change(c); return nil })
		wantField(t, err, crm.CodeInvalid, field)
	}
	same(t, "contact after refused updates", must(svc.GetContact(ctx, c.ID))(t), c)
	if n := must(st.CountContactsWith(ctx, "interestId", in.ID))(t); n != 1 {
		t.Fatalf("a refused update moved the interest link: %d contacts have it", n)
	}
}

// testListContactsByEveryFilter: every filter of the contacts list, alone
// and combined, through the use case that normalises it.
func testListContactsByEveryFilter(t *testing.T, st crm.Store) {
	ctx, svc := t.Context(), seeded(t, st)
	src := must(svc.CreateSource(ctx, crm.Source{Name: "Google Ads"}))(t)
	ag := must(svc.CreateAgent(ctx, crm.Agent{Code: "A1", Name: "Agente"}))(t)
	in := must(svc.CreateInterest(ctx, crm.Interest{Name: "Hosting"}))(t)
	jose := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "José", Surname: "Pérez", Email: "jose@example.com",
		Phone: "600123456", SourceID: src.ID, AgentID: ag.ID, InterestIDs: []string{in.ID}}))(t)
	maria := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "María", Surname: "José", Mobile: "+34 611 22 33 44", SourceID: src.ID}))(t)
	client := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Josefa", ClientID: newID()}))(t)
	supplier := must(svc.CreateContact(ctx, actor, crm.Contact{Name: "Proveedor", SupplierID: newID()}))(t)
	for name, tc := range map[string]struct {
		f    crm.ContactFilter
		want []string
	}{
		"all newest first":          {crm.ContactFilter{}, []string{supplier.ID, client.ID, maria.ID, jose.ID}},
		"q accent-folded, any word": {crm.ContactFilter{Query: "jose"}, []string{jose.ID, maria.ID, client.ID}},
		"q upper with surname":      {crm.ContactFilter{Query: "JOSÉ PÉ"}, []string{jose.ID}},
		"q by surname":              {crm.ContactFilter{Query: "perez"}, []string{jose.ID}},
		"q inside a word":           {crm.ContactFilter{Query: "osefa"}, nil},
		"email any case":            {crm.ContactFilter{Email: "JOSE@EXAMPLE.COM"}, []string{jose.ID}},
		"phone other format":        {crm.ContactFilter{Phone: "+34 600 12 34 56"}, []string{jose.ID}},
		"mobile by phone":           {crm.ContactFilter{Phone: "611223344"}, []string{maria.ID}},
		"source":                    {crm.ContactFilter{SourceID: src.ID}, []string{maria.ID, jose.ID}},
		"agent":                     {crm.ContactFilter{AgentID: ag.ID}, []string{jose.ID}},
		"interest":                  {crm.ContactFilter{InterestID: in.ID}, []string{jose.ID}},
		"kind client":               {crm.ContactFilter{Kind: crm.KindClient}, []string{client.ID}},
		"kind supplier":             {crm.ContactFilter{Kind: crm.KindSupplier}, []string{supplier.ID}},
		"kind none":                 {crm.ContactFilter{Kind: crm.KindNone}, []string{maria.ID, jose.ID}},
		"source and q":              {crm.ContactFilter{SourceID: src.ID, Query: "mar"}, []string{maria.ID}},
		"email and another source":  {crm.ContactFilter{Email: "jose@example.com", SourceID: newID()}, nil},
		"phone and kind":            {crm.ContactFilter{Phone: "600123456", Kind: crm.KindClient}, nil},
		"interest and agent":        {crm.ContactFilter{InterestID: in.ID, AgentID: ag.ID}, []string{jose.ID}},
		"agent and kind":            {crm.ContactFilter{AgentID: ag.ID, Kind: crm.KindClient}, nil},
		"unknown email":             {crm.ContactFilter{Email: "nobody@example.com"}, nil},
		"unknown source":            {crm.ContactFilter{SourceID: newID()}, nil},
	} {
		p, err := svc.ListContacts(ctx, tc.f, crm.ListOptions{})
		noErr(t, err)
		if p.NextCursor != "" {
			t.Errorf("%s: a short list has a cursor", name)
		}
		sameIDs(t, name, ids(p.Items, contactID), tc.want)
	}
	// Removing the interest removes the link.
	_, err := svc.UpdateContact(ctx, jose.ID, 0, func(c *crm.Contact) error { c.InterestIDs = nil; return nil })
	noErr(t, err)
	p := must(svc.ListContacts(ctx, crm.ContactFilter{InterestID: in.ID}, crm.ListOptions{}))(t)
	sameIDs(t, "contacts with the interest removed", ids(p.Items, contactID), nil)
}

// testListContactsPages: a walk through every list of contacts, two at a
// time, returns each match once, in the list's order: newest first, or,
// for the name search, by the word each contact was found under ("Ana A"
// under "a" for q=a), then oldest first.
func testListContactsPages(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	src, src2 := f.source(crm.Source{}), f.source(crm.Source{})
	ag, ag2 := f.agent("A1"), f.agent("A2")
	in, in2 := f.interest("Hosting"), f.interest("Web")
	var matches []crm.Contact // created oldest first, named so that name order is another
	for _, name := range []string{"Ana E", "Ana C", "Ana A", "Ana D", "Ana B"} {
		matches = append(matches, f.contact(crm.Contact{Name: name, SourceID: src.ID, AgentID: ag.ID,
			InterestIDs: []string{in.ID}, ClientID: newID()}))
	}
	others := []crm.Contact{
		f.contact(crm.Contact{Name: "Bea", SourceID: src2.ID, AgentID: ag2.ID, InterestIDs: []string{in2.ID}, Email: "bea@example.com"}),
		f.contact(crm.Contact{Name: "Anabel", Mobile: "+34611000003"}),
	}
	newest := func(cs ...crm.Contact) []string { return newestFirst(cs, contactID) }
	m := matches
	for name, tc := range map[string]struct {
		f    crm.ContactFilter
		want []string
	}{
		"all":             {crm.ContactFilter{}, newest(slices.Concat(m, others)...)},
		"kind client":     {crm.ContactFilter{Kind: crm.KindClient}, newest(m...)},
		"kind none":       {crm.ContactFilter{Kind: crm.KindNone}, newest(others...)},
		"agent":           {crm.ContactFilter{AgentID: ag.ID}, newest(m...)},
		"source":          {crm.ContactFilter{SourceID: src.ID}, newest(m...)},
		"interest":        {crm.ContactFilter{InterestID: in.ID}, newest(m...)},
		"name":            {crm.ContactFilter{Query: "ana"}, ids(append(slices.Clone(m), others[1]), contactID)},
		"name, any word":  {crm.ContactFilter{Query: "a"}, ids([]crm.Contact{m[2], m[0], m[1], m[3], m[4], others[1]}, contactID)},
		"name, two words": {crm.ContactFilter{Query: "ana d"}, ids(m[3:4], contactID)},
		"name and source": {crm.ContactFilter{Query: "ana", SourceID: src.ID}, ids(m, contactID)},
		"email":           {crm.ContactFilter{Email: "bea@example.com"}, ids(others[:1], contactID)},
		"phone":           {crm.ContactFilter{Phone: "+34611000003"}, ids(others[1:], contactID)},
	} {
		walk(t, name, contactID, tc.want, func(o crm.ListOptions) (crm.Page[crm.Contact], error) {
			return st.ListContacts(ctx, tc.f, o)
		})
	}
}

// testContactCursors: a cursor works only on the list it came from.
func testContactCursors(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	src, ag, in := f.source(crm.Source{}), f.agent("A1"), f.interest("Hosting")
	for range 3 {
		f.contact(crm.Contact{Name: "Ana", SourceID: src.ID, AgentID: ag.ID, InterestIDs: []string{in.ID}})
	}
	lists := map[string]func(crm.ListOptions) (crm.Page[crm.Contact], error){}
	for name, fl := range map[string]crm.ContactFilter{
		"all": {}, "name": {Query: "ana"}, "agent": {AgentID: ag.ID}, "source": {SourceID: src.ID}, "interest": {InterestID: in.ID},
	} {
		lists[name] = func(o crm.ListOptions) (crm.Page[crm.Contact], error) { return st.ListContacts(ctx, fl, o) }
	}
	crossCursors(t, lists)
	refusesCursor(t, "a contacts cursor on the sources", firstCursor(t, "all", lists["all"]),
		func(o crm.ListOptions) (crm.Page[crm.Source], error) { return st.ListSources(ctx, o) })
}
