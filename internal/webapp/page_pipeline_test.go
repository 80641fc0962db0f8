package webapp_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// board is a pipeline with states, a source, an interest, an agent and
// opportunities to show.
type board struct {
	env           *webtest.Env
	states        map[string]crm.State // by name
	source, other crm.Source
	interest      crm.Interest
	agent         crm.Agent
	contact       crm.Contact
}

func newBoard(t *testing.T) *board {
	t.Helper()
	env := webtest.New(t)
	ctx := t.Context()
	b := &board{env: env, states: map[string]crm.State{}}
	sts, err := env.Svc.PipelineStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		b.states[s.Name] = s
	}
	if b.source, err = env.Svc.CreateSource(ctx, crm.Source{Name: "Google Ads"}); err != nil {
		t.Fatal(err)
	}
	if b.other, err = env.Svc.CreateSource(ctx, crm.Source{Name: "Feria"}); err != nil {
		t.Fatal(err)
	}
	if b.interest, err = env.Svc.CreateInterest(ctx, crm.Interest{Name: "Hosting gestionado"}); err != nil {
		t.Fatal(err)
	}
	if b.agent, err = env.Svc.CreateAgent(ctx, crm.Agent{Code: "A1", Name: "Marta Agente", Email: "marta@example.com", Active: true}); err != nil {
		t.Fatal(err)
	}
	if b.contact, err = env.Svc.CreateContact(ctx, env.Admin, crm.Contact{Name: "José", Surname: "Pérez", SourceID: b.source.ID}); err != nil {
		t.Fatal(err)
	}
	return b
}

// opportunity creates an opportunity of the board's contact (its source).
func (b *board) opportunity(t *testing.T, o crm.Opportunity) crm.Opportunity {
	t.Helper()
	if o.ContactID == "" {
		o.ContactID = b.contact.ID
	}
	o, err := b.env.Svc.CreateOpportunity(t.Context(), b.env.Admin, o)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

var countRE = regexp.MustCompile(`data-state="([0-9A-Z]+)">(?s:.*?)<span class="count" data-count>(\d+)</span>`)

// counts reads the tab counts of a pipeline page, by state ID.
func counts(body string) map[string]string {
	out := map[string]string{}
	for _, m := range countRE.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// TestPipelineTabs: a tab per state with its count; the first tab's
// opportunities, each linking to its page, with its contact and amount.
func TestPipelineTabs(t *testing.T) {
	b := newBoard(t)
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online", ApproxAmountCents: 350000, InterestID: b.interest.ID})
	b.opportunity(t, crm.Opportunity{Description: "Correo", StateID: b.states["En negociación"].ID})
	staff := b.env.User(t, crm.RoleStaff, "ana@example.com")
	res := b.env.SignIn(t, staff).Get(t, "/app/")
	if res.Status != http.StatusOK {
		t.Fatalf("pipeline: %d %s", res.Status, res.Body)
	}
	got := counts(res.Body)
	want := map[string]string{b.states["Nuevo"].ID: "1", b.states["En negociación"].ID: "1", b.states["Presupuestado"].ID: "0",
		b.states["Ganado"].ID: "0", b.states["Perdido"].ID: "0"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("tab counts %v, want %v", got, want)
	}
	for _, s := range []string{`href="/app/opportunities/` + o.ID + `"`, "#1 Tienda online", "José Pérez", "3.500,00\u00a0€", "Hosting gestionado",
		`aria-current="page" data-state="` + b.states["Nuevo"].ID + `"`} {
		if !strings.Contains(res.Body, s) {
			t.Errorf("the pipeline lacks %q", s)
		}
	}
	if strings.Contains(res.Body, "Correo") {
		t.Errorf("the first tab shows another state's opportunity")
	}
	if strings.Contains(res.Body, `href="/app/admin"`) {
		t.Errorf("staff see the Admin entry")
	}
	if !strings.Contains(b.env.SignIn(t, b.env.Admin).Get(t, "/app/").Body, `href="/app/admin"`) {
		t.Errorf("an admin does not see the Admin entry")
	}
}

// TestPipelineFilters: the agent, source and interest filters narrow the
// tab's list.
func TestPipelineFilters(t *testing.T) {
	b := newBoard(t)
	other, err := b.env.Svc.CreateContact(t.Context(), b.env.Admin, crm.Contact{Name: "Luisa", SourceID: b.other.ID})
	if err != nil {
		t.Fatal(err)
	}
	b.opportunity(t, crm.Opportunity{Description: "De Google", InterestID: b.interest.ID})
	b.opportunity(t, crm.Opportunity{Description: "De la feria", ContactID: other.ID, AgentID: b.agent.ID})
	c := b.env.SignIn(t, b.env.Admin)
	nuevo := b.states["Nuevo"].ID
	for query, want := range map[string][]string{
		"":                           {"De Google", "De la feria"},
		"&source=" + b.source.ID:     {"De Google"},
		"&source=" + b.other.ID:      {"De la feria"},
		"&interest=" + b.interest.ID: {"De Google"},
		"&agent=" + b.agent.ID:       {"De la feria"},
		"&agent=" + b.agent.ID + "&source=" + b.source.ID: {},
	} {
		body := c.Get(t, "/app/pipeline?state="+nuevo+query).Body
		for _, d := range []string{"De Google", "De la feria"} {
			if shown, wanted := strings.Contains(body, d), contains(want, d); shown != wanted {
				t.Errorf("filter %q: %q shown %v, want %v", query, d, shown, wanted)
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestPipelinePages: 50 a page, and "more" shows the next ones with the
// same filters.
func TestPipelinePages(t *testing.T) {
	b := newBoard(t)
	for i := range 52 {
		b.opportunity(t, crm.Opportunity{Description: fmt.Sprintf("Oportunidad %02d", i), InterestID: b.interest.ID})
	}
	c := b.env.SignIn(t, b.env.Admin)
	res := c.Get(t, "/app/pipeline?interest="+b.interest.ID)
	if n := strings.Count(res.Body, `data-opportunity="`); n != 50 {
		t.Fatalf("first page: %d opportunities, want 50", n)
	}
	more := regexp.MustCompile(`<p class="more"><a href="([^"]+)"`).FindStringSubmatch(res.Body)
	if more == nil {
		t.Fatal("no link to more")
	}
	next := strings.ReplaceAll(more[1], "&amp;", "&")
	if !strings.Contains(next, "interest="+b.interest.ID) {
		t.Errorf("the more link drops the filter: %s", next)
	}
	res = c.Get(t, next)
	if n := strings.Count(res.Body, `data-opportunity="`); n != 2 || strings.Contains(res.Body, `class="more"`) {
		t.Fatalf("second page: %d opportunities (want 2), more link %v", n, strings.Contains(res.Body, `class="more"`))
	}
}

// TestPipelineBulkMove: the ticked opportunities move, both tab counts
// change, and the page says how many moved; moving to a lost state asks
// for the reason, which the moved ones keep.
func TestPipelineBulkMove(t *testing.T) {
	b := newBoard(t)
	o1 := b.opportunity(t, crm.Opportunity{Description: "Uno"})
	o2 := b.opportunity(t, crm.Opportunity{Description: "Dos"})
	o3 := b.opportunity(t, crm.Opportunity{Description: "Tres"})
	c := b.env.SignIn(t, b.env.Admin)
	nuevo, neg, perdido := b.states["Nuevo"].ID, b.states["En negociación"].ID, b.states["Perdido"].ID
	res := c.PostForm(t, "/app/pipeline/move", url.Values{"state": {nuevo}, "id": {o1.ID, o2.ID}, "stateId": {neg}})
	if res.Status != http.StatusSeeOther || res.Location() != "/app/pipeline?moved=2&state="+nuevo {
		t.Fatalf("move: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	page := c.Get(t, res.Location())
	if got := counts(page.Body); got[nuevo] != "1" || got[neg] != "2" {
		t.Fatalf("counts after the move %v", got)
	}
	if !strings.Contains(page.Body, "Movidas: 2.") {
		t.Errorf("the page does not say how many moved")
	}

	res = c.PostForm(t, "/app/pipeline/move", url.Values{"state": {nuevo}, "id": {o3.ID}, "stateId": {perdido}})
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "Di por qué se perdieron.") {
		t.Fatalf("a lost move without a reason: %d", res.Status)
	}
	if !strings.Contains(res.Body, `value="`+o3.ID+`" id="o-`+o3.ID+`" checked`) {
		t.Errorf("the refused move drops the ticks")
	}
	if got, err := b.env.Svc.GetOpportunity(t.Context(), o3.ID); err != nil || got.StateID != nuevo {
		t.Fatalf("a refused move moved: %+v %v", got, err)
	}
	res = c.PostForm(t, "/app/pipeline/move", url.Values{"state": {nuevo}, "id": {o3.ID}, "stateId": {perdido}, "lostReason": {"Precio"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("a lost move with a reason: %d %s", res.Status, res.Body)
	}
	got, err := b.env.Svc.GetOpportunity(t.Context(), o3.ID)
	if err != nil || got.StateID != perdido || got.LostReason != "Precio" || got.ClosedAt == nil || got.UpdatedBy != b.env.Admin.ID {
		t.Fatalf("moved to lost: %+v %v", got, err)
	}
	lost := c.Get(t, "/app/pipeline?state="+perdido)
	if !strings.Contains(lost.Body, "data-locked") || !strings.Contains(lost.Body, "Motivo de la pérdida: Precio") {
		t.Errorf("a closed state's tab does not show the lock and the reason")
	}
	if strings.Contains(c.Get(t, "/app/pipeline?state="+nuevo).Body, "data-locked") {
		t.Errorf("an open state's tab shows the lock")
	}

	for name, form := range map[string]url.Values{
		"no state":      {"state": {neg}, "id": {o1.ID}},
		"no ticks":      {"state": {neg}, "stateId": {nuevo}},
		"unknown state": {"state": {neg}, "id": {o1.ID}, "stateId": {"01J00000000000000000000000"}},
		"unknown id":    {"state": {neg}, "id": {"01J00000000000000000000000"}, "stateId": {nuevo}},
	} {
		if res := c.PostForm(t, "/app/pipeline/move", form); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `class="field-error"`) {
			t.Errorf("%s: %d, want 400 with a field error", name, res.Status)
		}
	}
}

// TestPipelineInEnglish: a user whose language is English reads the page,
// amounts and dates in English.
func TestPipelineInEnglish(t *testing.T) {
	b := newBoard(t)
	b.opportunity(t, crm.Opportunity{Description: "Shop", ApproxAmountCents: 123456})
	u, err := b.env.Svc.CreateUser(t.Context(), crm.User{Name: "Jane", Email: "jane@example.com", Role: crm.RoleStaff, Active: true, Lang: crm.LangEN})
	if err != nil {
		t.Fatal(err)
	}
	body := b.env.SignIn(t, u).Get(t, "/app/").Body
	for _, s := range []string{`<html lang="en">`, "Signed in as Jane", "Contacts", "€1,234.56", "Move the selected ones"} {
		if !strings.Contains(body, s) {
			t.Errorf("the English pipeline lacks %q", s)
		}
	}
}
