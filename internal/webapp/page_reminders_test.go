package webapp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// TestReminders: the Avisos page lists the signed-in user's pending
// avisos, their own notes' (private ones too) and the team notes that
// remind everyone, soonest first, each linking to its record; never
// another user's private note, nor another's team note that reminds only
// its author, nor a note without an aviso.
func TestReminders(t *testing.T) {
	b := newBoard(t)
	ctx := t.Context()
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online"})
	ana := b.env.User(t, crm.RoleStaff, "ana@example.com")
	at := func(d time.Duration) *time.Time { v := b.env.Clock.Now().Add(d); return &v }
	note := func(u crm.User, k crm.ParentKind, id string, n crm.Note) {
		t.Helper()
		if _, err := b.env.Svc.CreateNote(ctx, u, k, id, n); err != nil {
			t.Fatal(err)
		}
	}
	note(ana, crm.ParentOpportunity, o.ID, crm.Note{Text: "Llamar a José por la tienda", Visibility: crm.VisibilityPrivate, AvisoAt: at(48 * time.Hour)})
	note(ana, crm.ParentContact, b.contact.ID, crm.Note{Text: "Enviar catálogo", Visibility: crm.VisibilityTeam, AvisoAt: at(2 * time.Hour)})
	note(b.env.Admin, crm.ParentOpportunity, o.ID, crm.Note{Text: "Reunión de equipo", Visibility: crm.VisibilityTeam, RemindAll: true, AvisoAt: at(24 * time.Hour)})
	note(b.env.Admin, crm.ParentOpportunity, o.ID, crm.Note{Text: "Secreto del admin", Visibility: crm.VisibilityPrivate, AvisoAt: at(time.Hour)})
	note(b.env.Admin, crm.ParentContact, b.contact.ID, crm.Note{Text: "Aviso solo del admin", Visibility: crm.VisibilityTeam, AvisoAt: at(time.Hour)})
	note(ana, crm.ParentContact, b.contact.ID, crm.Note{Text: "Sin aviso", Visibility: crm.VisibilityTeam})

	res := b.env.SignIn(t, ana).Get(t, "/app/reminders")
	if res.Status != http.StatusOK {
		t.Fatalf("reminders: %d %s", res.Status, res.Body)
	}
	order := []string{"Enviar catálogo", "Reunión de equipo", "Llamar a José por la tienda"}
	last := -1
	for _, s := range order {
		i := strings.Index(res.Body, s)
		if i < 0 {
			t.Fatalf("the reminders lack %q", s)
		}
		if i < last {
			t.Errorf("%q is out of order: want soonest first %v", s, order)
		}
		last = i
	}
	for _, s := range []string{"Secreto del admin", "Aviso solo del admin", "Sin aviso"} {
		if strings.Contains(res.Body, s) {
			t.Errorf("ana's reminders show %q", s)
		}
	}
	for _, s := range []string{`href="/app/opportunities/` + o.ID + `"`, `href="/app/contacts/` + b.contact.ID + `"`, "Para todos", "Privada",
		`aria-current="page">Avisos`} {
		if !strings.Contains(res.Body, s) {
			t.Errorf("the reminders page lacks %q", s)
		}
	}
	if !strings.Contains(res.Body, b.env.Clock.Now().Add(2*time.Hour).In(b.env.Svc.TimeZone()).Format("02/01/2006 15:04")) {
		t.Errorf("the aviso's time is not shown in the company's time zone")
	}

	admin := b.env.SignIn(t, b.env.Admin).Get(t, "/app/reminders").Body
	if !strings.Contains(admin, "Secreto del admin") || !strings.Contains(admin, "Reunión de equipo") || strings.Contains(admin, "Llamar a José") {
		t.Errorf("the admin's reminders: want their own and the remind-all ones, not ana's private one")
	}
	if body := b.env.SignIn(t, b.env.User(t, crm.RoleStaff, "luis@example.com")).Get(t, "/app/reminders").Body; strings.Contains(body, "Enviar catálogo") || !strings.Contains(body, "Reunión de equipo") {
		t.Errorf("a third user's reminders: want only the remind-all one")
	}
}

// TestRemindersEmpty: with no pending aviso, the page says so.
func TestRemindersEmpty(t *testing.T) {
	b := newBoard(t)
	if body := b.env.SignIn(t, b.env.Admin).Get(t, "/app/reminders").Body; !strings.Contains(body, "No tienes avisos pendientes.") {
		t.Errorf("an empty reminders page does not say so")
	}
}
