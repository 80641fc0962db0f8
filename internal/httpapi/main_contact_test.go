package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// TestMainContactCannotBeDeleted: DELETE of the main contact of a client
// (made with the client) or of a supplier (a contact converted into it) is
// a 409 naming the party, writing nothing; the party's mainContactId still
// names a contact.
func TestMainContactCannotBeDeleted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := e.createdAs(e.staffToken, "/v1/clients", map[string]any{"name": "Talleres Pérez SL"})
	c := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Pablo", "email": "pablo@example.com"})
	res := e.staff_(http.MethodPost, "/v1/contacts/"+id(c)+"/convert", map[string]any{"to": "supplier"})
	if res.Status != http.StatusOK && res.Status != http.StatusCreated {
		t.Fatalf("convert: %d %s", res.Status, res.Body)
	}
	supplier := res.json(t)
	for _, p := range []struct {
		path  string
		party map[string]any
	}{{"/v1/clients/", client}, {"/v1/suppliers/", supplier}} {
		main, _ := p.party["mainContactId"].(string)
		if main == "" {
			t.Fatalf("no mainContactId: %v", p.party)
		}
		before := e.snapshot()
		pr := wantProblem(t, e.staff_(http.MethodDelete, "/v1/contacts/"+main, nil), http.StatusConflict, crm.CodeConflict)
		if pr.ExistingID != id(p.party) || !strings.Contains(pr.Detail, p.party["code"].(string)) {
			t.Errorf("the conflict names %q (%q), want %s %s", pr.ExistingID, pr.Detail, id(p.party), p.party["code"])
		}
		e.unchanged(t, before)
		if got := getOK(e, p.path+id(p.party)); got["mainContactId"] != main {
			t.Errorf("mainContactId %v, want %s", got["mainContactId"], main)
		}
		wantStatus(t, e.staff_(http.MethodGet, "/v1/contacts/"+main, nil), http.StatusOK)
	}
}
