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

// TestOpportunityPage: an opportunity's page shows its data, its contact
// (linked to the contact's page), agent, source, interest and amounts in
// the company's format, and the forms carry the CSRF field; an unknown
// one is 404, and signed out the page asks to sign in first.
func TestOpportunityPage(t *testing.T) {
	b := newBoard(t)
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online", ApproxAmountCents: 350000, InterestID: b.interest.ID, AgentID: b.agent.ID})
	staff := b.env.User(t, crm.RoleStaff, "ana@example.com")
	c := b.env.SignIn(t, staff)
	res := c.Get(t, "/app/opportunities/"+o.ID)
	if res.Status != http.StatusOK {
		t.Fatalf("opportunity page: %d %s", res.Status, res.Body)
	}
	for _, s := range []string{"#1 Tienda online", `href="/app/contacts/` + b.contact.ID + `"`, "José Pérez", "Nuevo", "Marta Agente",
		"Google Ads", "Hosting gestionado", "3.500,00\u00a0€", `name="_csrf" value="` + c.CSRF + `"`, `value="3500,00"`,
		`action="/app/opportunities/` + o.ID + `/quotes"`} {
		if !strings.Contains(res.Body, s) {
			t.Errorf("the opportunity page lacks %q", s)
		}
	}
	if strings.Contains(res.Body, "data-locked") || strings.Contains(res.Body, "<fieldset class=\"fields\" disabled") {
		t.Errorf("an open opportunity is shown locked")
	}
	if res := c.Get(t, "/app/opportunities/01J00000000000000000000000"); res.Status != http.StatusNotFound {
		t.Errorf("an unknown opportunity: %d, want 404", res.Status)
	}
	res = b.env.Anonymous(t).Get(t, "/app/opportunities/"+o.ID)
	if res.Status != http.StatusSeeOther || res.Location() != "/app/signin?next="+url.QueryEscape("/app/opportunities/"+o.ID) {
		t.Errorf("signed out: %d to %q, want the sign-in page with next", res.Status, res.Location())
	}
}

// TestOpportunityEdit: the main fields change through the form (an amount
// typed the Spanish way included), only with the CSRF field; refused
// fields are shown next to their inputs with what was typed; a form filled
// before someone else's change is refused with a notice.
func TestOpportunityEdit(t *testing.T) {
	b := newBoard(t)
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online", ApproxAmountCents: 350000})
	c := b.env.SignIn(t, b.env.Admin)
	path := "/app/opportunities/" + o.ID
	form := func(desc, amount string, version int) url.Values {
		return url.Values{"description": {desc}, "approxAmount": {amount}, "interestId": {b.interest.ID}, "agentId": {b.agent.ID},
			"expectedCloseDate": {"2026-12-31"}, "observations": {"Llamar el lunes"}, "version": {strconv.Itoa(version)}}
	}

	noCSRF := form("Tienda y TPV", "1.234,50", o.Version)
	noCSRF.Set("_csrf", "wrong")
	if res := c.PostForm(t, path, noCSRF); res.Status != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d, want 403", res.Status)
	}
	if got, _ := b.env.Svc.GetOpportunity(t.Context(), o.ID); got.Description != "Tienda online" {
		t.Fatalf("a POST without the CSRF token changed the opportunity: %+v", got)
	}

	res := c.PostForm(t, path, form("Tienda y TPV", "1.234,50", o.Version))
	if res.Status != http.StatusSeeOther || res.Location() != path+"?saved=1" {
		t.Fatalf("save: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	got, err := b.env.Svc.GetOpportunity(t.Context(), o.ID)
	if err != nil || got.Description != "Tienda y TPV" || got.ApproxAmountCents != 123450 || got.InterestID != b.interest.ID ||
		got.AgentID != b.agent.ID || got.ExpectedCloseDate != "2026-12-31" || got.Observations != "Llamar el lunes" || got.UpdatedBy != b.env.Admin.ID {
		t.Fatalf("saved: %+v %v", got, err)
	}
	page := c.Get(t, res.Location()).Body
	for _, s := range []string{"Cambios guardados.", "1.234,50\u00a0€", `value="1234,50"`} {
		if !strings.Contains(page, s) {
			t.Errorf("the page after saving lacks %q", s)
		}
	}

	res = c.PostForm(t, path, form("", "abc", got.Version))
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad fields: %d, want 400", res.Status)
	}
	for _, s := range []string{`value="abc"`, "Escribe un importe, como 1.234,56.", `id="approxAmount" name="approxAmount" value="abc" inputmode="decimal" autocomplete="off" aria-invalid="true"`} {
		if !strings.Contains(res.Body, s) {
			t.Errorf("the refused form lacks %q", s)
		}
	}
	res = c.PostForm(t, path, form("", "10", got.Version))
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "Escribe una descripción") {
		t.Errorf("no description: %d, want 400 with the field's error", res.Status)
	}
	if again, _ := b.env.Svc.GetOpportunity(t.Context(), o.ID); again.Version != got.Version {
		t.Errorf("a refused form changed the opportunity")
	}

	res = c.PostForm(t, path, form("Otra cosa", "10", got.Version-1))
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "Alguien la cambió mientras tanto") ||
		!strings.Contains(res.Body, `name="version" value="`+strconv.Itoa(got.Version)+`"`) || !strings.Contains(res.Body, `value="Otra cosa"`) {
		t.Errorf("a stale form: %d, want 409 with the notice, what was typed and the current version", res.Status)
	}
	if again, _ := b.env.Svc.GetOpportunity(t.Context(), o.ID); again.Description != "Tienda y TPV" {
		t.Errorf("a stale form overwrote the opportunity: %q", again.Description)
	}
}

// TestOpportunityMove: moving to a lost state asks for the reason; moved
// there, the opportunity is closed and its page shows the lock: the main
// fields cannot be saved (the domain's lock, shown next to them) until it
// moves back to an open state.
func TestOpportunityMove(t *testing.T) {
	b := newBoard(t)
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online", ApproxAmountCents: 350000})
	c := b.env.SignIn(t, b.env.Admin)
	path := "/app/opportunities/" + o.ID
	perdido, neg := b.states["Perdido"].ID, b.states["En negociación"].ID
	move := func(state, reason string, version int) *webtest.Response {
		t.Helper()
		return c.PostForm(t, path+"/state", url.Values{"stateId": {state}, "lostReason": {reason}, "version": {strconv.Itoa(version)}})
	}

	res := move(perdido, "", o.Version)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "Di por qué se perdieron.") {
		t.Fatalf("lost without a reason: %d, want 400 with the reason's error", res.Status)
	}
	res = move("", "", o.Version)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "Elige el estado al que moverlas.") {
		t.Fatalf("no state: %d, want 400", res.Status)
	}
	res = move(perdido, "Precio", o.Version)
	if res.Status != http.StatusSeeOther || res.Location() != path+"?moved=1" {
		t.Fatalf("lost with a reason: %d %s", res.Status, res.Body)
	}
	got, err := b.env.Svc.GetOpportunity(t.Context(), o.ID)
	if err != nil || got.StateID != perdido || got.LostReason != "Precio" || got.ClosedAt == nil {
		t.Fatalf("moved: %+v %v", got, err)
	}
	tabs, err := b.env.Svc.Tabs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tab := range tabs {
		if tab.State.ID == perdido && tab.Count != 1 {
			t.Errorf("the lost tab counts %d, want 1", tab.Count)
		}
	}
	page := c.Get(t, path+"?moved=1").Body
	for _, s := range []string{"Estado cambiado.", "data-locked", `<fieldset class="fields" disabled>`, "Precio"} {
		if !strings.Contains(page, s) {
			t.Errorf("the closed opportunity's page lacks %q", s)
		}
	}
	if strings.Contains(page, ">Guardar</button>") {
		t.Errorf("a closed opportunity's page offers to save its main fields")
	}

	edit := c.PostForm(t, path, url.Values{"description": {"Otra"}, "approxAmount": {"3500,00"}, "version": {strconv.Itoa(got.Version)}})
	if edit.Status != http.StatusConflict || !strings.Contains(edit.Body, "Bloqueado mientras esté cerrada.") {
		t.Fatalf("editing a closed opportunity: %d, want 409 with the lock next to the fields", edit.Status)
	}
	if again, _ := b.env.Svc.GetOpportunity(t.Context(), o.ID); again.Description != "Tienda online" {
		t.Fatalf("a closed opportunity's description changed")
	}

	res = move(neg, "", got.Version)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("reopening: %d %s", res.Status, res.Body)
	}
	got, _ = b.env.Svc.GetOpportunity(t.Context(), o.ID)
	if got.StateID != neg || got.ClosedAt != nil || got.LostReason != "" {
		t.Fatalf("reopened: %+v", got)
	}
	if page := c.Get(t, path).Body; strings.Contains(page, "data-locked") {
		t.Errorf("a reopened opportunity is shown locked")
	}
}

// TestOpportunityNotes: the opportunity's page shows the notes block of
// the opportunity: a team note to everyone, a private note to its author
// only; a note added
// from it goes back to it, and one refused for its fields is shown on it
// with the error next to the field.
func TestOpportunityNotes(t *testing.T) {
	b := newBoard(t)
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online"})
	ana := b.env.User(t, crm.RoleStaff, "ana@example.com")
	luis := b.env.User(t, crm.RoleStaff, "luis@example.com")
	ca := b.env.SignIn(t, ana)
	path := "/app/opportunities/" + o.ID
	for _, n := range []url.Values{
		{"parentKind": {"opportunity"}, "parentId": {o.ID}, "text": {"Nota privada de Ana"}, "visibility": {"private"}},
		{"parentKind": {"opportunity"}, "parentId": {o.ID}, "text": {"Nota del equipo"}, "visibility": {"team"}},
	} {
		res := ca.PostForm(t, "/app/notes", n)
		if res.Status != http.StatusSeeOther || res.Location() != path+"#notes" {
			t.Fatalf("adding a note from the opportunity's page: %d to %q: %s", res.Status, res.Location(), res.Body)
		}
	}
	if body := ca.Get(t, path).Body; !strings.Contains(body, "Nota privada de Ana") || !strings.Contains(body, "Nota del equipo") {
		t.Errorf("the author does not see both notes on the opportunity's page")
	}
	body := b.env.SignIn(t, luis).Get(t, path).Body
	if strings.Contains(body, "Nota privada de Ana") {
		t.Errorf("another user sees a private note on the opportunity's page")
	}
	if !strings.Contains(body, "Nota del equipo") {
		t.Errorf("another user does not see the team note")
	}
	res := ca.PostForm(t, "/app/notes", url.Values{"parentKind": {"opportunity"}, "parentId": {o.ID}, "text": {""}, "visibility": {"team"}})
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "#1 Tienda online") || !strings.Contains(res.Body, `class="field-error"`) {
		t.Errorf("a refused note: %d, want the opportunity's page with the field's error", res.Status)
	}
}
