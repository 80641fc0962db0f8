package webapp

import (
	"net/http"
	"net/url"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(route{"GET /app/reminders", signedIn, (*app).reminders})
}

// remindersView is the reminders page's data: the signed-in user's
// pending avisos, soonest first.
type remindersView struct {
	Items []reminderItem
}

// reminderItem is one pending aviso: its note, the contact it concerns
// and where its record's page is.
type reminderItem struct {
	crm.Note
	Contact string // the contact's name ("" when gone)
	Link    string // the page of the note's record
	Overdue bool   // its time has passed and it has not gone out yet
}

// At is when the aviso is due.
func (i reminderItem) At() time.Time { return *i.AvisoAt }

// reminderLink is the page of a note's record: an opportunity's or a
// quote's own page, else the page of the contact it concerns (a contact,
// a client or a supplier).
func reminderLink(n crm.Note) string {
	switch n.ParentKind {
	case crm.ParentOpportunity:
		return "/app/opportunities/" + url.PathEscape(n.ParentID)
	case crm.ParentQuote:
		return "/app/quotes/" + url.PathEscape(n.ParentID)
	case crm.ParentContact:
		return "/app/contacts/" + url.PathEscape(n.ParentID)
	}
	if n.ContactID != "" {
		return "/app/contacts/" + url.PathEscape(n.ContactID)
	}
	return ""
}

// reminders lists the signed-in user's pending avisos, soonest first: the
// reminders of their own notes and the team notes that remind everyone
// (crm.Service.Reminders), each linking to its record. A note the user may
// not read is never shown, whatever the store answers.
func (a *app) reminders(w http.ResponseWriter, r *http.Request, p *Page) {
	p.Nav = "reminders"
	ns, err := a.svc.Reminders(r.Context(), p.User)
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	var ids []string
	for _, n := range ns {
		ids = append(ids, n.ContactID)
	}
	cs, err := a.contacts(r.Context(), ids)
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	now := a.now()
	v := remindersView{}
	for _, n := range ns {
		if !n.VisibleTo(p.User) || !n.Pending() {
			continue
		}
		it := reminderItem{Note: n, Link: reminderLink(n), Overdue: n.AvisoAt.Before(now)}
		if c, ok := cs[n.ContactID]; ok {
			it.Contact = contactName(c)
		}
		v.Items = append(v.Items, it)
	}
	a.render(w, r, p, http.StatusOK, "reminders", v)
}
