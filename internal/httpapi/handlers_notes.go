package httpapi

import (
	"net/http"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// noteFields are the fields of a note a client writes. avisoAt is a date
// (09:00 company time) or an RFC 3339 time; "" removes the reminder.
type noteFields struct {
	Text       string  `json:"text"`
	InterestID string  `json:"interestId"`
	Visibility string  `json:"visibility"`
	AvisoAt    *string `json:"avisoAt"`
	RemindAll  bool    `json:"remindAll"`
}

type noteResponse struct {
	ID         string     `json:"id"`
	ParentKind string     `json:"parentKind"`
	ParentID   string     `json:"parentId"`
	ContactID  string     `json:"contactId"`
	Text       string     `json:"text"`
	InterestID string     `json:"interestId"`
	Visibility string     `json:"visibility"`
	AvisoAt    *time.Time `json:"avisoAt"`
	RemindAll  bool       `json:"remindAll"`
	NotifiedAt *time.Time `json:"notifiedAt"`
	CreatedBy  string     `json:"createdBy"`
	// TimeZone is the company time zone (an IANA name): where a date
	// alone means 09:00, and where people are shown reminder times.
	TimeZone string `json:"timeZone"`
	// Warnings, only in the answer to the request that set avisoAt, say
	// what was taken but may not be what was meant.
	Warnings []string `json:"warnings,omitempty"`
	meta
}

// msgAvisoPast warns that a reminder set for a time already gone is sent
// at once.
const msgAvisoPast = "avisoAt is in the past: the reminder is sent now"

func noteToResponse(n crm.Note) noteResponse {
	return noteResponse{ID: n.ID, ParentKind: string(n.ParentKind), ParentID: n.ParentID, ContactID: n.ContactID, Text: n.Text,
		InterestID: n.InterestID, Visibility: string(n.Visibility), AvisoAt: n.AvisoAt, RemindAll: n.RemindAll,
		NotifiedAt: n.NotifiedAt, CreatedBy: n.CreatedBy, meta: meta{n.CreatedAt, n.UpdatedAt, n.Version}}
}

// applyTo writes the given fields onto n. Errors: invalid (avisoAt).
func (f noteFields) applyTo(n *crm.Note, tz *time.Location) error {
	n.Text, n.InterestID, n.Visibility, n.RemindAll = f.Text, f.InterestID, crm.Visibility(f.Visibility), f.RemindAll
	if f.AvisoAt != nil {
		at, err := crm.ParseAviso(*f.AvisoAt, tz)
		if err != nil {
			return err
		}
		n.AvisoAt = at
	}
	return nil
}

func noteFieldsOf(n crm.Note) noteFields {
	return noteFields{Text: n.Text, InterestID: n.InterestID, Visibility: string(n.Visibility), RemindAll: n.RemindAll}
}

var noteRes = resource[crm.Note, noteFields, noteResponse]{
	path: "/v1/notes", response: noteToResponse, id: func(v crm.Note) string { return v.ID },
	version: func(v crm.Note) int { return v.Version },
}

// notes is noteRes answering with the company time zone.
func (a *API) notes() resource[crm.Note, noteFields, noteResponse] {
	x, tz := noteRes, a.svc.TimeZone().String()
	x.response = func(n crm.Note) noteResponse {
		r := noteToResponse(n)
		r.TimeZone = tz
		return r
	}
	return x
}

// writeNote answers with n, written by a request that set its avisoAt
// when avisoSet: a reminder time already gone is taken (the reminder goes
// out at once), and said so in warnings.
func (a *API) writeNote(w http.ResponseWriter, status int, n crm.Note, avisoSet bool) {
	r := a.notes().response(n)
	if avisoSet && n.AvisoAt != nil && !n.AvisoAt.After(a.now()) {
		r.Warnings = []string{msgAvisoPast}
	}
	w.Header().Set("ETag", etag(n.Version))
	writeJSON(w, status, r)
}

func (a *API) createNote(k crm.ParentKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u crm.User) error {
		var f noteFields
		if err := decodeBody(r, &f); err != nil {
			return err
		}
		var n crm.Note
		if err := f.applyTo(&n, a.svc.TimeZone()); err != nil {
			return err
		}
		out, err := a.svc.CreateNote(r.Context(), u, k, r.PathValue("id"), n)
		if err != nil {
			return err
		}
		w.Header().Set("Location", noteRes.path+"/"+out.ID)
		a.writeNote(w, http.StatusCreated, out, f.AvisoAt != nil)
		return nil
	}
}

func (a *API) listNotes(k crm.ParentKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u crm.User) error {
		o, err := listOptions(r.URL.Query())
		if err != nil {
			return err
		}
		p, err := a.svc.ListNotes(r.Context(), u, k, r.PathValue("id"), o)
		if err != nil {
			return err
		}
		a.notes().list(w, p)
		return nil
	}
}

func (a *API) getNote(w http.ResponseWriter, r *http.Request, u crm.User) error {
	n, err := a.svc.GetNote(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return err
	}
	a.notes().write(w, http.StatusOK, n)
	return nil
}

func (a *API) patchNote(w http.ResponseWriter, r *http.Request, u crm.User) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	m, err := ifMatch(r)
	if err != nil {
		return err
	}
	avisoSet := false
	out, err := a.svc.UpdateNote(r.Context(), u, r.PathValue("id"), m, func(n *crm.Note) error {
		f := noteFieldsOf(*n)
		if err := decodeInto(b, &f); err != nil {
			return err
		}
		avisoSet = f.AvisoAt != nil
		return f.applyTo(n, a.svc.TimeZone())
	})
	if err != nil {
		return err
	}
	a.writeNote(w, http.StatusOK, out, avisoSet)
	return nil
}

func (a *API) deleteNote(w http.ResponseWriter, r *http.Request, u crm.User) error {
	m, err := ifMatch(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteNote(r.Context(), u, r.PathValue("id"), m); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) reminders(w http.ResponseWriter, r *http.Request, u crm.User) error {
	if _, err := listOptions(r.URL.Query()); err != nil {
		return err
	}
	ns, err := a.svc.Reminders(r.Context(), u)
	if err != nil {
		return err
	}
	a.notes().list(w, crm.Page[crm.Note]{Items: ns})
	return nil
}

type timelineResponse struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Summary string    `json:"summary"`
	RefKind string    `json:"refKind"`
	RefID   string    `json:"refId"`
	Actor   string    `json:"actor"`
	// ActorKind says who did it: a user (actor), the webhook of a lead's
	// source (actorName names the source), or the system.
	ActorKind string `json:"actorKind"`
	ActorName string `json:"actorName"`
	Private   bool   `json:"private"`
}

func timelineToResponse(t crm.TimelineItem) timelineResponse {
	kind := "system"
	switch {
	case t.Actor != "":
		kind = "user"
	case t.ActorName != "":
		kind = "webhook"
	}
	return timelineResponse{At: t.At, Kind: string(t.Kind), Summary: t.Summary, RefKind: t.RefKind, RefID: t.RefID,
		Actor: t.Actor, ActorKind: kind, ActorName: t.ActorName, Private: t.PrivateTo != ""}
}

func (a *API) timeline(w http.ResponseWriter, r *http.Request, u crm.User) error {
	o, err := listOptions(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.svc.Timeline(r.Context(), u, r.PathValue("id"), o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(p, timelineToResponse))
	return nil
}
