package httpapi_test

// The sales pipeline through the API: opportunities and their states and
// tabs, clients and suppliers, converting contacts, and quotes.

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// The seeded pipeline states, in order.
const (
	stNew         = "Nuevo"
	stNegotiating = "En negociación"
	stQuoted      = "Presupuestado"
	stWon         = "Ganado"
	stLost        = "Perdido"
)

// stateIDs returns the ID of every state by name.
func stateIDs(e *env) map[string]string {
	e.t.Helper()
	out := map[string]string{}
	for _, st := range e.listAll(e.staffToken, "/v1/states") {
		out[st["name"].(string)] = id(st)
	}
	for _, n := range []string{stNew, stNegotiating, stQuoted, stWon, stLost} {
		if out[n] == "" {
			e.t.Fatalf("no seeded state %q among %v", n, out)
		}
	}
	return out
}

// tabs returns GET /v1/opportunities/tabs as "name=count", in order.
func tabs(e *env) []string {
	e.t.Helper()
	res := e.staff_(http.MethodGet, "/v1/opportunities/tabs", nil)
	wantStatus(e.t, res, http.StatusOK)
	var body struct {
		Items []struct {
			ID    string `json:"id"`
			Name  string `json:"name"`
			Count *int   `json:"count"`
		} `json:"items"`
	}
	mustUnmarshal(e.t, res.Body, &body)
	out := make([]string, len(body.Items))
	for i, tab := range body.Items {
		if tab.Count == nil || tab.ID == "" {
			e.t.Fatalf("tab without id or count: %s", res.Body)
		}
		out[i] = fmt.Sprintf("%s=%d", tab.Name, *tab.Count)
	}
	return out
}

// wantTabs checks the tabs, and that each count is what listing the
// opportunities of that state finds.
func wantTabs(t *testing.T, e *env, want ...string) {
	t.Helper()
	got := tabs(e)
	if !slices.Equal(got, want) {
		t.Fatalf("tabs %v, want %v", got, want)
	}
	states := stateIDs(e)
	for _, tab := range got {
		name, n, _ := strings.Cut(tab, "=")
		if listed := len(e.listAll(e.staffToken, "/v1/opportunities?stateId="+states[name])); listed != atoi(n) {
			t.Errorf("tab %s counts %s, the list of its state has %d", name, n, listed)
		}
	}
}

// getOK reads a resource as staff and checks the 200.
func getOK(e *env, path string) map[string]any {
	e.t.Helper()
	res := e.staff_(http.MethodGet, path, nil)
	wantStatus(e.t, res, http.StatusOK)
	return res.json(e.t)
}

// patchOK patches a resource as staff with If-Match on its current version.
func patchOK(e *env, path string, body any) map[string]any {
	e.t.Helper()
	cur := e.staff_(http.MethodGet, path, nil)
	wantStatus(e.t, cur, http.StatusOK)
	res := e.staff_(http.MethodPatch, path, body, "If-Match", cur.Header.Get("ETag"))
	if res.Status != http.StatusOK {
		e.t.Fatalf("PATCH %s %v: status %d: %s", path, body, res.Status, res.Body)
	}
	return res.json(e.t)
}

// newOpp creates an opportunity as staff.
func newOpp(e *env, body map[string]any) map[string]any {
	e.t.Helper()
	return e.createdAs(e.staffToken, "/v1/opportunities", body)
}

// newQuote generates a quote on an opportunity as staff.
func newQuote(e *env, oppID string, body any) map[string]any {
	e.t.Helper()
	return e.createdAs(e.staffToken, "/v1/opportunities/"+oppID+"/quotes", body)
}

// oneLine is a quote body of one line at unitPriceCents, no discount, 21 % tax.
func oneLine(unitPriceCents int) map[string]any {
	return map[string]any{"lines": []any{map[string]any{"description": "Línea", "quantity": 1, "unitPriceCents": unitPriceCents, "taxPct": 21}}}
}

// num reads a JSON number field as an int64.
func num(t *testing.T, m map[string]any, field string) int64 {
	t.Helper()
	f, ok := m[field].(float64)
	if !ok {
		t.Fatalf("%s is %v (%T), want a number", field, m[field], m[field])
	}
	return int64(f)
}

// wantFields checks fields of a decoded JSON object.
func wantFields(t *testing.T, what string, m map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if n, ok := v.(int); ok {
			v = float64(n)
		}
		if m[k] != v {
			t.Errorf("%s: %s = %v, want %v", what, k, m[k], v)
		}
	}
}

// closedAt parses an opportunity's closedAt, nil when it is null.
func closedAt(t *testing.T, o map[string]any) *time.Time {
	t.Helper()
	v, ok := o["closedAt"]
	if !ok {
		t.Fatalf("no closedAt field in %v", o)
	}
	if v == nil {
		return nil
	}
	s, _ := v.(string)
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("closedAt %v: %v", v, err)
	}
	return &ts
}

// waitPast returns once the clock is past the millisecond of m's
// updatedAt, so that the next write is later activity than m's (the API
// orders by activity to the millisecond).
func waitPast(t *testing.T, m map[string]any) {
	t.Helper()
	s, _ := m["updatedAt"].(string)
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("updatedAt %v: %v", m["updatedAt"], err)
	}
	for time.Now().Before(ts.Add(time.Millisecond)) {
		time.Sleep(100 * time.Microsecond)
	}
}

func anyIDs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestPipelineStory is the whole way through: a contact gets an
// opportunity, it moves through the states, a quote is generated, edited
// and accepted; the opportunity is won with the quote's amount, the contact
// is a client with its data, and the tabs count it.
func TestPipelineStory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	staff := e.staffUser()
	st := stateIDs(e)
	source := id(e.created("/v1/sources", map[string]any{"name": "Google Ads"}))
	agent := id(e.created("/v1/agents", map[string]any{"code": "A1", "name": "Agente Uno"}))
	interest := id(e.created("/v1/interests", map[string]any{"name": "Fibra 1 Gb"}))
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=0", stLost+"=0")

	contact := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{
		"name": "José", "surname": "Pérez", "company": "Pérez e Hijos SL", "taxId": "b12345678",
		"email": "jose@perez.example", "phone": "912 345 678", "mobile": "600 123 456", "web": "https://perez.example",
		"observations": "Cliente de feria", "sourceId": source, "agentId": agent,
	})
	cid := id(contact)

	// A new opportunity: default state, the contact's agent and source, number 1.
	res := e.staff_(http.MethodPost, "/v1/opportunities", map[string]any{
		"contactId": cid, "description": "Fibra para la oficina", "approxAmountCents": 120000, "interestId": interest,
		"assigneeId": staff.ID, "expectedCloseDate": "2026-12-31",
	})
	wantStatus(t, res, http.StatusCreated)
	opp := res.json(t)
	oid := id(opp)
	if res.Header.Get("Location") != "/v1/opportunities/"+oid || res.Header.Get("ETag") != `"1"` {
		t.Errorf("Location %q ETag %q", res.Header.Get("Location"), res.Header.Get("ETag"))
	}
	wantFields(t, "new opportunity", opp, map[string]any{
		"contactId": cid, "stateId": st[stNew], "agentId": agent, "sourceId": source, "interestId": interest,
		"assigneeId": staff.ID, "number": 1, "amountCents": 0, "approxAmountCents": 120000, "currency": "EUR",
		"createdBy": staff.ID, "lostReason": "", "expectedCloseDate": "2026-12-31", "version": 1,
	})
	if closedAt(t, opp) != nil {
		t.Errorf("a new open opportunity is closed: %v", opp["closedAt"])
	}
	if got := getOK(e, "/v1/opportunities/"+oid); fmt.Sprint(got) != fmt.Sprint(opp) {
		t.Errorf("GET differs from POST:\n%v\n%v", got, opp)
	}
	// Setting the interest linked it to the contact.
	if c := getOK(e, "/v1/contacts/"+cid); !slices.Contains(anyIDs(c["interestIds"]), interest) {
		t.Errorf("contact interests %v, want %s linked", c["interestIds"], interest)
	}
	wantTabs(t, e, stNew+"=1", stNegotiating+"=0", stQuoted+"=0", stWon+"=0", stLost+"=0")

	// Through the states.
	opp = patchOK(e, "/v1/opportunities/"+oid, map[string]any{"stateId": st[stNegotiating]})
	if opp["stateId"] != st[stNegotiating] || closedAt(t, opp) != nil {
		t.Fatalf("after moving to %s: %v", stNegotiating, opp)
	}
	wantTabs(t, e, stNew+"=0", stNegotiating+"=1", stQuoted+"=0", stWon+"=0", stLost+"=0")

	// A quote generated from the opportunity, pre-filled.
	res = e.staff_(http.MethodPost, "/v1/opportunities/"+oid+"/quotes", nil)
	wantStatus(t, res, http.StatusCreated)
	quote := res.json(t)
	qid := id(quote)
	if res.Header.Get("Location") != "/v1/quotes/"+qid {
		t.Errorf("quote Location %q", res.Header.Get("Location"))
	}
	created, _ := time.Parse(time.RFC3339Nano, quote["createdAt"].(string))
	madrid, _ := time.LoadLocation("Europe/Madrid")
	wantFields(t, "quote", quote, map[string]any{
		"number": fmt.Sprintf("%d-0001", created.In(madrid).Year()), "opportunityId": oid, "contactId": cid,
		"status": "draft", "subtotalCents": 120000, "taxCents": 25200, "totalCents": 145200, "currency": "EUR",
	})
	opp = getOK(e, "/v1/opportunities/"+oid)
	if !slices.Equal(anyIDs(opp["quoteIds"]), []string{qid}) || num(t, opp, "amountCents") != 120000 {
		t.Errorf("opportunity after the quote: quoteIds %v amountCents %v", opp["quoteIds"], opp["amountCents"])
	}
	patchOK(e, "/v1/opportunities/"+oid, map[string]any{"stateId": st[stQuoted]})

	// The customer negotiates: 10 % off, then it is sent.
	quote = patchOK(e, "/v1/quotes/"+qid, map[string]any{"lines": []any{map[string]any{
		"description": "Fibra 1 Gb", "interestId": interest, "quantity": 1, "unitPriceCents": 99000, "discountPct": 10, "taxPct": 21,
	}}})
	wantFields(t, "edited quote", quote, map[string]any{"subtotalCents": 89100, "taxCents": 18711, "totalCents": 107811, "number": fmt.Sprintf("%d-0001", created.In(madrid).Year())})
	patchOK(e, "/v1/quotes/"+qid, map[string]any{"status": "sent"})
	if got := num(t, getOK(e, "/v1/opportunities/"+oid), "amountCents"); got != 89100 {
		t.Errorf("amountCents %d after editing the quote, want 89100", got)
	}

	// Accepted.
	before := time.Now().Add(-time.Minute)
	res = e.staff_(http.MethodPost, "/v1/quotes/"+qid+"/accept", nil)
	wantStatus(t, res, http.StatusOK)
	if q := res.json(t); q["status"] != "accepted" || id(q) != qid {
		t.Errorf("accept answered %s", res.Body)
	}
	opp = getOK(e, "/v1/opportunities/"+oid)
	wantFields(t, "won opportunity", opp, map[string]any{"stateId": st[stWon], "amountCents": 89100, "lostReason": ""})
	if ca := closedAt(t, opp); ca == nil || ca.Before(before) {
		t.Errorf("won opportunity closedAt %v", opp["closedAt"])
	}
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=1", stLost+"=0")
	if got := e.listAll(e.staffToken, "/v1/opportunities?stateId="+st[stWon]); !slices.Equal(ids(got), []string{oid}) {
		t.Errorf("won list %v", ids(got))
	}

	// The contact became a client, with its data copied and linked both ways.
	c := getOK(e, "/v1/contacts/"+cid)
	clientID, _ := c["clientId"].(string)
	if !crm.ValidID(clientID) {
		t.Fatalf("the contact was not converted: %v", c)
	}
	client := getOK(e, "/v1/clients/"+clientID)
	wantFields(t, "client", client, map[string]any{
		"name": "José Pérez", "legalName": "Pérez e Hijos SL", "taxId": "B12345678", "email": "jose@perez.example",
		"phone": "+34912345678", "mobile": "+34600123456", "web": "https://perez.example", "agentId": agent,
		"observations": "Cliente de feria", "mainContactId": cid, "code": "C00001",
	})
	if got := e.listAll(e.staffToken, "/v1/clients"); !slices.Equal(ids(got), []string{clientID}) {
		t.Errorf("clients %v, want just %s", ids(got), clientID)
	}
	if got := e.listAll(e.staffToken, "/v1/contacts?kind=client"); !slices.Equal(ids(got), []string{cid}) {
		t.Errorf("contacts of kind client %v, want %s", ids(got), cid)
	}
	if got := e.listAll(e.staffToken, "/v1/contacts?kind=none"); len(got) != 0 {
		t.Errorf("contacts of kind none %v", ids(got))
	}
}

func TestOpportunityDefaultsAndAttribution(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s1 := id(e.created("/v1/sources", map[string]any{"name": "Feria"}))
	s2 := id(e.created("/v1/sources", map[string]any{"name": "Web"}))
	a1 := id(e.created("/v1/agents", map[string]any{"code": "A1", "name": "Uno"}))
	a2 := id(e.created("/v1/agents", map[string]any{"code": "A2", "name": "Dos"}))
	withAgent := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Con agente", "sourceId": s1, "agentId": a1}))
	bare := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Sin nada"}))

	// The contact's agent unless one is given.
	o1 := newOpp(e, map[string]any{"contactId": withAgent, "description": "Uno"})
	o2 := newOpp(e, map[string]any{"contactId": withAgent, "description": "Dos", "agentId": a2})
	o3 := newOpp(e, map[string]any{"contactId": bare, "description": "Tres"})
	wantFields(t, "o1", o1, map[string]any{"agentId": a1, "sourceId": s1, "number": 1})
	wantFields(t, "o2", o2, map[string]any{"agentId": a2, "sourceId": s1, "number": 2})
	wantFields(t, "o3", o3, map[string]any{"agentId": "", "sourceId": "", "number": 3})

	// The source is the contact's when the opportunity was created: it
	// stays when the contact's source changes, and cannot be written.
	patchOK(e, "/v1/contacts/"+withAgent, map[string]any{"sourceId": s2})
	if got := getOK(e, "/v1/opportunities/"+id(o1)); got["sourceId"] != s1 {
		t.Errorf("o1 sourceId %v after the contact's source changed, want %s", got["sourceId"], s1)
	}
	before := e.snapshot()
	wantProblem(t, e.staff_(http.MethodPatch, "/v1/opportunities/"+id(o1), map[string]any{"sourceId": s2}), 400, crm.CodeInvalid, "sourceId")
	e.unchanged(t, before)
	o4 := newOpp(e, map[string]any{"contactId": withAgent, "description": "Cuatro"})
	wantFields(t, "o4", o4, map[string]any{"sourceId": s2, "number": 4})
	if got := e.listAll(e.staffToken, "/v1/opportunities?sourceId="+s1); !slices.Equal(ids(got), []string{id(o2), id(o1)}) {
		t.Errorf("opportunities of %s: %v", s1, ids(got))
	}

	// Numbers are never reused, not even the last one's after it is
	// deleted, and a refused opportunity takes none: they stay consecutive.
	wantStatus(t, e.staff_(http.MethodDelete, "/v1/opportunities/"+id(o4), nil, "If-Match", `"1"`), http.StatusNoContent)
	wantProblem(t, e.staff_(http.MethodGet, "/v1/opportunities/"+id(o4), nil), 404, crm.CodeNotFound)
	wantProblem(t, e.staff_(http.MethodPost, "/v1/opportunities", map[string]any{"contactId": bare, "description": "x", "assigneeId": unknownID()}),
		400, crm.CodeInvalid, "assigneeId")
	o5 := newOpp(e, map[string]any{"contactId": bare, "description": "Cinco"})
	if num(t, o5, "number") != 5 {
		t.Errorf("number after deleting #4 and a refused POST is %v, want 5", o5["number"])
	}

	// A retried POST with its Idempotency-Key is one opportunity, one number.
	body := map[string]any{"contactId": bare, "description": "Reintento"}
	r1 := e.staff_(http.MethodPost, "/v1/opportunities", body, "Idempotency-Key", "retry-1")
	r2 := e.staff_(http.MethodPost, "/v1/opportunities", body, "Idempotency-Key", "retry-1")
	wantStatus(t, r1, http.StatusCreated)
	wantStatus(t, r2, http.StatusCreated)
	last := num(t, o5, "number")
	if id(r1.json(t)) != id(r2.json(t)) || num(t, r1.json(t), "number") != last+1 {
		t.Errorf("retry after #%d: %s / %s", last, r1.Body, r2.Body)
	}
	if n := len(e.listAll(e.staffToken, "/v1/opportunities?contactId="+bare)); n != 3 {
		t.Errorf("%d opportunities of the bare contact, want 3", n)
	}
	if o := newOpp(e, map[string]any{"contactId": bare, "description": "Siete"}); num(t, o, "number") != last+2 {
		t.Errorf("number after the retried POST %v, want %d", o["number"], last+2)
	}
}

func TestSettingAnInterestLinksItToTheContact(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	i1 := id(e.created("/v1/interests", map[string]any{"name": "Fibra"}))
	i2 := id(e.created("/v1/interests", map[string]any{"name": "Móvil"}))
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana", "interestIds": []string{i1}}))
	o := newOpp(e, map[string]any{"contactId": cid, "description": "Sin interés"})
	if got := anyIDs(getOK(e, "/v1/contacts/"+cid)["interestIds"]); !slices.Equal(got, []string{i1}) {
		t.Fatalf("interests %v", got)
	}
	patchOK(e, "/v1/opportunities/"+id(o), map[string]any{"interestId": i2})
	if got := anyIDs(getOK(e, "/v1/contacts/"+cid)["interestIds"]); !slices.Equal(got, []string{i1, i2}) {
		t.Errorf("contact interests %v after the opportunity's interest was set, want [%s %s]", got, i1, i2)
	}
	if got := e.listAll(e.staffToken, "/v1/contacts?interestId="+i2); !slices.Equal(ids(got), []string{cid}) {
		t.Errorf("contacts interested in %s: %v", i2, ids(got))
	}
	if got := e.listAll(e.staffToken, "/v1/opportunities?interestId="+i2); !slices.Equal(ids(got), []string{id(o)}) {
		t.Errorf("opportunities of interest %s: %v", i2, ids(got))
	}
}

// oppSpec is one opportunity of the filter world, as intended.
type oppSpec struct {
	id, state, agent, assignee, contact, interest, source string
}

func TestListOpportunitiesFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	s1 := id(e.created("/v1/sources", map[string]any{"name": "Feria"}))
	s2 := id(e.created("/v1/sources", map[string]any{"name": "Web"}))
	a1 := id(e.created("/v1/agents", map[string]any{"code": "A1", "name": "Uno"}))
	a2 := id(e.created("/v1/agents", map[string]any{"code": "A2", "name": "Dos"}))
	i1 := id(e.created("/v1/interests", map[string]any{"name": "Fibra"}))
	i2 := id(e.created("/v1/interests", map[string]any{"name": "Móvil"}))
	u1, u2 := e.staffUser().ID, e.admin.ID
	c1 := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Uno", "sourceId": s1, "agentId": a1}))
	c2 := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Dos", "sourceId": s2, "agentId": a2}))

	specs := []oppSpec{ // created in this order; agent "" means the contact's
		{state: st[stNew], contact: c1, assignee: u1, interest: i1},
		{state: st[stNegotiating], contact: c1, agent: a2, assignee: u2, interest: i2},
		{state: st[stNew], contact: c2, interest: i1},
		{state: st[stWon], contact: c2, agent: a1, assignee: u1},
		{state: st[stNegotiating], contact: c1, assignee: u1, interest: i1},
	}
	for i := range specs {
		sp := &specs[i]
		body := map[string]any{"contactId": sp.contact, "description": fmt.Sprintf("Oportunidad %d", i+1), "stateId": sp.state}
		for k, v := range map[string]string{"agentId": sp.agent, "assigneeId": sp.assignee, "interestId": sp.interest} {
			if v != "" {
				body[k] = v
			}
		}
		o := newOpp(e, body)
		sp.id = id(o)
		if sp.agent == "" {
			sp.agent = map[string]string{c1: a1, c2: a2}[sp.contact]
		}
		sp.source = map[string]string{c1: s1, c2: s2}[sp.contact]
		wantFields(t, body["description"].(string), o, map[string]any{
			"stateId": sp.state, "agentId": sp.agent, "assigneeId": sp.assignee, "contactId": sp.contact,
			"interestId": sp.interest, "sourceId": sp.source,
		})
	}
	field := func(sp oppSpec, name string) string {
		return map[string]string{"stateId": sp.state, "agentId": sp.agent, "assigneeId": sp.assignee,
			"contactId": sp.contact, "interestId": sp.interest, "sourceId": sp.source}[name]
	}
	// expect lists the specs matching every condition, newest activity first.
	expect := func(order []int, conds map[string]string) []string {
		var out []string
		for _, i := range order {
			ok := true
			for k, v := range conds {
				ok = ok && field(specs[i], k) == v
			}
			if ok {
				out = append(out, specs[i].id)
			}
		}
		return out
	}
	check := func(order []int) {
		t.Helper()
		values := map[string][]string{
			"stateId":    {st[stNew], st[stNegotiating], st[stWon], st[stLost]},
			"agentId":    {a1, a2},
			"assigneeId": {u1, u2},
			"contactId":  {c1, c2},
			"interestId": {i1, i2},
			"sourceId":   {s1, s2, unknownID()},
		}
		var queries []map[string]string
		for k, vs := range values {
			for _, v := range vs {
				queries = append(queries, map[string]string{k: v})
			}
		}
		queries = append(queries,
			map[string]string{"contactId": c1, "stateId": st[stNegotiating]},
			map[string]string{"agentId": a1, "assigneeId": u1},
			map[string]string{"sourceId": s2, "interestId": i1},
			map[string]string{"stateId": st[stNew], "interestId": i1, "agentId": a1, "sourceId": s1, "contactId": c1, "assigneeId": u1},
			map[string]string{"stateId": st[stWon], "contactId": c1},
			map[string]string{},
		)
		for _, conds := range queries {
			q := url.Values{}
			for k, v := range conds {
				q.Set(k, v)
			}
			want := expect(order, conds)
			for _, limit := range []string{"", "1", "2"} {
				qq := url.Values{}
				for k, v := range q {
					qq[k] = v
				}
				if limit != "" {
					qq.Set("limit", limit)
				}
				got := ids(e.listAll(e.staffToken, "/v1/opportunities?"+qq.Encode()))
				if !slices.Equal(got, want) {
					t.Errorf("?%s: %v, want %v", qq.Encode(), got, want)
				}
			}
		}
	}
	check([]int{4, 3, 2, 1, 0})

	// Activity moves an opportunity to the front of every list it is in.
	waitPast(t, getOK(e, "/v1/opportunities/"+specs[4].id))
	last := patchOK(e, "/v1/opportunities/"+specs[0].id, map[string]any{"observations": "Llamado hoy"})
	check([]int{0, 4, 3, 2, 1})
	// A move between states is activity too, and changes the state lists.
	waitPast(t, last)
	patchOK(e, "/v1/opportunities/"+specs[2].id, map[string]any{"stateId": st[stLost]})
	specs[2].state = st[stLost]
	check([]int{2, 0, 4, 3, 1})

	// A page holds limit items and a cursor for the rest.
	res := e.staff_(http.MethodGet, "/v1/opportunities?limit=2", nil)
	wantStatus(t, res, http.StatusOK)
	var page struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"nextCursor"`
	}
	mustUnmarshal(t, res.Body, &page)
	if len(page.Items) != 2 || page.NextCursor == "" {
		t.Fatalf("first page of 2: %s", res.Body)
	}
	next := e.staff_(http.MethodGet, "/v1/opportunities?limit=2&cursor="+url.QueryEscape(page.NextCursor), nil)
	wantStatus(t, next, http.StatusOK)
	var page2 struct {
		Items []map[string]any `json:"items"`
	}
	mustUnmarshal(t, next.Body, &page2)
	if got, want := ids(page2.Items), []string{specs[4].id, specs[3].id}; !slices.Equal(got, want) {
		t.Errorf("second page %v, want %v", got, want)
	}

	// Bad queries name the parameter.
	contactPage := e.staff_(http.MethodGet, "/v1/opportunities?limit=1&contactId="+c1, nil)
	wantStatus(t, contactPage, http.StatusOK)
	contactCursor, _ := contactPage.json(t)["nextCursor"].(string)
	if contactCursor == "" {
		t.Fatalf("no cursor: %s", contactPage.Body)
	}
	for _, c := range []struct{ query, field string }{
		{"stateId=nope", "stateId"}, {"agentId=nope", "agentId"}, {"assigneeId=nope", "assigneeId"},
		{"contactId=nope", "contactId"}, {"interestId=nope", "interestId"}, {"sourceId=nope", "sourceId"},
		{"state=" + st[stNew], "state"}, {"limit=0", "limit"}, {"limit=201", "limit"},
		{"stateId=" + st[stNew] + "&stateId=" + st[stWon], "stateId"},
		{"cursor=nope", "cursor"}, {"stateId=" + st[stNew] + "&cursor=" + url.QueryEscape(contactCursor), "cursor"},
	} {
		wantProblem(t, e.staff_(http.MethodGet, "/v1/opportunities?"+c.query, nil), 400, crm.CodeInvalid, c.field)
	}
}

func TestClosedOpportunityIsLocked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	a1 := id(e.created("/v1/agents", map[string]any{"code": "A1", "name": "Uno"}))
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	o := newOpp(e, map[string]any{"contactId": cid, "description": "Centralita", "approxAmountCents": 5000})
	path := "/v1/opportunities/" + id(o)

	won := patchOK(e, path, map[string]any{"stateId": st[stWon]})
	wonAt := closedAt(t, won)
	if wonAt == nil {
		t.Fatalf("won without closedAt: %v", won)
	}
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=1", stLost+"=0")

	// Main fields are locked while closed: 409 naming each, nothing written.
	for _, c := range []struct {
		body   map[string]any
		fields []string
	}{
		{map[string]any{"description": "Otra", "approxAmountCents": 9000}, []string{"description", "approxAmountCents"}},
		{map[string]any{"observations": "x"}, []string{"observations"}},
		{map[string]any{"agentId": a1}, []string{"agentId"}},
		{map[string]any{"assigneeId": e.admin.ID}, []string{"assigneeId"}},
		{map[string]any{"expectedCloseDate": "2027-01-31", "currency": "USD"}, []string{"expectedCloseDate", "currency"}},
		// Moving to another closed state does not unlock it.
		{map[string]any{"stateId": st[stLost], "description": "Otra"}, []string{"description"}},
	} {
		before := e.snapshot()
		p := wantProblem(t, e.staff_(http.MethodPatch, path, c.body), http.StatusConflict, crm.CodeConflict, c.fields...)
		if len(p.Fields) != len(c.fields) {
			t.Errorf("%v: the problem names %v, want just %v", c.body, p.Fields, c.fields)
		}
		e.unchanged(t, before)
	}

	// From won to lost, with a reason: still closed, since when it closed.
	lost := patchOK(e, path, map[string]any{"stateId": st[stLost], "lostReason": "Precio"})
	if lost["stateId"] != st[stLost] || lost["lostReason"] != "Precio" {
		t.Errorf("lost: %v", lost)
	}
	if at := closedAt(t, lost); at == nil || !at.Equal(*wonAt) {
		t.Errorf("closedAt %v after moving between closed states, want %v", lost["closedAt"], wonAt)
	}
	// The reason is not a main field: it may change while lost.
	lost = patchOK(e, path, map[string]any{"lostReason": "Se fue a la competencia"})
	if lost["lostReason"] != "Se fue a la competencia" {
		t.Errorf("lostReason %v", lost["lostReason"])
	}
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=0", stLost+"=1")

	// Reopened: closedAt and the reason go, the fields can change again.
	open := patchOK(e, path, map[string]any{"stateId": st[stNegotiating]})
	if closedAt(t, open) != nil || open["lostReason"] != "" {
		t.Errorf("reopened: closedAt %v lostReason %v", open["closedAt"], open["lostReason"])
	}
	open = patchOK(e, path, map[string]any{"description": "Centralita virtual", "approxAmountCents": 9000, "agentId": a1})
	wantFields(t, "reopened", open, map[string]any{"description": "Centralita virtual", "approxAmountCents": 9000, "agentId": a1})
	wantTabs(t, e, stNew+"=0", stNegotiating+"=1", stQuoted+"=0", stWon+"=0", stLost+"=0")

	// Closing again sets a new closedAt.
	again := patchOK(e, path, map[string]any{"stateId": st[stWon]})
	if at := closedAt(t, again); at == nil || at.Before(*wonAt) {
		t.Errorf("closedAt %v after closing again", again["closedAt"])
	}
}

func TestLostReason(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))

	// Created lost, with its reason.
	o := newOpp(e, map[string]any{"contactId": cid, "description": "Perdida", "stateId": st[stLost], "lostReason": "Sin presupuesto"})
	if o["lostReason"] != "Sin presupuesto" || closedAt(t, o) == nil {
		t.Errorf("created lost: %v", o)
	}
	// Entering lost with a reason in one PATCH.
	o2 := newOpp(e, map[string]any{"contactId": cid, "description": "Abierta"})
	o2 = patchOK(e, "/v1/opportunities/"+id(o2), map[string]any{"stateId": st[stLost], "lostReason": "Precio"})
	if o2["lostReason"] != "Precio" || closedAt(t, o2) == nil {
		t.Errorf("moved to lost: %v", o2)
	}
	// Only lost opportunities have a reason.
	o3 := newOpp(e, map[string]any{"contactId": cid, "description": "Ganada", "stateId": st[stWon]})
	before := e.snapshot()
	wantProblem(t, e.staff_(http.MethodPatch, "/v1/opportunities/"+id(o3), map[string]any{"lostReason": "x"}), 400, crm.CodeInvalid, "lostReason")
	wantProblem(t, e.staff_(http.MethodPost, "/v1/opportunities", map[string]any{"contactId": cid, "description": "x", "stateId": st[stWon], "lostReason": "x"}), 400, crm.CodeInvalid, "lostReason")
	e.unchanged(t, before)
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=1", stLost+"=2")
}

func TestTabsCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=0", stLost+"=0")

	// States with showTab appear in order; the others do not.
	visited := id(e.created("/v1/states", map[string]any{"name": "Visitado", "order": 105}))
	hidden := id(e.created("/v1/states", map[string]any{"name": "Archivo", "order": 101, "showTab": false}))
	wantTabs(t, e, stNew+"=0", "Visitado=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=0", stLost+"=0")

	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	var opps []string
	for i := range 4 {
		opps = append(opps, id(newOpp(e, map[string]any{"contactId": cid, "description": fmt.Sprint("O", i)})))
	}
	inHidden := id(newOpp(e, map[string]any{"contactId": cid, "description": "Oculta", "stateId": hidden}))
	wantTabs(t, e, stNew+"=4", "Visitado=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=0", stLost+"=0")

	patchOK(e, "/v1/opportunities/"+opps[0], map[string]any{"stateId": visited})
	patchOK(e, "/v1/opportunities/"+inHidden, map[string]any{"stateId": st[stQuoted]})
	wantTabs(t, e, stNew+"=3", "Visitado=1", stNegotiating+"=0", stQuoted+"=1", stWon+"=0", stLost+"=0")

	// A PATCH that does not change the state does not count twice.
	patchOK(e, "/v1/opportunities/"+opps[0], map[string]any{"stateId": visited, "observations": "x"})
	wantTabs(t, e, stNew+"=3", "Visitado=1", stNegotiating+"=0", stQuoted+"=1", stWon+"=0", stLost+"=0")

	res := e.staff_(http.MethodPost, "/v1/opportunities:bulk-state", map[string]any{"ids": []string{opps[0], opps[1], opps[2]}, "stateId": st[stWon]})
	wantStatus(t, res, http.StatusOK)
	if m := num(t, res.json(t), "moved"); m != 3 {
		t.Errorf("moved %d, want 3", m)
	}
	wantTabs(t, e, stNew+"=1", "Visitado=0", stNegotiating+"=0", stQuoted+"=1", stWon+"=3", stLost+"=0")

	wantStatus(t, e.staff_(http.MethodDelete, "/v1/opportunities/"+opps[1], nil), http.StatusNoContent)
	wantStatus(t, e.staff_(http.MethodDelete, "/v1/opportunities/"+opps[3], nil), http.StatusNoContent)
	wantTabs(t, e, stNew+"=0", "Visitado=0", stNegotiating+"=0", stQuoted+"=1", stWon+"=2", stLost+"=0")

	// A tab hidden later is gone from the tabs, its count kept for when it shows again.
	patchOK(e, "/v1/opportunities/"+opps[2], map[string]any{"stateId": visited})
	res = e.admin_(http.MethodPatch, "/v1/states/"+visited, map[string]any{"showTab": false})
	wantStatus(t, res, http.StatusOK)
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=1", stWon+"=1", stLost+"=0")
	wantStatus(t, e.admin_(http.MethodPatch, "/v1/states/"+visited, map[string]any{"showTab": true, "order": 125}), http.StatusOK)
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=1", "Visitado=1", stWon+"=1", stLost+"=0")
}

func TestBulkStateMove(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	var opps []string
	for i := range 3 {
		opps = append(opps, id(newOpp(e, map[string]any{"contactId": cid, "description": fmt.Sprint("O", i)})))
	}

	// One of them fails: none moves, and the problem names it.
	for _, c := range []struct {
		name  string
		ids   []string
		field string
	}{
		{"unknown", []string{opps[0], opps[1], unknownID()}, "ids[2]"},
		{"malformed", []string{opps[0], "01ARZ3NDEKTSV4RRFFQ69G5FA", opps[1]}, "ids[1]"},
		{"repeated", []string{opps[0], opps[1], opps[0]}, "ids[2]"},
	} {
		before := e.snapshot()
		wantProblem(t, e.staff_(http.MethodPost, "/v1/opportunities:bulk-state", map[string]any{"ids": c.ids, "stateId": st[stWon]}),
			400, crm.CodeInvalid, c.field)
		e.unchanged(t, before)
	}

	// Two move together; one already there is left as it is.
	patchOK(e, "/v1/opportunities/"+opps[2], map[string]any{"stateId": st[stWon]})
	third := getOK(e, "/v1/opportunities/"+opps[2])
	res := e.staff_(http.MethodPost, "/v1/opportunities:bulk-state", map[string]any{"ids": opps, "stateId": st[stWon]})
	wantStatus(t, res, http.StatusOK)
	if m := num(t, res.json(t), "moved"); m != 2 {
		t.Errorf("moved %d, want 2", m)
	}
	for _, oid := range opps[:2] {
		o := getOK(e, "/v1/opportunities/"+oid)
		if o["stateId"] != st[stWon] || closedAt(t, o) == nil || num(t, o, "version") != 2 {
			t.Errorf("moved opportunity: state %v closedAt %v version %v", o["stateId"], o["closedAt"], o["version"])
		}
	}
	if got := getOK(e, "/v1/opportunities/"+opps[2]); fmt.Sprint(got) != fmt.Sprint(third) {
		t.Errorf("the opportunity already won changed:\n%v\n%v", third, got)
	}
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=3", stLost+"=0")

	// Back to an open state: closedAt goes.
	res = e.staff_(http.MethodPost, "/v1/opportunities:bulk-state", map[string]any{"ids": opps[:1], "stateId": st[stNegotiating]})
	wantStatus(t, res, http.StatusOK)
	if o := getOK(e, "/v1/opportunities/"+opps[0]); closedAt(t, o) != nil {
		t.Errorf("reopened by a bulk move, closedAt %v", o["closedAt"])
	}
}

func TestBulkStateMovesUpToTheMaximum(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	var opps []string
	for i := range crm.MaxBulkMove + 1 {
		opps = append(opps, id(newOpp(e, map[string]any{"contactId": cid, "description": fmt.Sprint("O", i)})))
	}
	before := e.snapshot()
	wantProblem(t, e.staff_(http.MethodPost, "/v1/opportunities:bulk-state", map[string]any{"ids": opps, "stateId": st[stLost]}), 400, crm.CodeInvalid, "ids")
	e.unchanged(t, before)

	res := e.staff_(http.MethodPost, "/v1/opportunities:bulk-state", map[string]any{"ids": opps[:crm.MaxBulkMove], "stateId": st[stLost]})
	wantStatus(t, res, http.StatusOK)
	if m := num(t, res.json(t), "moved"); m != crm.MaxBulkMove {
		t.Errorf("moved %d, want %d", m, crm.MaxBulkMove)
	}
	wantTabs(t, e, stNew+"=1", stNegotiating+"=0", stQuoted+"=0", stWon+"=0", fmt.Sprintf("%s=%d", stLost, crm.MaxBulkMove))
}

func TestStateInUseCannotBeDeleted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	visited := id(e.created("/v1/states", map[string]any{"name": "Visitado", "order": 105}))
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	o1 := id(newOpp(e, map[string]any{"contactId": cid, "description": "Uno", "stateId": visited}))
	o2 := id(newOpp(e, map[string]any{"contactId": cid, "description": "Dos", "stateId": visited}))

	before := e.snapshot()
	p := wantProblem(t, e.admin_(http.MethodDelete, "/v1/states/"+visited, nil), http.StatusConflict, crm.CodeConflict)
	if !strings.Contains(p.Detail, "2") {
		t.Errorf("the problem does not say how many opportunities the state holds: %q", p.Detail)
	}
	// Nor the default, even empty.
	wantProblem(t, e.admin_(http.MethodDelete, "/v1/states/"+st[stNew], nil), http.StatusConflict, crm.CodeConflict)
	e.unchanged(t, before)

	patchOK(e, "/v1/opportunities/"+o1, map[string]any{"stateId": st[stNew]})
	p = wantProblem(t, e.admin_(http.MethodDelete, "/v1/states/"+visited, nil), http.StatusConflict, crm.CodeConflict)
	if !strings.Contains(p.Detail, "1") {
		t.Errorf("the problem does not say how many opportunities the state holds: %q", p.Detail)
	}
	wantStatus(t, e.staff_(http.MethodDelete, "/v1/opportunities/"+o2, nil), http.StatusNoContent)
	wantStatus(t, e.admin_(http.MethodDelete, "/v1/states/"+visited, nil), http.StatusNoContent)
	wantProblem(t, e.admin_(http.MethodGet, "/v1/states/"+visited, nil), 404, crm.CodeNotFound)
	wantTabs(t, e, stNew+"=1", stNegotiating+"=0", stQuoted+"=0", stWon+"=0", stLost+"=0")
}

func TestContactWithOpportunitiesCannotBeDeleted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	o := id(newOpp(e, map[string]any{"contactId": cid, "description": "Uno"}))
	before := e.snapshot()
	wantProblem(t, e.staff_(http.MethodDelete, "/v1/contacts/"+cid, nil), http.StatusConflict, crm.CodeConflict)
	e.unchanged(t, before)
	wantStatus(t, e.staff_(http.MethodDelete, "/v1/opportunities/"+o, nil), http.StatusNoContent)
	wantStatus(t, e.staff_(http.MethodDelete, "/v1/contacts/"+cid, nil), http.StatusNoContent)
}

func TestConvertContact(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	agent := id(e.created("/v1/agents", map[string]any{"code": "A1", "name": "Uno"}))
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{
		"name": "Lucía", "surname": "Gómez", "taxId": "12345678z", "email": "lucia@example.com",
		"phone": "+34 912 000 111", "web": "https://lucia.example", "agentId": agent, "observations": "Autónoma",
	}))
	path := "/v1/contacts/" + cid + "/convert"

	res := e.staff_(http.MethodPost, path, map[string]any{"to": "client"})
	wantStatus(t, res, http.StatusCreated)
	client := res.json(t)
	clientID := id(client)
	if res.Header.Get("Location") != "/v1/clients/"+clientID {
		t.Errorf("Location %q", res.Header.Get("Location"))
	}
	// Without a company, the legal name is the full name.
	wantFields(t, "client", client, map[string]any{
		"name": "Lucía Gómez", "legalName": "Lucía Gómez", "taxId": "12345678Z", "email": "lucia@example.com",
		"phone": "+34912000111", "mobile": "", "web": "https://lucia.example", "agentId": agent,
		"observations": "Autónoma", "mainContactId": cid, "code": "C00001",
	})
	if c := getOK(e, "/v1/contacts/"+cid); c["clientId"] != clientID || c["supplierId"] != "" {
		t.Errorf("contact after convert: clientId %v supplierId %v", c["clientId"], c["supplierId"])
	}

	// Again: the same client, 200, nothing written.
	before := e.snapshot()
	res = e.staff_(http.MethodPost, path, map[string]any{"to": "client"})
	wantStatus(t, res, http.StatusOK)
	if id(res.json(t)) != clientID {
		t.Errorf("second convert answered another client: %s", res.Body)
	}
	e.unchanged(t, before)

	// Also a supplier: both links.
	res = e.staff_(http.MethodPost, path, map[string]any{"to": "supplier"})
	wantStatus(t, res, http.StatusCreated)
	supplier := res.json(t)
	supplierID := id(supplier)
	if res.Header.Get("Location") != "/v1/suppliers/"+supplierID {
		t.Errorf("Location %q", res.Header.Get("Location"))
	}
	wantFields(t, "supplier", supplier, map[string]any{"name": "Lucía Gómez", "taxId": "12345678Z", "mainContactId": cid, "code": "P00001"})
	if c := getOK(e, "/v1/contacts/"+cid); c["clientId"] != clientID || c["supplierId"] != supplierID {
		t.Errorf("contact after both converts: clientId %v supplierId %v", c["clientId"], c["supplierId"])
	}
	if got := getOK(e, "/v1/suppliers/"+supplierID); id(got) != supplierID {
		t.Errorf("GET supplier %v", got)
	}
	wantProblem(t, e.staff_(http.MethodGet, "/v1/clients/"+supplierID, nil), 404, crm.CodeNotFound)

	other := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Otro"}))
	for kind, want := range map[string][]string{"client": {cid}, "supplier": {cid}, "none": {other}, "": {other, cid}} {
		if got := ids(e.listAll(e.staffToken, "/v1/contacts?kind="+kind)); !slices.Equal(got, want) {
			t.Errorf("contacts of kind %q: %v, want %v", kind, got, want)
		}
	}
	if got := ids(e.listAll(e.staffToken, "/v1/clients")); !slices.Equal(got, []string{clientID}) {
		t.Errorf("clients %v", got)
	}
	if got := ids(e.listAll(e.staffToken, "/v1/suppliers")); !slices.Equal(got, []string{supplierID}) {
		t.Errorf("suppliers %v", got)
	}

	// The company, when there is one, is the legal name.
	withCompany := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Pedro", "company": "Talleres Pedro SL"}))
	p := e.createdAs(e.staffToken, "/v1/contacts/"+withCompany+"/convert", map[string]any{"to": "client"})
	wantFields(t, "client of a company", p, map[string]any{"name": "Pedro", "legalName": "Talleres Pedro SL", "code": "C00002"})

	wantProblem(t, e.staff_(http.MethodPost, "/v1/contacts/"+unknownID()+"/convert", map[string]any{"to": "client"}), 404, crm.CodeNotFound)
}

func TestConcurrentConvertsMakeOneClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana", "email": "ana@example.com"}))
	const n = 4
	results := concurrently(t, n, func(int) (response, error) {
		return e.request(http.MethodPost, "/v1/contacts/"+cid+"/convert", e.staffToken, map[string]any{"to": "client"})
	})
	created, ok := 0, 0
	clientIDs := map[string]bool{}
	for _, r := range results {
		switch r.Status {
		case http.StatusCreated:
			created++
		case http.StatusOK:
			ok++
		default:
			t.Fatalf("convert answered %d: %s", r.Status, r.Body)
		}
		clientIDs[id(r.json(t))] = true
	}
	if created != 1 || ok != n-1 || len(clientIDs) != 1 {
		t.Errorf("%d created, %d found, %d client IDs; want 1, %d, 1", created, ok, len(clientIDs), n-1)
	}
	clients := e.listAll(e.staffToken, "/v1/clients")
	if len(clients) != 1 || !clientIDs[id(clients[0])] {
		t.Fatalf("clients %v, want the one both answered", ids(clients))
	}
	if got := e.listAll(e.staffToken, "/v1/contacts?kind=client"); !slices.Equal(ids(got), []string{cid}) || got[0]["clientId"] != id(clients[0]) {
		t.Errorf("contacts of kind client: %v", got)
	}
}

// A burst of new clients (an import, say): each gets its own consecutive
// code, and each main contact is stored whole and found by its name.
func TestConcurrentClientsGetConsecutiveCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 10
	results := concurrently(t, n, func(i int) (response, error) {
		return e.request(http.MethodPost, "/v1/clients", e.staffToken,
			map[string]any{"name": fmt.Sprintf("Ñandú Núñez %02d", i), "legalName": fmt.Sprintf("Construcciones Núñez %02d SL", i)})
	})
	var codes []string
	mainOf := map[string]string{} // main contact ID -> client name
	for _, r := range results {
		if r.Status != http.StatusCreated {
			t.Fatalf("POST /v1/clients answered %d: %s", r.Status, r.Body)
		}
		p := r.json(t)
		codes = append(codes, p["code"].(string))
		mainOf[p["mainContactId"].(string)] = p["name"].(string)
	}
	slices.Sort(codes)
	for i, c := range codes {
		if want := fmt.Sprintf("C%05d", i+1); c != want {
			t.Fatalf("codes %v, want C00001 to C%05d", codes, n)
		}
	}
	found := e.listAll(e.staffToken, "/v1/contacts?q="+url.QueryEscape("ñandu nunez"))
	if len(found) != n {
		t.Errorf("the name search finds %d main contacts, want %d", len(found), n)
	}
	for _, c := range found {
		if mainOf[id(c)] != c["name"] || c["clientId"] == "" {
			t.Errorf("main contact %v does not match its client", c)
		}
	}
}

func TestCreateClientCreatesItsMainContact(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"client", "supplier"} {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t)
			agent := id(e.created("/v1/agents", map[string]any{"code": "A1", "name": "Uno"}))
			res := e.staff_(http.MethodPost, "/v1/"+kind+"s", map[string]any{
				"name": "Acme", "legalName": "Acme Soluciones SL", "taxId": "b87654321", "email": "Info@Acme.example",
				"phone": "913 000 000", "web": "https://acme.example", "agentId": agent,
			})
			wantStatus(t, res, http.StatusCreated)
			p := res.json(t)
			pid := id(p)
			if res.Header.Get("Location") != "/v1/"+kind+"s/"+pid || res.Header.Get("ETag") != `"1"` {
				t.Errorf("Location %q ETag %q", res.Header.Get("Location"), res.Header.Get("ETag"))
			}
			code := map[string]string{"client": "C00001", "supplier": "P00001"}[kind]
			wantFields(t, kind, p, map[string]any{"name": "Acme", "legalName": "Acme Soluciones SL", "taxId": "B87654321",
				"email": "info@acme.example", "phone": "+34913000000", "code": code, "agentId": agent})
			mainID, _ := p["mainContactId"].(string)
			if !crm.ValidID(mainID) {
				t.Fatalf("no main contact: %v", p)
			}
			if got := getOK(e, "/v1/"+kind+"s/"+pid); fmt.Sprint(got) != fmt.Sprint(p) {
				t.Errorf("GET differs from POST:\n%v\n%v", got, p)
			}

			// The main contact is found by its e-mail and links back.
			found := e.listAll(e.staffToken, "/v1/contacts?email="+url.QueryEscape("info@acme.example"))
			if len(found) != 1 || id(found[0]) != mainID || found[0][kind+"Id"] != pid {
				t.Fatalf("contacts with the e-mail: %v", found)
			}
			wantFields(t, "main contact", found[0], map[string]any{"company": "Acme Soluciones SL", "phone": "+34913000000", "taxId": "B87654321"})
			if got := ids(e.listAll(e.staffToken, "/v1/contacts?kind="+kind)); !slices.Equal(got, []string{mainID}) {
				t.Errorf("contacts of kind %s: %v", kind, got)
			}

			// An e-mail that is a contact's already: 409 naming that contact;
			// no second client, no second contact.
			other := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Bea", "email": "bea@example.com"}))
			pr := wantProblem(t, e.staff_(http.MethodPost, "/v1/"+kind+"s", map[string]any{"name": "Bea SL", "email": "BEA@example.com"}),
				http.StatusConflict, crm.CodeConflict, "email")
			if pr.ExistingID != other {
				t.Errorf("existingId %q, want the contact %s", pr.ExistingID, other)
			}
			if got := ids(e.listAll(e.staffToken, "/v1/"+kind+"s")); !slices.Equal(got, []string{pid}) {
				t.Errorf("%ss after the conflict: %v", kind, got)
			}
			if got := e.listAll(e.staffToken, "/v1/contacts"); len(got) != 2 {
				t.Errorf("%d contacts after the conflict, want 2", len(got))
			}
			// Converting that contact is the way.
			// Codes stay consecutive: the refused one took none.
			conv := e.createdAs(e.staffToken, "/v1/contacts/"+other+"/convert", map[string]any{"to": kind})
			wantFields(t, "converted", conv, map[string]any{"mainContactId": other, "code": map[string]string{"client": "C00002", "supplier": "P00002"}[kind]})

			// Editing the client does not touch its main contact.
			patchOK(e, "/v1/"+kind+"s/"+pid, map[string]any{"name": "Acme Group"})
			if c := getOK(e, "/v1/contacts/"+mainID); c["name"] != "Acme" {
				t.Errorf("main contact name %v after renaming the %s", c["name"], kind)
			}
		})
	}
}

func TestQuotePrefill(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	interest := id(e.created("/v1/interests", map[string]any{"name": "Centralita"}))
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))

	withInterest := id(newOpp(e, map[string]any{"contactId": cid, "description": "Centralita para 10", "interestId": interest, "approxAmountCents": 250050}))
	q := newQuote(e, withInterest, nil)
	lines, _ := q["lines"].([]any)
	if len(lines) != 1 {
		t.Fatalf("prefilled lines %v", q["lines"])
	}
	// 2500.50 at 21 %: tax 525.105, rounded half away from zero to 525.11.
	wantFields(t, "prefilled line", lines[0].(map[string]any), map[string]any{"description": "Centralita", "interestId": interest,
		"quantity": 1, "unitPriceCents": 250050, "discountPct": 0, "taxPct": 21, "netCents": 250050, "taxCents": 52511, "totalCents": 302561})
	wantFields(t, "prefilled quote", q, map[string]any{"subtotalCents": 250050, "taxCents": 52511, "totalCents": 302561, "status": "draft"})

	// Without an interest, the line is the opportunity's description; an
	// empty JSON object is no lines too.
	plain := id(newOpp(e, map[string]any{"contactId": cid, "description": "Mantenimiento", "approxAmountCents": 1000}))
	q = newQuote(e, plain, map[string]any{})
	lines, _ = q["lines"].([]any)
	if len(lines) != 1 {
		t.Fatalf("prefilled lines %v", q["lines"])
	}
	wantFields(t, "prefilled line", lines[0].(map[string]any), map[string]any{"description": "Mantenimiento", "interestId": "",
		"quantity": 1, "unitPriceCents": 1000, "taxPct": 21, "totalCents": 1210})

	if got := ids(e.listAll(e.staffToken, "/v1/opportunities/"+plain+"/quotes")); !slices.Equal(got, []string{id(q)}) {
		t.Errorf("quotes of the opportunity: %v", got)
	}
	wantProblem(t, e.staff_(http.MethodPost, "/v1/opportunities/"+unknownID()+"/quotes", nil), 404, crm.CodeNotFound)
}

func TestQuoteArithmetic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	oid := id(newOpp(e, map[string]any{"contactId": cid, "description": "Varios"}))
	type line struct {
		quantity, discount, tax any
		unit                    int
		net, taxC, total        int64
	}
	cases := []struct {
		name  string
		lines []line
	}{
		{"1.5 × 45.00 −12.5 % +21 %", []line{{1.5, 12.5, 21, 4500, 5906, 1240, 7146}}},
		{"no discount", []line{{2, 0, 21, 1999, 3998, 840, 4838}}},
		{"100 % discount", []line{{3, 100, 21, 5000, 0, 0, 0}}},
		{"0.5 cent rounds up", []line{{0.5, 0, 0, 1, 1, 0, 1}}},
		{"a credit rounds away from zero", []line{{1, 0, 10, -5, -5, -1, -6}}},
		// Rounded per line: 2 × 0.5 cents of tax is 2 cents, not round(1.0) = 1.
		{"per line", []line{{1, 0, 10, 5, 5, 1, 6}, {1, 0, 10, 5, 5, 1, 6}}},
		{"three decimals", []line{{0.125, 33.33, 4, 999999, 83337, 3333, 86670}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body []any
			var sub, tax, total int64
			for _, l := range c.lines {
				body = append(body, map[string]any{"description": "Línea", "quantity": l.quantity, "unitPriceCents": l.unit,
					"discountPct": l.discount, "taxPct": l.tax})
				sub, tax, total = sub+l.net, tax+l.taxC, total+l.total
			}
			q := newQuote(e, oid, map[string]any{"lines": body})
			got, _ := q["lines"].([]any)
			if len(got) != len(c.lines) {
				t.Fatalf("lines %v", q["lines"])
			}
			for i, l := range c.lines {
				wantFields(t, fmt.Sprint("line ", i), got[i].(map[string]any), map[string]any{
					"quantity": l.quantity, "unitPriceCents": l.unit, "discountPct": l.discount, "taxPct": l.tax,
					"netCents": float64(l.net), "taxCents": float64(l.taxC), "totalCents": float64(l.total),
				})
			}
			wantFields(t, "totals", q, map[string]any{"subtotalCents": float64(sub), "taxCents": float64(tax), "totalCents": float64(total)})
			if again := getOK(e, "/v1/quotes/"+id(q)); fmt.Sprint(again) != fmt.Sprint(q) {
				t.Errorf("GET differs from POST:\n%v\n%v", again, q)
			}
		})
	}
}

func TestOpportunityAmountFollowsItsQuotes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	oid := id(newOpp(e, map[string]any{"contactId": cid, "description": "Obra", "approxAmountCents": 5000}))
	amount := func() int64 { t.Helper(); return num(t, getOK(e, "/v1/opportunities/"+oid), "amountCents") }
	if a := amount(); a != 0 {
		t.Fatalf("amount %d without quotes", a)
	}

	q1 := id(newQuote(e, oid, oneLine(10000)))
	if a := amount(); a != 10000 {
		t.Errorf("amount %d with one quote of 100.00 (+tax), want its subtotal 10000", a)
	}
	q2 := id(newQuote(e, oid, oneLine(20000)))
	if a := amount(); a != 20000 {
		t.Errorf("amount %d, want the latest quote's 20000", a)
	}
	patchOK(e, "/v1/quotes/"+q2, map[string]any{"status": "rejected"})
	if a := amount(); a != 10000 {
		t.Errorf("amount %d with the latest rejected, want 10000", a)
	}
	patchOK(e, "/v1/quotes/"+q1, oneLine(15000))
	if a := amount(); a != 15000 {
		t.Errorf("amount %d after editing the quote, want 15000", a)
	}
	q3 := id(newQuote(e, oid, oneLine(30000)))
	if a := amount(); a != 30000 {
		t.Errorf("amount %d, want the new latest 30000", a)
	}
	patchOK(e, "/v1/quotes/"+q1, map[string]any{"status": "rejected"})
	patchOK(e, "/v1/quotes/"+q3, map[string]any{"status": "rejected"})
	if a := amount(); a != 0 {
		t.Errorf("amount %d with every quote rejected, want 0", a)
	}
	patchOK(e, "/v1/quotes/"+q1, map[string]any{"status": "sent"})
	if a := amount(); a != 15000 {
		t.Errorf("amount %d with q1 sent again, want 15000", a)
	}

	// The accepted quote wins over a later one, whatever happens to the rest.
	wantStatus(t, e.staff_(http.MethodPost, "/v1/quotes/"+q1+"/accept", nil), http.StatusOK)
	if a := amount(); a != 15000 {
		t.Errorf("amount %d after accepting q1, want 15000", a)
	}
	patchOK(e, "/v1/quotes/"+q3, oneLine(99999))
	newQuote(e, oid, oneLine(77777))
	if a := amount(); a != 15000 {
		t.Errorf("amount %d after later quotes changed, want the accepted 15000", a)
	}
	o := getOK(e, "/v1/opportunities/"+oid)
	if o["stateId"] != st[stWon] || len(anyIDs(o["quoteIds"])) != 4 {
		t.Errorf("opportunity %v", o)
	}
	if got := ids(e.listAll(e.staffToken, "/v1/opportunities/"+oid+"/quotes")); len(got) != 4 || got[0] != q1 || got[1] != q2 || got[2] != q3 {
		t.Errorf("quotes of the opportunity %v, want oldest first", got)
	}
}

func TestQuotePatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	oid := id(newOpp(e, map[string]any{"contactId": cid, "description": "Obra"}))
	q := newQuote(e, oid, oneLine(10000))
	path := "/v1/quotes/" + id(q)

	before := e.snapshot()
	wantProblem(t, e.staff_(http.MethodPatch, path, map[string]any{"status": "sent"}, "If-Match", `"2"`), http.StatusPreconditionFailed, crm.CodePreconditionFailed)
	e.unchanged(t, before)

	res := e.staff_(http.MethodPatch, path, map[string]any{"status": "sent", "validUntil": "2026-12-31"}, "If-Match", `"1"`)
	wantStatus(t, res, http.StatusOK)
	if res.Header.Get("ETag") != `"2"` {
		t.Errorf("ETag %q after PATCH", res.Header.Get("ETag"))
	}
	wantFields(t, "patched quote", res.json(t), map[string]any{"status": "sent", "validUntil": "2026-12-31", "subtotalCents": 10000, "number": q["number"], "version": 2})
	// Lines not given are kept; given lines replace them, totals recomputed.
	res = e.staff_(http.MethodPatch, path, map[string]any{"lines": []any{
		map[string]any{"description": "A", "quantity": 2, "unitPriceCents": 1000, "taxPct": 10},
		map[string]any{"description": "B", "quantity": 1, "unitPriceCents": 500, "discountPct": 50, "taxPct": 21},
	}}, "If-Match", `"2"`)
	wantStatus(t, res, http.StatusOK)
	wantFields(t, "new lines", res.json(t), map[string]any{"status": "sent", "validUntil": "2026-12-31", "subtotalCents": 2250, "taxCents": 253, "totalCents": 2503})

	// Accepting through PATCH accepts it as /accept does.
	res = e.staff_(http.MethodPatch, path, map[string]any{"status": "accepted"}, "If-Match", `"3"`)
	wantStatus(t, res, http.StatusOK)
	if res.json(t)["status"] != "accepted" {
		t.Errorf("PATCH status accepted: %s", res.Body)
	}
	if o := getOK(e, "/v1/opportunities/"+oid); o["stateId"] != st[stWon] || num(t, o, "amountCents") != 2250 {
		t.Errorf("opportunity after accepting by PATCH: %v", o)
	}

	// An accepted quote is final.
	before = e.snapshot()
	for _, body := range []map[string]any{{"status": "rejected"}, {"validUntil": "2027-01-31"}, oneLine(1)} {
		wantProblem(t, e.staff_(http.MethodPatch, path, body), http.StatusConflict, crm.CodeConflict)
	}
	e.unchanged(t, before)
}

func TestAcceptQuote(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana", "company": "Ana SL"}))
	oid := id(newOpp(e, map[string]any{"contactId": cid, "description": "Obra", "stateId": st[stLost], "lostReason": "Caro"}))
	q := id(newQuote(e, oid, oneLine(10000)))

	// Accepting reopens nothing by hand: a lost opportunity becomes won.
	res := e.staff_(http.MethodPost, "/v1/quotes/"+q+"/accept", nil)
	wantStatus(t, res, http.StatusOK)
	o := getOK(e, "/v1/opportunities/"+oid)
	wantFields(t, "won", o, map[string]any{"stateId": st[stWon], "lostReason": "", "amountCents": 10000})
	if closedAt(t, o) == nil {
		t.Error("won without closedAt")
	}
	client, _ := getOK(e, "/v1/contacts/"+cid)["clientId"].(string)
	if client == "" {
		t.Fatal("the contact is not a client")
	}

	// A second accept changes nothing.
	before := e.snapshot()
	res = e.staff_(http.MethodPost, "/v1/quotes/"+q+"/accept", nil)
	wantStatus(t, res, http.StatusOK)
	if res.json(t)["status"] != "accepted" {
		t.Errorf("second accept: %s", res.Body)
	}
	e.unchanged(t, before)

	// Another opportunity of the same client: accepting keeps the client.
	o2 := id(newOpp(e, map[string]any{"contactId": cid, "description": "Ampliación"}))
	q2 := id(newQuote(e, o2, oneLine(5000)))
	wantStatus(t, e.staff_(http.MethodPost, "/v1/quotes/"+q2+"/accept", nil), http.StatusOK)
	if got := ids(e.listAll(e.staffToken, "/v1/clients")); !slices.Equal(got, []string{client}) {
		t.Errorf("clients %v, want just %s", got, client)
	}
	if c := getOK(e, "/v1/contacts/"+cid); c["clientId"] != client {
		t.Errorf("clientId %v", c["clientId"])
	}
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=2", stLost+"=0")

	// Deleting an opportunity deletes its quotes.
	wantStatus(t, e.staff_(http.MethodDelete, "/v1/opportunities/"+o2, nil), http.StatusNoContent)
	wantProblem(t, e.staff_(http.MethodGet, "/v1/quotes/"+q2, nil), 404, crm.CodeNotFound)
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=1", stLost+"=0")
}

func TestAcceptWithoutAWonState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	oid := id(newOpp(e, map[string]any{"contactId": cid, "description": "Obra"}))
	q := id(newQuote(e, oid, oneLine(10000)))
	wantStatus(t, e.admin_(http.MethodDelete, "/v1/states/"+st[stWon], nil), http.StatusNoContent)

	before := e.snapshot()
	wantProblem(t, e.staff_(http.MethodPost, "/v1/quotes/"+q+"/accept", nil), http.StatusConflict, crm.CodeConflict)
	e.unchanged(t, before)
	if got := getOK(e, "/v1/quotes/"+q); got["status"] != "draft" {
		t.Errorf("quote status %v", got["status"])
	}
}

func TestConcurrentAcceptsWinOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := stateIDs(e)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	oid := id(newOpp(e, map[string]any{"contactId": cid, "description": "Obra", "stateId": st[stQuoted]}))
	q := id(newQuote(e, oid, oneLine(10000)))
	versionBefore := num(t, getOK(e, "/v1/opportunities/"+oid), "version")

	const n = 4
	results := concurrently(t, n, func(int) (response, error) {
		return e.request(http.MethodPost, "/v1/quotes/"+q+"/accept", e.staffToken, nil)
	})
	for _, r := range results {
		if r.Status != http.StatusOK || r.json(t)["status"] != "accepted" {
			t.Errorf("accept answered %d: %s", r.Status, r.Body)
		}
	}
	o := getOK(e, "/v1/opportunities/"+oid)
	if o["stateId"] != st[stWon] || num(t, o, "version") != versionBefore+1 || num(t, o, "amountCents") != 10000 {
		t.Errorf("opportunity after two accepts: state %v version %v (was %d) amount %v", o["stateId"], o["version"], versionBefore, o["amountCents"])
	}
	if got := getOK(e, "/v1/quotes/"+q); num(t, got, "version") != 2 {
		t.Errorf("quote version %v, want 2: accepted once", got["version"])
	}
	clients := e.listAll(e.staffToken, "/v1/clients")
	if len(clients) != 1 {
		t.Fatalf("clients %v, want one", ids(clients))
	}
	if c := getOK(e, "/v1/contacts/"+cid); c["clientId"] != id(clients[0]) {
		t.Errorf("contact clientId %v, want %s", c["clientId"], id(clients[0]))
	}
	wantTabs(t, e, stNew+"=0", stNegotiating+"=0", stQuoted+"=0", stWon+"=1", stLost+"=0")
}

// Quote numbers run per year of the company's time zone (Europe/Madrid):
// the clock is set on both sides of midnight, 31 December, Madrid time
// (23:00 UTC in winter), so a counter shared across years or a year taken in
// UTC gives other numbers.
func TestQuoteNumbersAreSequentialPerYear(t *testing.T) {
	t.Parallel()
	var clock atomic.Pointer[time.Time]
	set := func(t time.Time) { clock.Store(&t) }
	set(time.Date(2030, 12, 31, 22, 59, 0, 0, time.UTC)) // 23:59 in Madrid
	e := newEnvConfig(t, crm.Config{Now: func() time.Time { return *clock.Load() }})
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	o1 := id(newOpp(e, map[string]any{"contactId": cid, "description": "Uno"}))
	o2 := id(newOpp(e, map[string]any{"contactId": cid, "description": "Dos"}))
	quote := func(oid, want string) {
		t.Helper()
		if q := newQuote(e, oid, oneLine(100)); q["number"] != want {
			t.Errorf("quote at %s: number %v, want %s", clock.Load().Format(time.RFC3339), q["number"], want)
		}
	}
	// Numbers run across opportunities; a refused quote takes none.
	quote(o1, "2030-0001")
	quote(o2, "2030-0002")
	before := e.snapshot()
	wantProblem(t, e.staff_(http.MethodPost, "/v1/opportunities/"+o1+"/quotes", withLine(map[string]any{"taxPct": 101})), 400, crm.CodeInvalid, "lines[0].taxPct")
	e.unchanged(t, before)
	set(time.Date(2030, 12, 31, 22, 59, 59, 999_000_000, time.UTC)) // the last millisecond of 2030 in Madrid
	quote(o1, "2030-0003")
	set(time.Date(2030, 12, 31, 23, 0, 0, 0, time.UTC)) // midnight in Madrid, still 2030 in UTC
	quote(o2, "2031-0001")
	quote(o1, "2031-0002")
	set(time.Date(2031, 1, 1, 23, 30, 0, 0, time.UTC))
	quote(o2, "2031-0003")
}
