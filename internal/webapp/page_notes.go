package webapp

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"POST /app/notes", signedIn, (*app).createNote},
		route{"POST /app/notes/{id}/delete", signedIn, (*app).deleteNote},
	)
}

// noteForm is the note form of the notes block: what was typed, and the
// field errors of a note refused (keys: text, visibility, avisoDate,
// avisoTime, remindAll, interestId).
type noteForm struct {
	Text       string
	Visibility string // private or team
	AvisoDate  string // YYYY-MM-DD, as <input type="date"> sends it
	AvisoTime  string // HH:MM, as <input type="time"> sends it
	RemindAll  bool
	InterestID string
	Errors     map[string]string
}

// readNoteForm reads the note form of a POST.
func readNoteForm(r *http.Request) noteForm {
	return noteForm{Text: r.PostFormValue("text"), Visibility: r.PostFormValue("visibility"),
		AvisoDate: strings.TrimSpace(r.PostFormValue("avisoDate")), AvisoTime: strings.TrimSpace(r.PostFormValue("avisoTime")),
		RemindAll: r.PostFormValue("remindAll") != "", InterestID: r.PostFormValue("interestId")}
}

// aviso reads the reminder's day and time in the company's time zone
// (tz): none without a day, 09:00 on a day without a time (the domain's
// rule for a date alone). Errors: invalid (avisoDate, avisoTime).
func (f noteForm) aviso(tz *time.Location) (*time.Time, error) {
	if f.AvisoDate == "" {
		if f.AvisoTime != "" {
			return nil, crm.InvalidField("avisoDate", "a reminder time needs its day")
		}
		return nil, nil
	}
	day, err := time.ParseInLocation(time.DateOnly, f.AvisoDate, tz)
	if err != nil {
		return nil, crm.InvalidField("avisoDate", "must be a date like 2026-12-01")
	}
	h, m := 9, 0
	if f.AvisoTime != "" {
		at, err := time.Parse("15:04", f.AvisoTime)
		if err != nil {
			return nil, crm.InvalidField("avisoTime", "must be a time like 16:30")
		}
		h, m = at.Hour(), at.Minute()
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, tz).UTC()
	return &t, nil
}

// createNote adds a note to the parent the form names (parentKind,
// parentId): private or team, with an aviso day and time and "remind
// all", and goes back to the parent's page; a note refused for its fields
// shows that page again with the errors next to them (400).
func (a *app) createNote(w http.ResponseWriter, r *http.Request, p *Page) {
	k, id := crm.ParentKind(r.PostFormValue("parentKind")), r.PostFormValue("parentId")
	pp, ok := parentPages[k]
	if !ok {
		a.fail(w, r, p, crm.InvalidField("parentKind", "notes are added from a contact's or an opportunity's page"))
		return
	}
	form := readNoteForm(r)
	n := crm.Note{Text: form.Text, Visibility: crm.Visibility(form.Visibility), RemindAll: form.RemindAll, InterestID: form.InterestID}
	at, err := form.aviso(a.svc.TimeZone())
	if err == nil {
		n.AvisoAt = at
		_, err = a.svc.CreateNote(r.Context(), p.User, k, id, n)
	}
	var e *crm.Error
	switch {
	case err == nil:
		http.Redirect(w, r, pp.path(id)+"#notes", http.StatusSeeOther)
	case errors.As(err, &e) && e.Code == crm.CodeInvalid && len(e.Fields) > 0:
		form.Errors = fieldProblems(p, e.Fields)
		pp.show(a, w, r, p, id, http.StatusBadRequest, form)
	default:
		a.fail(w, r, p, err)
	}
}

// deleteNote deletes a note the user may delete (its author; an admin, a
// team note) and goes back to its parent's page.
func (a *app) deleteNote(w http.ResponseWriter, r *http.Request, p *Page) {
	ctx := r.Context()
	n, err := a.svc.GetNote(ctx, p.User, r.PathValue("id"))
	if err == nil {
		err = a.svc.DeleteNote(ctx, p.User, n.ID, 0)
	}
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	http.Redirect(w, r, parentPath(n.ParentKind, n.ParentID, n.ContactID)+"#notes", http.StatusSeeOther)
}
