package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/httpapi"
)

// The conformance test's scenarios (oasPipeline, oasHooks) are tables: a
// table of steps, each a subtest, and in each step tables of requests
// (oasCase) and of the fields an answer must hold (oasFields).

// oasStep is one step of a scenario; later steps build on what earlier
// ones made.
type oasStep struct {
	name string
	run  func()
}

// steps runs a scenario's steps in order, as subtests of a subtest called
// name, the checker reporting to each step's test while it runs. A step
// that stops (t.Fatal) stops the scenario and the test, as it did before the
// scenario had steps; one that reports errors lets the next ones run.
func (c *oasChecker) steps(name string, steps []oasStep) {
	parent := c.t
	defer func() { c.t = parent }()
	stopped := false
	parent.Run(name, func(t *testing.T) {
		for _, s := range steps {
			finished := false
			ok := t.Run(s.name, func(t *testing.T) {
				c.t = t
				s.run()
				finished = true
			})
			if !finished { // stopped, or left out by -run: the next steps need it
				stopped = !ok
				return
			}
		}
	})
	if stopped {
		parent.FailNow()
	}
}

// oasCase is one row of a table of requests whose answer is checked for
// its status (and, as every call, both against the document).
type oasCase struct {
	check   oasReq
	want    int
	token   string
	method  string
	path    string
	body    any
	headers []string
}

// calls sends the requests of a table in order.
func (c *oasChecker) calls(cases []oasCase) {
	c.t.Helper()
	for _, k := range cases {
		c.call(k.check, k.want, k.token, k.method, k.path, k.body, k.headers...)
	}
}

// oasFields checks the fields of a JSON object against a table of field ->
// value (an int stands for the JSON number) and reports whether all match.
func oasFields(t *testing.T, what string, m, want map[string]any) bool {
	t.Helper()
	ok := true
	for k, v := range want {
		if n, isInt := v.(int); isInt {
			v = float64(n)
		}
		if m[k] != v {
			t.Errorf("%s: %s = %v, want %v", what, k, m[k], v)
			ok = false
		}
	}
	return ok
}

// oasPipe is the pipeline scenario: the seeded states, the records the
// steps make and read, in the order the steps run.
type oasPipe struct {
	c                                *oasChecker
	staff, admin                     string
	defaultID, openID, wonID, lostID string // seeded states
	staffID, web, banos, luis, dora  string // a user, a source, an interest, an agent, a contact
	oppID, opp2, opp3                string
	q1ID, q2ID                       string
	acceptTag                        string         // the accepted quote's ETag
	won                              map[string]any // the opportunity once won
	clientID, supplierID             string         // Dora's
}

// oasPipeline drives the pipeline operations (opportunities, tabs, bulk
// moves, quotes, accept, clients, suppliers and convert) with their
// successes and main failures; states are the seeded pipeline states.
func oasPipeline(c *oasChecker, states []map[string]any) {
	c.t.Helper()
	p := newOASPipe(c, states)
	c.steps("pipeline", []oasStep{
		{"opportunities create", p.createOpportunities},
		{"opportunities read", p.readOpportunities},
		{"tabs", p.tabs},
		{"opportunities update", p.updateOpportunities},
		{"quotes create", p.createQuotes},
		{"quotes update", p.updateQuotes},
		{"quotes accept", p.acceptQuote},
		{"closed opportunity", p.closedOpportunity},
		{"convert", p.convert},
		{"clients", p.clients},
		{"suppliers", p.suppliers},
		{"bulk state", p.bulkState},
		{"deletes", p.deletes},
	})
}

// newOASPipe names the seeded states and makes what opportunities refer to.
func newOASPipe(c *oasChecker, states []map[string]any) *oasPipe {
	t := c.t
	t.Helper()
	p := &oasPipe{c: c, staff: c.e.staffToken, admin: adminToken}
	for _, s := range states {
		id, _ := s["id"].(string)
		switch {
		case s["default"] == true:
			p.defaultID = id
		case s["outcome"] == "open" && p.openID == "":
			p.openID = id
		case s["outcome"] == "won":
			p.wonID = id
		case s["outcome"] == "lost":
			p.lostID = id
		}
	}
	if p.defaultID == "" || p.openID == "" || p.wonID == "" || p.lostID == "" {
		t.Fatalf("the seeded states lack a default, another open, a won or a lost state: %v", states)
	}
	p.staffID = c.e.staffUser().ID
	p.web = oasID(t, c.call(oasOK, 201, p.admin, "POST", "/v1/sources", map[string]any{"name": "Web"}))
	p.banos = oasID(t, c.call(oasOK, 201, p.admin, "POST", "/v1/interests", map[string]any{"name": "Baños"}))
	p.luis = oasID(t, c.call(oasOK, 201, p.admin, "POST", "/v1/agents", map[string]any{"code": "AG-9", "name": "Luis"}))
	p.dora = oasID(t, c.call(oasOK, 201, p.staff, "POST", "/v1/contacts", map[string]any{
		"name": "Dora", "surname": "Ruiz", "company": "Reformas Dora", "email": "dora@example.com",
		"phone": "611 222 333", "sourceId": p.web, "agentId": p.luis}))
	return p
}

func oasNewID() string { return crm.NewID(time.Now()) }

// tabCount is the count of the tab of a state.
func (p *oasPipe) tabCount(stateID string) float64 {
	t := p.c.t
	t.Helper()
	for _, tab := range oasItems(t, p.c.call(oasOK, 200, p.staff, "GET", "/v1/opportunities/tabs", nil)) {
		if tab["id"] == stateID {
			n, _ := tab["count"].(float64)
			return n
		}
	}
	t.Errorf("state %s is not a tab", stateID)
	return -1
}

// oasLine is a quote body of one line: a description and kv.
func oasLine(kv ...any) map[string]any {
	l := map[string]any{"description": "Línea"}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i].(string)] = kv[i+1]
	}
	return map[string]any{"lines": []any{l}}
}

func (p *oasPipe) createOpportunities() {
	c, t, staff, dora := p.c, p.c.t, p.staff, p.dora
	oppBody := map[string]any{"contactId": dora, "description": "Reforma de baño", "interestId": p.banos,
		"assigneeId": p.staffID, "approxAmountCents": 850000, "currency": "eur", "expectedCloseDate": "2026-12-31"}
	opp := c.call(oasOK, 201, staff, "POST", "/v1/opportunities", oppBody, "Idempotency-Key", "opp-dora")
	p.oppID = oasID(t, opp)
	m := oasJSON(t, opp)
	oasFields(t, "opportunity defaults (default state, the contact's agent and source, EUR, open)", m, map[string]any{
		"stateId": p.defaultID, "agentId": p.luis, "sourceId": p.web, "currency": "EUR", "closedAt": nil, "amountCents": 0})
	if len(m["quoteIds"].([]any)) != 0 {
		t.Errorf("a new opportunity has quotes: %s", opp.Body)
	}
	if loc, tag := opp.Header.Get("Location"), opp.Header.Get("ETag"); loc != "/v1/opportunities/"+p.oppID || tag != `"1"` {
		t.Errorf("Location %q, ETag %q", loc, tag)
	}
	if r := c.call(oasOK, 201, staff, "POST", "/v1/opportunities", oppBody, "Idempotency-Key", "opp-dora"); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("opportunity POST not replayed: %v", r.Header)
	}
	if ids := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/contacts/"+dora, nil))["interestIds"].([]any); len(ids) != 1 || ids[0] != p.banos {
		t.Errorf("the opportunity's interest was not linked to the contact: %v", ids)
	}
	p.opp2 = oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/opportunities", map[string]any{"contactId": dora, "description": "Cocina"}))
	p.opp3 = oasID(t, c.call(oasOK, 201, staff, "POST", "/v1/opportunities", map[string]any{"contactId": dora, "description": "Terraza", "stateId": p.openID}))
	const path = "/v1/opportunities"
	c.calls([]oasCase{
		{oasBad, 400, staff, "POST", path, map[string]any{"description": "No contact"}, nil},
		{oasBad, 400, staff, "POST", path, map[string]any{"contactId": dora}, nil},
		{oasBad, 400, staff, "POST", path, map[string]any{"contactId": "nope", "description": "X"}, nil},
	})
	if f := oasProblemFields(t, c.call(oasOK, 400, staff, "POST", path, map[string]any{"contactId": oasNewID(), "description": "X"})); f["contactId"] == nil {
		t.Errorf("an unknown contact: want fields.contactId, got %v", f)
	}
	with := func(kv ...any) map[string]any { // an opportunity of Dora's described X, with kv
		b := map[string]any{"contactId": dora, "description": "X"}
		for i := 0; i+1 < len(kv); i += 2 {
			b[kv[i].(string)] = kv[i+1]
		}
		return b
	}
	c.calls([]oasCase{
		{oasOK, 400, staff, "POST", path, with("stateId", oasNewID()), nil},
		{oasOK, 400, staff, "POST", path, with("assigneeId", oasNewID()), nil},
		{oasOK, 400, staff, "POST", path, with("interestId", oasNewID()), nil},
		{oasOK, 400, staff, "POST", path, with("lostReason", "price"), nil},
		{oasBad, 400, staff, "POST", path, with("currency", "euro"), nil},
		{oasBad, 400, staff, "POST", path, with("approxAmountCents", -1), nil},
		{oasBad, 400, staff, "POST", path, with("expectedCloseDate", "31/12/2026"), nil},
		{oasOK, 400, staff, "POST", path, with("expectedCloseDate", "2026-02-30"), nil},
		{oasBad, 400, staff, "POST", path, with("number", 7), nil},
		{oasBad, 413, staff, "POST", path, map[string]any{"contactId": dora, "description": "Big", "observations": strings.Repeat("a", httpapi.MaxBodyBytes)}, nil},
	})
}

func (p *oasPipe) readOpportunities() {
	c, t, staff := p.c, p.c.t, p.staff
	if r := c.call(oasOK, 200, staff, "GET", "/v1/opportunities/"+p.oppID, nil); r.Header.Get("ETag") != `"1"` {
		t.Errorf("GET opportunity: ETag %q", r.Header.Get("ETag"))
	}
	for q, want := range map[string]int{"": 3, "?stateId=" + p.defaultID: 2, "?agentId=" + p.luis: 3, "?assigneeId=" + p.staffID: 1,
		"?contactId=" + p.dora: 3, "?interestId=" + p.banos: 1, "?sourceId=" + p.web: 3, "?contactId=" + p.dora + "&stateId=" + p.openID: 1,
		"?stateId=" + p.wonID: 0} {
		if items := oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/opportunities"+q, nil)); len(items) != want {
			t.Errorf("GET /v1/opportunities%s: %d items, want %d", q, len(items), want)
		}
	}
	first := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/opportunities?limit=2", nil))
	if cursor, _ := first["nextCursor"].(string); cursor == "" {
		t.Errorf("limit=2 of 3 opportunities: no nextCursor: %v", first)
	} else if items := oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/opportunities?limit=2&cursor="+url.QueryEscape(cursor), nil)); len(items) != 1 {
		t.Errorf("second page: %d items, want 1", len(items))
	}
	c.calls([]oasCase{
		{oasBad, 400, staff, "GET", "/v1/opportunities?stateId=nope", nil, nil},
		{oasBad, 400, staff, "GET", "/v1/opportunities?limit=0", nil, nil},
		{oasAny, 400, staff, "GET", "/v1/opportunities?state=" + p.defaultID, nil, nil},
	})
}

func (p *oasPipe) tabs() {
	c, t, staff := p.c, p.c.t, p.staff
	tabs := oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/opportunities/tabs", nil))
	if len(tabs) == 0 || tabs[0]["id"] != p.defaultID {
		t.Errorf("tabs: want the shown states in order, the default first: %v", tabs)
	}
	if n := p.tabCount(p.defaultID); n != 2 {
		t.Errorf("default tab count %v, want 2", n)
	}
	c.calls([]oasCase{
		{oasOK, 200, staff, "GET", "/v1/opportunities/tabs?limit=1", nil, nil},
		{oasBad, 400, staff, "GET", "/v1/opportunities/tabs?limit=0", nil, nil},
		{oasAny, 400, staff, "GET", "/v1/opportunities/tabs?stateId=" + p.defaultID, nil, nil},
	})
}

func (p *oasPipe) updateOpportunities() {
	c, t, staff, path := p.c, p.c.t, p.staff, "/v1/opportunities/"+p.oppID
	up := c.call(oasOK, 200, staff, "PATCH", path, map[string]any{"observations": "segunda visita", "approxAmountCents": 900000}, "If-Match", `"1"`)
	oasFields(t, "PATCH opportunity: observations changed, description kept", oasJSON(t, up),
		map[string]any{"observations": "segunda visita", "description": "Reforma de baño"})
	if up.Header.Get("ETag") != `"2"` {
		t.Errorf("PATCH opportunity: want ETag \"2\": %v %s", up.Header, up.Body)
	}
	c.calls([]oasCase{
		{oasOK, 412, staff, "PATCH", path, map[string]any{"observations": "stale"}, []string{"If-Match", `"1"`}},
		{oasBad, 400, staff, "PATCH", path, map[string]any{"observations": "x"}, []string{"If-Match", "2"}},
		{oasBad, 400, staff, "PATCH", path, map[string]any{"description": ""}, nil},
		{oasBad, 400, staff, "PATCH", path, map[string]any{"amountCents": 5}, nil},
		{oasOK, 400, staff, "PATCH", path, map[string]any{"stateId": oasNewID()}, nil},
		{oasOK, 400, staff, "PATCH", path, map[string]any{"lostReason": "caro"}, nil},
		{oasBad, 400, staff, "PATCH", path, nil, nil},
	})
}

// createQuotes generates quotes (pre-filled, then with lines), lists and
// gets them.
func (p *oasPipe) createQuotes() {
	c, t, staff, quotes := p.c, p.c.t, p.staff, "/v1/opportunities/"+p.oppID+"/quotes"
	q1 := c.call(oasOK, 201, staff, "POST", quotes, nil)
	p.q1ID = oasID(t, q1)
	if m := oasJSON(t, q1); oasFields(t, "pre-filled quote: one line at the approximate amount with 21 % tax", m, map[string]any{
		"status": "draft", "opportunityId": p.oppID, "contactId": p.dora, "currency": "EUR",
		"subtotalCents": 900000, "taxCents": 189000, "totalCents": 1089000}) {
		oasFields(t, "pre-filled line", m["lines"].([]any)[0].(map[string]any), map[string]any{
			"description": "Baños", "quantity": 1, "taxPct": 21, "interestId": p.banos})
	}
	if loc := q1.Header.Get("Location"); loc != "/v1/quotes/"+p.q1ID {
		t.Errorf("quote Location %q", loc)
	}
	quoteBody := map[string]any{"status": "sent", "validUntil": "2026-12-31", "lines": []any{
		map[string]any{"description": "Plato de ducha", "interestId": p.banos, "quantity": 2.5, "unitPriceCents": 12345, "discountPct": 12.5, "taxPct": 21},
		map[string]any{"description": "Mano de obra", "unitPriceCents": 30000, "taxPct": 10},
	}}
	q2 := c.call(oasOK, 201, staff, "POST", quotes, quoteBody, "Idempotency-Key", "quote-2")
	p.q2ID = oasID(t, q2)
	// 2.5 × 123.45 × 0.875 = 270.046875 -> 270.05 + 21 % (56.7105 -> 56.71); 300.00 + 10 %.
	if m := oasJSON(t, q2); oasFields(t, "quote totals: 57005 + 8671 = 65676", m, map[string]any{
		"subtotalCents": 57005, "taxCents": 8671, "totalCents": 65676, "status": "sent"}) {
		oasFields(t, "quote line", m["lines"].([]any)[0].(map[string]any), map[string]any{
			"quantity": 2.5, "discountPct": 12.5, "netCents": 27005, "taxCents": 5671})
	}
	c.calls([]oasCase{
		{oasOK, 201, staff, "POST", quotes, quoteBody, []string{"Idempotency-Key", "quote-2"}},
		{oasOK, 409, staff, "POST", quotes, map[string]any{}, []string{"Idempotency-Key", "quote-2"}},
	})
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{oasLine("quantity", 1.2345), "lines[0].quantity"},
		{oasLine("quantity", 0), "lines[0].quantity"},
		{oasLine("quantity", -1), "lines[0].quantity"},
		{oasLine("discountPct", 100.5), "lines[0].discountPct"},
		{oasLine("taxPct", 21.001), "lines[0].taxPct"},
		{oasLine("unitPriceCents", 1.5), "lines.unitPriceCents"}, // a type error does not name the line (see body.go jsonError)
		{map[string]any{"lines": []any{map[string]any{"quantity": 1}}}, "lines[0].description"},
		{map[string]any{"status": "accepted"}, "status"},
		{map[string]any{"validUntil": "tomorrow"}, "validUntil"},
	} {
		if f := oasProblemFields(t, c.call(oasBad, 400, staff, "POST", quotes, bad.body)); f[bad.field] == nil {
			t.Errorf("quote %v: want fields.%s, got %v", bad.body, bad.field, f)
		}
	}
	c.calls([]oasCase{
		{oasOK, 400, staff, "POST", quotes, oasLine("description", "   "), nil},
		{oasOK, 400, staff, "POST", quotes, map[string]any{"validUntil": "2026-13-01"}, nil},
		{oasBad, 400, staff, "POST", quotes, oasLine("price", 5), nil},
		{oasBad, 400, staff, "POST", quotes, map[string]any{"total": 5}, nil},
		{oasBad, 413, staff, "POST", quotes, oasLine("description", strings.Repeat("a", httpapi.MaxBodyBytes)), nil},
	})
	if items := oasItems(t, c.call(oasOK, 200, staff, "GET", quotes, nil)); len(items) != 2 || items[0]["id"] != p.q1ID || items[1]["id"] != p.q2ID {
		t.Errorf("the opportunity's quotes, oldest first: %v", items)
	}
	c.calls([]oasCase{
		{oasOK, 200, staff, "GET", quotes + "?limit=1", nil, nil},
		{oasAny, 400, staff, "GET", quotes + "?status=sent", nil, nil},
	})
	if r := c.call(oasOK, 200, staff, "GET", "/v1/quotes/"+p.q1ID, nil); r.Header.Get("ETag") != `"1"` {
		t.Errorf("GET quote: ETag %q", r.Header.Get("ETag"))
	}
	if m := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/opportunities/"+p.oppID, nil)); m["amountCents"] != float64(57005) || len(m["quoteIds"].([]any)) != 2 {
		t.Errorf("the opportunity's amount follows its newest quote: %v", m)
	}
}

func (p *oasPipe) updateQuotes() {
	c, t, staff, q1, q2 := p.c, p.c.t, p.staff, "/v1/quotes/"+p.q1ID, "/v1/quotes/"+p.q2ID
	c.calls([]oasCase{
		{oasOK, 200, staff, "PATCH", q1, map[string]any{"status": "rejected"}, []string{"If-Match", `"1"`}},
		{oasOK, 412, staff, "PATCH", q1, map[string]any{"status": "draft"}, []string{"If-Match", `"1"`}},
	})
	patched := c.call(oasOK, 200, staff, "PATCH", q2, map[string]any{"lines": []any{
		map[string]any{"description": "Plato de ducha", "quantity": 3, "unitPriceCents": 12345}}})
	oasFields(t, "PATCH quote lines: 3 × 123.45, no tax, validUntil kept", oasJSON(t, patched), map[string]any{
		"subtotalCents": 37035, "totalCents": 37035, "validUntil": "2026-12-31"})
	c.calls([]oasCase{
		{oasBad, 400, staff, "PATCH", q2, map[string]any{"lines": []any{}}, nil},
		{oasBad, 400, staff, "PATCH", q2, map[string]any{"status": "lost"}, nil},
		{oasBad, 400, staff, "PATCH", q2, oasLine("quantity", 0.0001), nil},
		{oasOK, 400, staff, "PATCH", q2, map[string]any{"status": "accepted", "validUntil": "2027-01-31"}, nil},
		{oasBad, 400, staff, "PATCH", q2, map[string]any{"number": "2026-9999"}, nil},
	})
}

// acceptQuote: accepting wins the opportunity and makes the contact a client.
func (p *oasPipe) acceptQuote() {
	c, t, staff, accept := p.c, p.c.t, p.staff, "/v1/quotes/"+p.q2ID+"/accept"
	acc := c.call(oasOK, 200, staff, "POST", accept, nil, "Idempotency-Key", "accept-q2")
	p.acceptTag = acc.Header.Get("ETag")
	if m := oasJSON(t, acc); m["status"] != "accepted" || p.acceptTag == "" {
		t.Errorf("accept: %v %s", acc.Header, acc.Body)
	}
	if r := c.call(oasOK, 200, staff, "POST", accept, nil, "Idempotency-Key", "accept-q2"); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("accept not replayed: %v", r.Header)
	}
	if again := c.call(oasOK, 200, staff, "POST", accept, nil); again.Header.Get("ETag") != p.acceptTag {
		t.Errorf("accepting an accepted quote changed it: ETag %q, then %q", p.acceptTag, again.Header.Get("ETag"))
	}
	c.call(oasOK, 409, staff, "POST", "/v1/quotes/"+p.q1ID+"/accept", nil, "Idempotency-Key", "accept-q2")
	p.won = oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/opportunities/"+p.oppID, nil))
	if p.won["stateId"] != p.wonID || p.won["closedAt"] == nil || p.won["amountCents"] != float64(37035) {
		t.Errorf("after accept: want the won state, closedAt and the accepted amount: %v", p.won)
	}
	p.clientID, _ = oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/contacts/"+p.dora, nil))["clientId"].(string)
	if p.clientID == "" {
		t.Error("accept did not convert the contact into a client")
	}
	c.calls([]oasCase{
		{oasOK, 409, staff, "PATCH", "/v1/quotes/" + p.q2ID, map[string]any{"validUntil": "2027-01-31"}, nil},
		{oasOK, 409, staff, "PATCH", "/v1/quotes/" + p.q2ID, map[string]any{"status": "rejected"}, []string{"If-Match", p.acceptTag}},
	})
}

// closedOpportunity: a closed opportunity's main fields are locked; it
// moves from won to lost, and is reopened.
func (p *oasPipe) closedOpportunity() {
	c, t, staff, path := p.c, p.c.t, p.staff, "/v1/opportunities/"+p.oppID
	tag := c.call(oasOK, 200, staff, "GET", path, nil).Header.Get("ETag")
	locked := c.call(oasOK, 409, staff, "PATCH", path, map[string]any{"description": "Otra", "approxAmountCents": 1}, "If-Match", tag)
	if pr := oasJSON(t, locked); pr["code"] != "conflict" || pr["fields"].(map[string]any)["description"] == nil || pr["fields"].(map[string]any)["approxAmountCents"] == nil {
		t.Errorf("locked fields: want a conflict naming description and approxAmountCents: %s", locked.Body)
	}
	c.call(oasOK, 400, staff, "PATCH", path, map[string]any{"lostReason": "caro"})
	lost := oasJSON(t, c.call(oasOK, 200, staff, "PATCH", path, map[string]any{"stateId": p.lostID, "lostReason": "caro"}, "If-Match", tag))
	oasFields(t, "won to lost: closedAt kept and the lost reason", lost, map[string]any{"closedAt": p.won["closedAt"], "lostReason": "caro"})
	reopened := oasJSON(t, c.call(oasOK, 200, staff, "PATCH", path, map[string]any{"stateId": p.defaultID, "description": "Reforma de baño (2)"}))
	oasFields(t, "reopened: closedAt null, no lost reason, and the description changed", reopened, map[string]any{
		"closedAt": nil, "lostReason": "", "description": "Reforma de baño (2)"})
}

// convert: the client exists already; a supplier is new.
func (p *oasPipe) convert() {
	c, t, staff, convert := p.c, p.c.t, p.staff, "/v1/contacts/"+p.dora+"/convert"
	if conv := c.call(oasOK, 200, staff, "POST", convert, map[string]any{"to": "client"}); oasID(t, conv) != p.clientID || conv.Header.Get("ETag") == "" {
		t.Errorf("converting a client again: want 200 with client %s: %v %s", p.clientID, conv.Header, conv.Body)
	}
	sup := c.call(oasOK, 201, staff, "POST", convert, map[string]any{"to": "supplier"}, "Idempotency-Key", "dora-supplier")
	p.supplierID = oasID(t, sup)
	m := oasJSON(t, sup)
	oasFields(t, "supplier from a contact", m, map[string]any{
		"mainContactId": p.dora, "name": "Dora Ruiz", "legalName": "Reformas Dora", "email": "dora@example.com", "agentId": ""})
	if code, _ := m["code"].(string); !strings.HasPrefix(code, "P") {
		t.Errorf("supplier from a contact: code %q: %s", code, sup.Body)
	}
	if loc := sup.Header.Get("Location"); loc != "/v1/suppliers/"+p.supplierID {
		t.Errorf("convert Location %q", loc)
	}
	c.call(oasOK, 201, staff, "POST", convert, map[string]any{"to": "supplier"}, "Idempotency-Key", "dora-supplier")
	if conv := c.call(oasOK, 200, staff, "POST", convert, map[string]any{"to": "supplier"}); oasID(t, conv) != p.supplierID {
		t.Errorf("converting again: want supplier %s: %s", p.supplierID, conv.Body)
	}
	c.calls([]oasCase{
		{oasBad, 400, staff, "POST", convert, map[string]any{"to": "partner"}, nil},
		{oasBad, 400, staff, "POST", convert, map[string]any{}, nil},
		{oasBad, 400, staff, "POST", convert, map[string]any{"to": "client", "code": "C1"}, nil},
		{oasBad, 400, staff, "POST", convert, nil, nil},
	})
}

func (p *oasPipe) clients() {
	c, t, staff := p.c, p.c.t, p.staff
	if items := oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/clients", nil)); len(items) != 1 || items[0]["id"] != p.clientID || items[0]["mainContactId"] != p.dora {
		t.Errorf("clients: want Dora's: %v", items)
	}
	hotelBody := map[string]any{"name": "Hotel Sol", "email": "Compras@HotelSol.example",
		"phone": "+34 912 345 678", "agentId": p.luis, "web": "https://hotelsol.example", "taxId": "b87654321"}
	hotel := c.call(oasOK, 201, staff, "POST", "/v1/clients", hotelBody, "Idempotency-Key", "hotel")
	hotelID := oasID(t, hotel)
	hm := oasJSON(t, hotel)
	oasFields(t, "client defaults and normalisation", hm, map[string]any{
		"legalName": "Hotel Sol", "email": "compras@hotelsol.example", "phone": "+34912345678", "taxId": "B87654321"})
	if dorasCode := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/clients/"+p.clientID, nil))["code"]; hm["code"] == dorasCode {
		t.Errorf("a new client has the code of Dora's, %v: %s", dorasCode, hotel.Body)
	}
	if loc := hotel.Header.Get("Location"); loc != "/v1/clients/"+hotelID {
		t.Errorf("client Location %q", loc)
	}
	if main, _ := hm["mainContactId"].(string); main == "" {
		t.Errorf("no main contact: %s", hotel.Body)
	} else if m := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/contacts/"+main, nil)); m["clientId"] != hotelID {
		t.Errorf("the main contact does not link back: %v", m)
	}
	c.call(oasOK, 201, staff, "POST", "/v1/clients", hotelBody, "Idempotency-Key", "hotel")
	if pr := oasJSON(t, c.call(oasOK, 409, staff, "POST", "/v1/clients", map[string]any{"name": "Dora bis", "email": "dora@example.com"})); pr["existingId"] != p.dora {
		t.Errorf("a client with a contact's e-mail: want existingId %s: %v", p.dora, pr)
	}
	c.calls([]oasCase{
		{oasBad, 400, staff, "POST", "/v1/clients", map[string]any{"legalName": "Nameless SL"}, nil},
		{oasBad, 400, staff, "POST", "/v1/clients", map[string]any{"name": ""}, nil},
		{oasBad, 400, staff, "POST", "/v1/clients", map[string]any{"name": "X", "code": "C99999"}, nil},
		{oasOK, 400, staff, "POST", "/v1/clients", map[string]any{"name": "X", "email": "not-an-email"}, nil},
		{oasOK, 400, staff, "POST", "/v1/clients", map[string]any{"name": "X", "agentId": oasNewID()}, nil},
		{oasBad, 413, staff, "POST", "/v1/clients", map[string]any{"name": "Big", "observations": strings.Repeat("a", httpapi.MaxBodyBytes)}, nil},
		{oasOK, 200, staff, "GET", "/v1/clients/" + hotelID, nil, nil},
	})
	page1 := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/clients?limit=1", nil))
	if cursor, _ := page1["nextCursor"].(string); cursor == "" {
		t.Errorf("limit=1 of 2 clients: no nextCursor: %v", page1)
	} else {
		c.call(oasOK, 200, staff, "GET", "/v1/clients?limit=1&cursor="+url.QueryEscape(cursor), nil)
	}
	c.calls([]oasCase{
		{oasBad, 400, staff, "GET", "/v1/clients?limit=0", nil, nil},
		{oasAny, 400, staff, "GET", "/v1/clients?q=hotel", nil, nil},
	})
	patched := oasJSON(t, c.call(oasOK, 200, staff, "PATCH", "/v1/clients/"+hotelID, map[string]any{"observations": "VIP", "legalName": "Hoteles del Sol SA"}, "If-Match", `"1"`))
	oasFields(t, "PATCH client", patched, map[string]any{"observations": "VIP", "name": "Hotel Sol"})
	c.calls([]oasCase{
		{oasOK, 412, staff, "PATCH", "/v1/clients/" + hotelID, map[string]any{"observations": "stale"}, []string{"If-Match", `"1"`}},
		{oasBad, 400, staff, "PATCH", "/v1/clients/" + hotelID, map[string]any{"name": ""}, nil},
		{oasOK, 400, staff, "PATCH", "/v1/clients/" + hotelID, map[string]any{"web": "ftp://hotelsol.example"}, nil},
		{oasBad, 400, staff, "PATCH", "/v1/clients/" + hotelID, map[string]any{"mainContactId": p.dora}, nil},
		{oasOK, 404, staff, "GET", "/v1/suppliers/" + hotelID, nil, nil},
	})
}

func (p *oasPipe) suppliers() {
	c, t, staff := p.c, p.c.t, p.staff
	if items := oasItems(t, c.call(oasOK, 200, staff, "GET", "/v1/suppliers", nil)); len(items) != 1 || items[0]["id"] != p.supplierID {
		t.Errorf("suppliers: want Dora's: %v", items)
	}
	norte := c.call(oasOK, 201, staff, "POST", "/v1/suppliers", map[string]any{"name": "Cerámicas Norte", "legalName": "Cerámicas del Norte SL"})
	norteID := oasID(t, norte)
	if m := oasJSON(t, norte); !strings.HasPrefix(m["code"].(string), "P") || m["legalName"] != "Cerámicas del Norte SL" {
		t.Errorf("supplier: %s", norte.Body)
	}
	c.calls([]oasCase{
		{oasBad, 400, staff, "POST", "/v1/suppliers", map[string]any{"web": "https://no-name.example"}, nil},
		{oasOK, 200, staff, "GET", "/v1/suppliers/" + norteID, nil, nil},
		{oasOK, 200, staff, "GET", "/v1/suppliers?limit=1", nil, nil},
		{oasOK, 200, staff, "PATCH", "/v1/suppliers/" + norteID, map[string]any{"mobile": "622 333 444"}, []string{"If-Match", `"1"`}},
		{oasOK, 412, staff, "PATCH", "/v1/suppliers/" + norteID, map[string]any{"mobile": ""}, []string{"If-Match", `"1"`}},
		{oasOK, 400, staff, "PATCH", "/v1/suppliers/" + norteID, map[string]any{"phone": "12"}, nil},
		{oasOK, 404, staff, "PATCH", "/v1/clients/" + norteID, map[string]any{}, nil},
	})
}

// bulkState: bulk state changes, all or nothing.
func (p *oasPipe) bulkState() {
	c, t, staff, opp2 := p.c, p.c.t, p.staff, p.opp2
	const path = "/v1/opportunities:bulk-state"
	bulk := map[string]any{"ids": []string{opp2, p.opp3}, "stateId": p.lostID}
	if m := oasJSON(t, c.call(oasOK, 200, staff, "POST", path, bulk, "Idempotency-Key", "bulk-1")); m["moved"] != float64(2) {
		t.Errorf("bulk move: want moved 2: %v", m)
	}
	if r := c.call(oasOK, 200, staff, "POST", path, bulk, "Idempotency-Key", "bulk-1"); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("bulk move not replayed: %v", r.Header)
	}
	if m := oasJSON(t, c.call(oasOK, 200, staff, "POST", path, bulk)); m["moved"] != float64(0) {
		t.Errorf("moving opportunities to the state they are in: want moved 0: %v", m)
	}
	if m := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/opportunities/"+opp2, nil)); m["stateId"] != p.lostID || m["closedAt"] == nil {
		t.Errorf("bulk move to a lost state: want closedAt set: %v", m)
	}
	if f := oasProblemFields(t, c.call(oasOK, 400, staff, "POST", path, map[string]any{"ids": []string{opp2, oasNewID()}, "stateId": p.openID})); f["ids[1]"] == nil || len(f) != 1 {
		t.Errorf("bulk move with an unknown ID: want fields ids[1] only, got %v", f)
	}
	if m := oasJSON(t, c.call(oasOK, 200, staff, "GET", "/v1/opportunities/"+opp2, nil)); m["stateId"] != p.lostID {
		t.Errorf("a refused bulk move moved an opportunity: %v", m)
	}
	for what, ids := range map[string][]string{"a bad ID": {opp2, "nope"}, "a repeated ID": {opp2, opp2}} {
		if f := oasProblemFields(t, c.call(oasBad, 400, staff, "POST", path, map[string]any{"ids": ids, "stateId": p.openID})); f["ids[1]"] == nil {
			t.Errorf("bulk move with %s: want fields ids[1], got %v", what, f)
		}
	}
	many := make([]string, crm.MaxBulkMove+1)
	for i := range many {
		many[i] = oasNewID()
	}
	c.calls([]oasCase{
		{oasBad, 400, staff, "POST", path, map[string]any{"ids": many, "stateId": p.openID}, nil},
		{oasBad, 400, staff, "POST", path, map[string]any{"ids": []string{}, "stateId": p.openID}, nil},
		{oasBad, 400, staff, "POST", path, map[string]any{"ids": []string{opp2}}, nil},
		{oasOK, 400, staff, "POST", path, map[string]any{"ids": []string{opp2}, "stateId": oasNewID()}, nil},
		{oasBad, 400, staff, "POST", path, map[string]any{"ids": []string{opp2}, "stateId": p.openID, "force": true}, nil},
		{oasBad, 413, staff, "POST", path, map[string]any{"ids": []string{opp2}, "stateId": p.openID, "x": strings.Repeat("a", httpapi.MaxBodyBytes)}, nil},
		{oasOK, 409, staff, "POST", path, map[string]any{"ids": []string{opp2}, "stateId": p.openID}, []string{"Idempotency-Key", "bulk-1"}},
	})
	if n := p.tabCount(p.lostID); n != 2 {
		t.Errorf("lost tab count %v, want 2", n)
	}
}

// deletes: what opportunities refer to cannot go while they do; deleting
// an opportunity deletes its quotes.
func (p *oasPipe) deletes() {
	c, t, staff := p.c, p.c.t, p.staff
	opp, opp3 := "/v1/opportunities/"+p.oppID, "/v1/opportunities/"+p.opp3
	c.calls([]oasCase{
		{oasOK, 409, p.admin, "DELETE", "/v1/states/" + p.lostID, nil, nil},
		{oasOK, 409, staff, "DELETE", "/v1/contacts/" + p.dora, nil, nil},
		{oasOK, 412, staff, "DELETE", opp3, nil, []string{"If-Match", `"1"`}},
		{oasBad, 400, staff, "DELETE", opp3, nil, []string{"If-Match", "latest"}},
		{oasOK, 204, staff, "DELETE", opp3, nil, []string{"If-Match", `"2"`}},
		{oasOK, 404, staff, "GET", opp3, nil, nil},
		{oasOK, 404, staff, "DELETE", opp3, nil, nil},
		{oasOK, 204, staff, "DELETE", opp, nil, nil},
		{oasOK, 404, staff, "GET", "/v1/quotes/" + p.q1ID, nil, nil},
		{oasOK, 404, staff, "POST", "/v1/quotes/" + p.q2ID + "/accept", nil, nil},
		{oasOK, 404, staff, "GET", opp + "/quotes", nil, nil},
		{oasOK, 204, staff, "DELETE", "/v1/opportunities/" + p.opp2, nil, nil},
	})
	for _, tab := range []struct{ name, id string }{{"lost", p.lostID}, {"default", p.defaultID}} {
		if n := p.tabCount(tab.id); n != 0 {
			t.Errorf("%s tab count %v after the deletes, want 0", tab.name, n)
		}
	}
	// Without opportunities, Dora is still her client's and supplier's
	// main contact.
	c.call(oasOK, 409, staff, "DELETE", "/v1/contacts/"+p.dora, nil)
}
