package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// TestWonOpportunityAcceptsNoSecondQuote: once a quote of an opportunity
// is accepted, accepting another is a 409 naming the accepted one and
// writes nothing, also when the two accepts arrive at once; the won
// amount stays the accepted quote's.
func TestWonOpportunityAcceptsNoSecondQuote(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cid := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana"}))
	oid := id(newOpp(e, map[string]any{"contactId": cid, "description": "Obra"}))
	q1 := newQuote(e, oid, oneLine(10000))
	q2 := newQuote(e, oid, oneLine(20000))
	wantStatus(t, e.staff_(http.MethodPost, "/v1/quotes/"+id(q1)+"/accept", nil), http.StatusOK)
	before := e.snapshot()
	for _, res := range []response{
		e.staff_(http.MethodPost, "/v1/quotes/"+id(q2)+"/accept", nil),
		e.staff_(http.MethodPatch, "/v1/quotes/"+id(q2), map[string]any{"status": "accepted"}),
	} {
		if p := wantProblem(t, res, http.StatusConflict, crm.CodeConflict); p.ExistingID != id(q1) {
			t.Errorf("the conflict names %q, want the accepted quote %s: %+v", p.ExistingID, id(q1), p)
		}
	}
	e.unchanged(t, before)
	newQuote(e, oid, oneLine(30000))
	if o := getOK(e, "/v1/opportunities/"+oid); num(t, o, "amountCents") != 10000 {
		t.Errorf("won amount %v after another quote, want 10000", o["amountCents"])
	}

	// Two quotes accepted at the same moment: one wins.
	o2 := id(newOpp(e, map[string]any{"contactId": cid, "description": "Ampliación"}))
	qs := []string{id(newQuote(e, o2, oneLine(40000))), id(newQuote(e, o2, oneLine(50000)))}
	res := concurrently(t, 2, func(i int) (response, error) {
		return e.request(http.MethodPost, "/v1/quotes/"+qs[i]+"/accept", e.staffToken, nil)
	})
	won := -1
	for i, r := range res {
		if r.Status == http.StatusOK {
			won = i
		}
	}
	if won < 0 || res[1-won].Status != http.StatusConflict {
		t.Fatalf("two accepts answered %d and %d, want 200 and 409: %s %s", res[0].Status, res[1].Status, res[0].Body, res[1].Body)
	}
	if p := wantProblem(t, res[1-won], http.StatusConflict, crm.CodeConflict); p.ExistingID != qs[won] {
		t.Errorf("the losing accept names %q, want %s", p.ExistingID, qs[won])
	}
	if o := getOK(e, "/v1/opportunities/"+o2); num(t, o, "amountCents") != []int64{40000, 50000}[won] {
		t.Errorf("won amount %v, want the winner's", o["amountCents"])
	}
}
