package webapp_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// statesByName reads the pipeline's states by name.
func statesByName(t *testing.T, env *webtest.Env) map[string]crm.State {
	t.Helper()
	sts, err := env.Svc.ListStates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]crm.State{}
	for _, s := range sts {
		out[s.Name] = s
	}
	return out
}

// TestStates: the list shows the states in order with their colour,
// outcome and the default; a new state with a colour and an order lands
// in the pipeline's tabs in its place; making it the default takes the
// flag from the old one; the domain's refusals (no name, unsetting the
// default, changing the outcome of a state with opportunities) are shown
// next to their field.
func TestStates(t *testing.T) {
	env := webtest.New(t)
	ctx := t.Context()
	c := env.SignIn(t, env.Admin)
	page := c.Get(t, "/app/admin/states").Body
	if i, j := strings.Index(page, ">Nuevo<"), strings.Index(page, ">Perdido<"); i < 0 || j < i {
		t.Errorf("states out of order or missing")
	}
	if !strings.Contains(page, `fill="#3b82f6"`) || !strings.Contains(page, `type="color"`) {
		t.Errorf("no colours shown or no colour input")
	}

	res := c.PostForm(t, "/app/admin/states", url.Values{"name": {"Cualificado"}, "order": {"105"}, "color": {"#AA00CC"}, "outcome": {"open"},
		"showTab": {"1"}, "default": {"1"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	sts := statesByName(t, env)
	cual := sts["Cualificado"]
	if cual.Color != "#aa00cc" || cual.Order != 105 || !cual.Default || !cual.ShowTab || sts["Nuevo"].Default {
		t.Fatalf("stored %+v; old default still default: %v", cual, sts["Nuevo"].Default)
	}
	tabs, err := env.Svc.Tabs(ctx)
	if err != nil || len(tabs) < 2 || tabs[1].State.ID != cual.ID {
		t.Errorf("the new state is not the second tab: %v %v", tabs, err)
	}

	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
		input      string
	}{
		{"no name", "/app/admin/states", url.Values{"name": {""}, "order": {"10"}, "outcome": {"open"}}, http.StatusBadRequest, `id="st-name"`},
		{"an order that is no number", "/app/admin/states", url.Values{"name": {"X"}, "order": {"diez"}, "outcome": {"open"}}, http.StatusBadRequest, `id="st-order"`},
		{"a won default", "/app/admin/states", url.Values{"name": {"X"}, "order": {"10"}, "outcome": {"won"}, "default": {"1"}}, http.StatusBadRequest, `id="st-default"`},
		{"unsetting the default", "/app/admin/states/" + cual.ID, url.Values{"version": {strconv.Itoa(cual.Version)}, "name": {"Cualificado"}, "order": {"105"},
			"color": {"#aa00cc"}, "outcome": {"open"}}, http.StatusConflict, `id="st-default"`},
	} {
		res := c.PostForm(t, tc.path, tc.form)
		if res.Status != tc.status || !fieldErrorAt(res.Body, tc.input) {
			t.Errorf("%s: %d (want %d), or no error at %s", tc.name, res.Status, tc.status, tc.input)
		}
	}

	contact, err := env.Svc.CreateContact(ctx, env.Admin, crm.Contact{Name: "José"})
	if err != nil {
		t.Fatal(err)
	}
	neg := sts["En negociación"]
	if _, err := env.Svc.CreateOpportunity(ctx, env.Admin, crm.Opportunity{ContactID: contact.ID, Description: "Tienda", StateID: neg.ID}); err != nil {
		t.Fatal(err)
	}
	res = c.PostForm(t, "/app/admin/states/"+neg.ID, url.Values{"version": {strconv.Itoa(neg.Version)}, "name": {neg.Name}, "order": {"110"},
		"color": {"#f59e0b"}, "outcome": {"lost"}, "showTab": {"1"}})
	if res.Status != http.StatusConflict || !fieldErrorAt(res.Body, `id="st-outcome"`) {
		t.Errorf("an outcome change of a state with opportunities: %d, or no error at the outcome", res.Status)
	}
	version := strconv.Itoa(cual.Version)
	res = c.PostForm(t, "/app/admin/states/"+cual.ID, url.Values{"version": {version}, "name": {"Cualificada"}, "order": {"300"},
		"color": {"#00aa00"}, "outcome": {"open"}, "default": {"1"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.Status, res.Body)
	}
	got := statesByName(t, env)["Cualificada"]
	if got.Order != 300 || got.Color != "#00aa00" || got.ShowTab || !got.Default {
		t.Errorf("after the edit: %+v", got)
	}
}
