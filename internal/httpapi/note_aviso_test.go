package httpapi_test

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// An aviso in the past is accepted with a warning that the reminder goes
// out now; every note names the company time zone its times are shown in
// (issue 10 item 14).
func TestNoteAvisoInThePastWarns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Aviso"}))
	past := time.Now().Add(-time.Hour).Format(time.RFC3339)
	future := time.Now().Add(48 * time.Hour).Format(time.DateOnly)
	want := []any{"avisoAt is in the past: the reminder is sent now"}
	warnings := func(m map[string]any) []any { w, _ := m["warnings"].([]any); return w }

	n := e.createdAs(e.staffToken, "/v1/contacts/"+c+"/notes", map[string]any{"text": "Llamar", "avisoAt": past})
	if !slices.Equal(warnings(n), want) || n["timeZone"] != "Europe/Madrid" || n["avisoAt"] == nil {
		t.Errorf("a note with a past aviso: %v", n)
	}
	path := "/v1/notes/" + id(n)
	if m := e.createdAs(e.staffToken, "/v1/contacts/"+c+"/notes", map[string]any{"text": "Luego", "avisoAt": future}); m["warnings"] != nil {
		t.Errorf("a future aviso warns: %v", m)
	}
	res := e.staff_(http.MethodPatch, path, map[string]any{"text": "Llamar ya"}, "If-Match", `"1"`)
	if m := res.json(t); res.Status != http.StatusOK || m["warnings"] != nil {
		t.Errorf("a change that leaves the aviso alone warns: %d %v", res.Status, m)
	}
	res = e.staff_(http.MethodPatch, path, map[string]any{"avisoAt": past}, "If-Match", `"2"`)
	if m := res.json(t); res.Status != http.StatusOK || !slices.Equal(warnings(m), want) {
		t.Errorf("a past aviso set by a change: %d %v", res.Status, m)
	}
	if m := e.staff_(http.MethodGet, path, nil).json(t); m["warnings"] != nil || m["timeZone"] != "Europe/Madrid" {
		t.Errorf("reading the note: %v", m)
	}
	for _, it := range e.staff_(http.MethodGet, "/v1/reminders", nil).json(t)["items"].([]any) {
		if it.(map[string]any)["timeZone"] != "Europe/Madrid" {
			t.Errorf("a reminder without the time zone: %v", it)
		}
	}
}
