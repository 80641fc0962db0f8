package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

func TestCatalogCRUD(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path    string
		create  map[string]any
		patch   map[string]any
		after   map[string]any // fields after the PATCH
		deleted bool           // DELETE removes it (users are deactivated instead)
	}{
		{"/v1/sources", map[string]any{"name": "Google Ads", "costCents": 120000, "observations": "Q1"},
			map[string]any{"costCents": 150000}, map[string]any{"name": "Google Ads", "costCents": float64(150000), "observations": "Q1"}, true},
		{"/v1/interests", map[string]any{"name": "Fibra óptica", "observations": "600 Mb"},
			map[string]any{"name": "Fibra 1 Gb"}, map[string]any{"name": "Fibra 1 Gb", "observations": "600 Mb"}, true},
		{"/v1/agents", map[string]any{"code": "ana-1", "name": "Ana", "email": "Ana@Example.com"},
			map[string]any{"active": false}, map[string]any{"code": "ANA-1", "name": "Ana", "email": "ana@example.com", "active": false}, true},
		{"/v1/states", map[string]any{"name": "Visitado", "order": 105, "color": "#AABBCC"},
			map[string]any{"showTab": false}, map[string]any{"name": "Visitado", "order": float64(105), "color": "#aabbcc", "outcome": "open", "default": false, "showTab": false}, true},
		{"/v1/users", map[string]any{"name": "Berta", "email": "Berta@Example.com"},
			map[string]any{"role": "admin", "lang": "en"}, map[string]any{"name": "Berta", "email": "berta@example.com", "role": "admin", "lang": "en", "active": true}, false},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			e := newEnv(t)
			res := e.admin_(http.MethodPost, c.path, c.create)
			wantStatus(t, res, http.StatusCreated)
			v := res.json(t)
			loc := res.Header.Get("Location")
			if loc != c.path+"/"+id(v) || !crm.ValidID(id(v)) {
				t.Fatalf("Location %q for %s", loc, res.Body)
			}
			if res.Header.Get("ETag") != `"1"` || v["version"] != float64(1) {
				t.Errorf("new entity ETag %q version %v", res.Header.Get("ETag"), v["version"])
			}

			got := e.admin_(http.MethodGet, loc, nil)
			wantStatus(t, got, http.StatusOK)
			if string(got.Body) != string(res.Body) {
				t.Errorf("GET differs from POST:\n%s\n%s", got.Body, res.Body)
			}
			if !slices.Contains(ids(e.listAll(adminToken, c.path)), id(v)) {
				t.Errorf("not listed")
			}

			// Stale, then current.
			before := e.snapshot()
			wantProblem(t, e.admin_(http.MethodPatch, loc, c.patch, "If-Match", `"2"`), http.StatusPreconditionFailed, crm.CodePreconditionFailed)
			e.unchanged(t, before)
			res = e.admin_(http.MethodPatch, loc, c.patch, "If-Match", `"1"`)
			wantStatus(t, res, http.StatusOK)
			if res.Header.Get("ETag") != `"2"` {
				t.Errorf("ETag after PATCH %q", res.Header.Get("ETag"))
			}
			got = e.admin_(http.MethodGet, loc, nil)
			m := got.json(t)
			for k, want := range c.after {
				if m[k] != want {
					t.Errorf("%s = %v after PATCH, want %v", k, m[k], want)
				}
			}
			if m["createdAt"] != v["createdAt"] {
				t.Errorf("createdAt changed")
			}

			// Delete, stale then current.
			before = e.snapshot()
			wantProblem(t, e.admin_(http.MethodDelete, loc, nil, "If-Match", `"1"`), http.StatusPreconditionFailed, crm.CodePreconditionFailed)
			e.unchanged(t, before)
			wantStatus(t, e.admin_(http.MethodDelete, loc, nil, "If-Match", `"2"`), http.StatusNoContent)
			if c.deleted {
				wantProblem(t, e.admin_(http.MethodGet, loc, nil), http.StatusNotFound, crm.CodeNotFound)
				wantProblem(t, e.admin_(http.MethodPatch, loc, c.patch), http.StatusNotFound, crm.CodeNotFound)
				wantProblem(t, e.admin_(http.MethodDelete, loc, nil), http.StatusNotFound, crm.CodeNotFound)
				if slices.Contains(ids(e.listAll(adminToken, c.path)), id(v)) {
					t.Errorf("deleted entity still listed")
				}
			} else {
				got := e.admin_(http.MethodGet, loc, nil)
				wantStatus(t, got, http.StatusOK)
				if got.json(t)["active"] != false {
					t.Errorf("DELETE of a user leaves it %s", got.Body)
				}
			}
		})
	}
}

// TestCatalogNamesAreUnique: two sources, or two interests, cannot have the
// same name ignoring case, accents and spaces; the 409 names the entry
// that has it (existingId), on create and on rename.
func TestCatalogNamesAreUnique(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sources", "interests"} {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t)
			fibra := e.created("/v1/"+kind, map[string]any{"name": "Fibra Óptica"})
			movil := e.created("/v1/"+kind, map[string]any{"name": "Móvil"})
			for _, name := range []string{"Fibra Óptica", "fibra optica", "FIBRA ÓPTICA", "  Fibra   óptica "} {
				before := e.snapshot()
				for _, res := range []response{
					e.admin_(http.MethodPost, "/v1/"+kind, map[string]any{"name": name}),
					e.admin_(http.MethodPatch, "/v1/"+kind+"/"+id(movil), map[string]any{"name": name}),
				} {
					if p := wantProblem(t, res, http.StatusConflict, crm.CodeConflict, "name"); p.ExistingID != id(fibra) {
						t.Errorf("%q: the conflict names %q, want %s", name, p.ExistingID, id(fibra))
					}
				}
				e.unchanged(t, before)
			}
			// An entry may change the case of its own name; a rename frees the old one.
			wantStatus(t, e.admin_(http.MethodPatch, "/v1/"+kind+"/"+id(fibra), map[string]any{"name": "FIBRA óptica"}), http.StatusOK)
			wantStatus(t, e.admin_(http.MethodPatch, "/v1/"+kind+"/"+id(fibra), map[string]any{"name": "Fibra 1 Gb"}), http.StatusOK)
			e.created("/v1/"+kind, map[string]any{"name": "fibra óptica"})
			// Deleting frees the name too.
			wantStatus(t, e.admin_(http.MethodDelete, "/v1/"+kind+"/"+id(movil), nil), http.StatusNoContent)
			e.created("/v1/"+kind, map[string]any{"name": "MOVIL"})
		})
	}
}

func TestAgentCodesAreUnique(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a1 := e.created("/v1/agents", map[string]any{"code": "A1", "name": "Ana"})
	b1 := e.created("/v1/agents", map[string]any{"code": "B1", "name": "Berta"})
	for _, code := range []string{"A1", "a1", " a1 "} {
		before := e.snapshot()
		wantProblem(t, e.admin_(http.MethodPost, "/v1/agents", map[string]any{"code": code, "name": "Otra"}), http.StatusConflict, crm.CodeConflict, "code")
		wantProblem(t, e.admin_(http.MethodPatch, "/v1/agents/"+id(b1), map[string]any{"code": code}), http.StatusConflict, crm.CodeConflict, "code")
		e.unchanged(t, before)
	}
	// Same name, another code, is fine; a re-coded agent frees its code.
	e.created("/v1/agents", map[string]any{"code": "A2", "name": "Ana"})
	wantStatus(t, e.admin_(http.MethodPatch, "/v1/agents/"+id(a1), map[string]any{"code": "A9"}), http.StatusOK)
	e.created("/v1/agents", map[string]any{"code": "a1", "name": "Nueva"})
}

func TestCatalogInUseCannotBeDeleted(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sources", "agents", "interests"} {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t)
			src := id(e.created("/v1/sources", map[string]any{"name": "Feria"}))
			agent := id(e.created("/v1/agents", map[string]any{"code": "A1", "name": "Ana"}))
			interest := id(e.created("/v1/interests", map[string]any{"name": "Fibra"}))
			var contacts []string
			for _, n := range []string{"Uno", "Dos"} {
				c := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": n, "sourceId": src, "agentId": agent, "interestIds": []string{interest}})
				contacts = append(contacts, id(c))
			}
			path, clear := map[string]string{"sources": src, "agents": agent, "interests": interest}[kind], map[string]map[string]any{
				"sources":   {"sourceId": ""},
				"agents":    {"agentId": ""},
				"interests": {"interestIds": []string{}},
			}[kind]
			path = "/v1/" + kind + "/" + path

			before := e.snapshot()
			p := wantProblem(t, e.admin_(http.MethodDelete, path, nil), http.StatusConflict, crm.CodeConflict)
			if !strings.Contains(p.Detail, "2 contact") {
				t.Errorf("the conflict does not say how many contacts use it: %q", p.Detail)
			}
			e.unchanged(t, before)
			// Reassign one, delete the other: then it can go.
			wantStatus(t, e.staff_(http.MethodPatch, "/v1/contacts/"+contacts[0], clear), http.StatusOK)
			p = wantProblem(t, e.admin_(http.MethodDelete, path, nil), http.StatusConflict, crm.CodeConflict)
			if !strings.Contains(p.Detail, "1 contact") {
				t.Errorf("after reassigning one, the conflict says %q", p.Detail)
			}
			wantStatus(t, e.staff_(http.MethodDelete, "/v1/contacts/"+contacts[1], nil), http.StatusNoContent)
			wantStatus(t, e.admin_(http.MethodDelete, path, nil), http.StatusNoContent)
			wantProblem(t, e.admin_(http.MethodGet, path, nil), http.StatusNotFound, crm.CodeNotFound)
		})
	}
}

// defaults returns the names of the states marked default.
func defaults(t *testing.T, e *env) []string {
	t.Helper()
	res := e.staff_(http.MethodGet, "/v1/states", nil)
	wantStatus(t, res, http.StatusOK)
	var out []string
	var page struct {
		Items []map[string]any `json:"items"`
	}
	mustUnmarshal(t, res.Body, &page)
	for _, s := range page.Items {
		if s["default"] == true {
			out = append(out, s["name"].(string))
		}
	}
	return out
}

func TestStatesHaveExactlyOneDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.staff_(http.MethodGet, "/v1/states", nil)
	wantStatus(t, res, http.StatusOK)
	var page struct {
		Items []map[string]any `json:"items"`
	}
	mustUnmarshal(t, res.Body, &page)
	if got := names(page.Items); !slices.Equal(got, []string{"Nuevo", "En negociación", "Presupuestado", "Ganado", "Perdido"}) {
		t.Fatalf("seeded states %v", got)
	}
	for _, s := range page.Items {
		if want := map[string]string{"Ganado": "won", "Perdido": "lost"}[s["name"].(string)]; want != "" && s["outcome"] != want {
			t.Errorf("%s outcome %v", s["name"], s["outcome"])
		}
	}
	if d := defaults(t, e); !slices.Equal(d, []string{"Nuevo"}) {
		t.Fatalf("defaults %v, want [Nuevo]", d)
	}
	nuevo := id(page.Items[0])

	// A new default takes the flag.
	lead := e.created("/v1/states", map[string]any{"name": "Lead", "order": 50, "default": true})
	if d := defaults(t, e); !slices.Equal(d, []string{"Lead"}) {
		t.Fatalf("after creating a default: %v", d)
	}
	// The default cannot be unset, nor deleted.
	before := e.snapshot()
	wantProblem(t, e.admin_(http.MethodPatch, "/v1/states/"+id(lead), map[string]any{"default": false}), http.StatusConflict, crm.CodeConflict)
	wantProblem(t, e.admin_(http.MethodDelete, "/v1/states/"+id(lead), nil), http.StatusConflict, crm.CodeConflict)
	e.unchanged(t, before)
	// A won or lost state cannot be the default.
	ganado := id(page.Items[3])
	wantProblem(t, e.admin_(http.MethodPatch, "/v1/states/"+ganado, map[string]any{"default": true}), http.StatusBadRequest, crm.CodeInvalid, "default")
	e.unchanged(t, before)
	// Making another the default moves the flag; then the old one may go.
	res = e.admin_(http.MethodPatch, "/v1/states/"+nuevo, map[string]any{"default": true})
	wantStatus(t, res, http.StatusOK)
	if d := defaults(t, e); !slices.Equal(d, []string{"Nuevo"}) {
		t.Fatalf("after moving the default: %v", d)
	}
	// The state that lost the flag has a new version: its old ETag is stale.
	wantProblem(t, e.admin_(http.MethodPatch, "/v1/states/"+id(lead), map[string]any{"color": "#000000"}, "If-Match", `"1"`), http.StatusPreconditionFailed, crm.CodePreconditionFailed)
	wantStatus(t, e.admin_(http.MethodDelete, "/v1/states/"+id(lead), nil), http.StatusNoContent)
	if d := defaults(t, e); !slices.Equal(d, []string{"Nuevo"}) {
		t.Fatalf("after deleting the old default: %v", d)
	}
	// Setting default on the default again changes nothing else.
	wantStatus(t, e.admin_(http.MethodPatch, "/v1/states/"+nuevo, map[string]any{"default": true}), http.StatusOK)
	if d := defaults(t, e); !slices.Equal(d, []string{"Nuevo"}) {
		t.Fatalf("defaults %v", d)
	}
	// States are listed in order.
	e.created("/v1/states", map[string]any{"name": "Primero", "order": 1})
	items := e.listAll(e.staffToken, "/v1/states")
	if names(items)[0] != "Primero" {
		t.Errorf("states not in order: %v", names(items))
	}
}

func TestNotificationSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.admin_(http.MethodGet, "/v1/notification-settings", nil)
	wantStatus(t, res, http.StatusOK)
	var page struct {
		Items []struct {
			Key       string                       `json:"key"`
			Enabled   bool                         `json:"enabled"`
			Overrides map[string]map[string]string `json:"overrides"`
			Version   int                          `json:"version"`
		} `json:"items"`
	}
	mustUnmarshal(t, res.Body, &page)
	var keys []string
	for _, s := range page.Items {
		keys = append(keys, s.Key)
		if !s.Enabled {
			t.Errorf("%s is disabled by default", s.Key)
		}
	}
	if !slices.Equal(keys, crm.NotificationKeys()) {
		t.Fatalf("keys %v, want the six %v", keys, crm.NotificationKeys())
	}

	path := "/v1/notification-settings/" + crm.NotifyNewOpportunityFile
	got := e.admin_(http.MethodGet, path, nil)
	wantStatus(t, got, http.StatusOK)
	etag := got.Header.Get("ETag")
	res = e.admin_(http.MethodPatch, path, map[string]any{
		"enabled":   false,
		"overrides": map[string]any{"es": map[string]any{"subject": "Nuevo archivo en tu oportunidad"}},
	}, "If-Match", etag)
	wantStatus(t, res, http.StatusOK)
	got = e.admin_(http.MethodGet, path, nil)
	wantStatus(t, got, http.StatusOK)
	m := got.json(t)
	ov, _ := m["overrides"].(map[string]any)
	es, _ := ov["es"].(map[string]any)
	if m["enabled"] != false || es["subject"] != "Nuevo archivo en tu oportunidad" {
		t.Errorf("after PATCH: %s", got.Body)
	}
	if got.Header.Get("ETag") == etag {
		t.Errorf("ETag unchanged by PATCH")
	}
	// The others are untouched.
	mustUnmarshal(t, e.admin_(http.MethodGet, "/v1/notification-settings", nil).Body, &page)
	for _, s := range page.Items {
		if s.Key != crm.NotifyNewOpportunityFile && !s.Enabled {
			t.Errorf("%s was disabled too", s.Key)
		}
	}
	// Stale ETag: 412, nothing changed.
	before := e.snapshot()
	wantProblem(t, e.admin_(http.MethodPatch, path, map[string]any{"enabled": true}, "If-Match", etag), http.StatusPreconditionFailed, crm.CodePreconditionFailed)
	e.unchanged(t, before)
	// Re-enabling keeps the override.
	wantStatus(t, e.admin_(http.MethodPatch, path, map[string]any{"enabled": true}), http.StatusOK)
	m = e.admin_(http.MethodGet, path, nil).json(t)
	ov, _ = m["overrides"].(map[string]any)
	es, _ = ov["es"].(map[string]any)
	if m["enabled"] != true || es["subject"] != "Nuevo archivo en tu oportunidad" {
		t.Errorf("after re-enabling: %v", m)
	}
	// Unknown keys.
	before = e.snapshot()
	wantProblem(t, e.admin_(http.MethodPatch, "/v1/notification-settings/new-lead", map[string]any{"enabled": false}), http.StatusNotFound, crm.CodeNotFound)
	wantProblem(t, e.admin_(http.MethodGet, "/v1/notification-settings/new-lead", nil), http.StatusNotFound, crm.CodeNotFound)
	e.unchanged(t, before)
}
