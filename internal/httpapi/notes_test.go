package httpapi_test

// Notes, reminders (avisos) and the contact timeline through the API: notes
// on every kind of parent, reminder times, the reminders list, who may
// change a note, and above all that a private note reaches nobody but its
// author on any read path (the note, every list, the reminders, the
// timeline, the e-mails).

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/stream"
)

// noteUser creates an active user with role (staff or admin) through the
// API and returns its ID and a token of it.
func (e *env) noteUser(name, role string) (string, string) {
	e.t.Helper()
	u := e.created("/v1/users", map[string]any{"name": name, "email": strings.ToLower(name) + "@example.com", "role": role})
	tok := e.created("/v1/users/"+id(u)+"/tokens", map[string]any{"name": "notes"})
	secret, _ := tok["token"].(string)
	if secret == "" {
		e.t.Fatalf("no token for %s", name)
	}
	return id(u), secret
}

// noteParent is one thing a note can go on.
type noteParent struct {
	collection string // contacts, opportunities, clients, suppliers, quotes
	kind       string // the notes' parentKind
	id         string
	contactID  string // the contact its notes concern
}

func (p noteParent) notes() string { return "/v1/" + p.collection + "/" + p.id + "/notes" }

// noteParents creates, as staff, one parent of each kind: a contact, an
// opportunity and a quote (both of another contact), a client and a
// supplier (each with its main contact).
func noteParents(e *env) []noteParent {
	e.t.Helper()
	contact := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Nora"})
	buyer := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Bruno"})
	opp := e.createdAs(e.staffToken, "/v1/opportunities", map[string]any{"contactId": id(buyer), "description": "Cocina"})
	quote := e.createdAs(e.staffToken, "/v1/opportunities/"+id(opp)+"/quotes", map[string]any{})
	client := e.createdAs(e.staffToken, "/v1/clients", map[string]any{"name": "Clientes Nora SL"})
	supplier := e.createdAs(e.staffToken, "/v1/suppliers", map[string]any{"name": "Proveedores Nora SL"})
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		if s == "" {
			e.t.Fatalf("no %s in %v", k, m)
		}
		return s
	}
	return []noteParent{
		{"contacts", "contact", id(contact), id(contact)},
		{"opportunities", "opportunity", id(opp), id(buyer)},
		{"clients", "client", id(client), str(client, "mainContactId")},
		{"suppliers", "supplier", id(supplier), str(supplier, "mainContactId")},
		{"quotes", "quote", id(quote), str(quote, "contactId")},
	}
}

// listIDs lists every item of a list as token and returns their IDs.
func (e *env) listIDs(token, path string) []string {
	e.t.Helper()
	return ids(e.listAll(token, path))
}

func TestNotesOnEveryParent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	staffID := e.staffUser().ID
	for _, p := range noteParents(e) {
		t.Run(p.collection, func(t *testing.T) {
			res := e.staff_(http.MethodPost, p.notes(), map[string]any{"text": "  Llamar el lunes (" + p.collection + ")\n"})
			wantStatus(t, res, http.StatusCreated)
			n := res.json(t)
			if loc := res.Header.Get("Location"); loc != "/v1/notes/"+id(n) {
				t.Errorf("Location %q, want /v1/notes/%s", loc, id(n))
			}
			if tag := res.Header.Get("ETag"); tag != `"1"` {
				t.Errorf("ETag %q, want \"1\"", tag)
			}
			want := map[string]any{
				"parentKind": p.kind, "parentId": p.id, "contactId": p.contactID, "text": "Llamar el lunes (" + p.collection + ")",
				"interestId": "", "visibility": "team", "avisoAt": nil, "remindAll": false, "notifiedAt": nil,
				"createdBy": staffID, "version": float64(1),
			}
			for k, v := range want {
				if n[k] != v {
					t.Errorf("%s = %#v, want %#v: %s", k, n[k], v, res.Body)
				}
			}

			// Anyone reads a team note, as it was created.
			got := e.admin_(http.MethodGet, "/v1/notes/"+id(n), nil)
			wantStatus(t, got, http.StatusOK)
			if !reflect.DeepEqual(got.json(t), n) {
				t.Errorf("GET gives %s, POST gave %s", got.Body, res.Body)
			}
			if tag := got.Header.Get("ETag"); tag != `"1"` {
				t.Errorf("GET ETag %q", tag)
			}

			// The parent lists its notes (only its own), newest first, in pages.
			second := e.createdAs(e.staffToken, p.notes(), map[string]any{"text": "Segunda"})
			wantIDs := []string{id(second), id(n)}
			if got := e.listIDs(adminToken, p.notes()); !slices.Equal(got, wantIDs) {
				t.Errorf("list %v, want %v (newest first)", got, wantIDs)
			}
			first := e.staff_(http.MethodGet, p.notes()+"?limit=1", nil)
			wantStatus(t, first, http.StatusOK)
			if c, _ := first.json(t)["nextCursor"].(string); c == "" {
				t.Errorf("limit=1 of 2 notes: no nextCursor: %s", first.Body)
			}
			if got := e.listIDs(e.staffToken, p.notes()+"?limit=1"); !slices.Equal(got, wantIDs) {
				t.Errorf("paged list %v, want %v", got, wantIDs)
			}
			wantProblem(t, e.staff_(http.MethodGet, p.notes()+"?limit=0", nil), http.StatusBadRequest, crm.CodeInvalid, "limit")
			wantProblem(t, e.staff_(http.MethodGet, p.notes()+"?visibility=team", nil), http.StatusBadRequest, crm.CodeInvalid, "visibility")
		})
	}
}

func TestNoteTextOfExactly20000Characters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Largo"}))
	text := strings.Repeat("ñ", crm.MaxNoteLen) // 40000 bytes, 20000 characters
	n := e.createdAs(e.staffToken, "/v1/contacts/"+c+"/notes", map[string]any{"text": text})
	if n["text"] != text {
		t.Errorf("the text came back with %d characters", len([]rune(n["text"].(string))))
	}
}

func TestNoteOnAParentOfAnotherKindIsNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ps := noteParents(e)
	before := e.snapshot()
	for _, p := range ps {
		for _, q := range ps {
			if p.collection == q.collection {
				continue
			}
			// q's collection with p's ID: the parent does not exist.
			path := "/v1/" + q.collection + "/" + p.id + "/notes"
			wantProblem(t, e.staff_(http.MethodPost, path, map[string]any{"text": "Perdida"}), http.StatusNotFound, crm.CodeNotFound)
			wantProblem(t, e.staff_(http.MethodGet, path, nil), http.StatusNotFound, crm.CodeNotFound)
		}
	}
	e.unchanged(t, before)
}

func TestNoteAvisoAt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Avisos"}))
	path := "/v1/contacts/" + c + "/notes"
	cases := []struct{ name, in, want string }{
		// A date alone is 09:00 in the company time zone, Europe/Madrid.
		{"winter date", "2026-01-15", "2026-01-15T08:00:00Z"},
		{"summer date", "2026-07-15", "2026-07-15T07:00:00Z"},
		{"the day summer time starts", "2026-03-29", "2026-03-29T07:00:00Z"},
		{"the day summer time ends", "2026-10-25", "2026-10-25T08:00:00Z"},
		{"last winter day", "2026-03-28", "2026-03-28T08:00:00Z"},
		// A time is that instant, in UTC, to the second.
		{"time with offset", "2026-12-01T16:30:00+01:00", "2026-12-01T15:30:00Z"},
		{"time behind UTC", "2026-06-01T16:30:00-04:00", "2026-06-01T20:30:00Z"},
		{"time in UTC", "2026-06-01T16:30:00Z", "2026-06-01T16:30:00Z"},
		{"fractional seconds", "2026-06-01T16:30:00.987Z", "2026-06-01T16:30:00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := e.createdAs(e.staffToken, path, map[string]any{"text": tc.name, "avisoAt": tc.in})
			if n["avisoAt"] != tc.want {
				t.Errorf("POST avisoAt %q = %v, want %s", tc.in, n["avisoAt"], tc.want)
			}
			got := e.staff_(http.MethodGet, "/v1/notes/"+id(n), nil)
			wantStatus(t, got, http.StatusOK)
			if got.json(t)["avisoAt"] != tc.want {
				t.Errorf("GET avisoAt = %v, want %s", got.json(t)["avisoAt"], tc.want)
			}
			// The same through PATCH, on a note without a reminder.
			plain := e.createdAs(e.staffToken, path, map[string]any{"text": "plain " + tc.name})
			res := e.staff_(http.MethodPatch, "/v1/notes/"+id(plain), map[string]any{"avisoAt": tc.in})
			wantStatus(t, res, http.StatusOK)
			if res.json(t)["avisoAt"] != tc.want {
				t.Errorf("PATCH avisoAt %q = %v, want %s", tc.in, res.json(t)["avisoAt"], tc.want)
			}
		})
	}
}

func TestReminders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, olga := e.noteUser("Olga", "staff")
	c := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Avisos"}))
	post := func(token string, body map[string]any) string {
		t.Helper()
		return id(e.createdAs(token, "/v1/contacts/"+c+"/notes", body))
	}
	staff := e.staffToken
	due := post(staff, map[string]any{"text": "vencido", "avisoAt": "2020-05-04T10:00:00Z"})
	minePrivate := post(staff, map[string]any{"text": "privado mío", "visibility": "private", "avisoAt": "2031-03-01T10:00:00Z"})
	mineTeam := post(staff, map[string]any{"text": "equipo mío", "avisoAt": "2031-01-01"})
	everyone := post(olga, map[string]any{"text": "para todos", "remindAll": true, "avisoAt": "2031-02-01T10:00:00Z"})
	olgaPrivate := post(olga, map[string]any{"text": "privado de Olga", "visibility": "private", "avisoAt": "2030-06-01T10:00:00Z"})
	olgaTeam := post(olga, map[string]any{"text": "equipo de Olga", "avisoAt": "2030-07-01T10:00:00Z"})
	adminPrivate := post(adminToken, map[string]any{"text": "del admin", "visibility": "private", "avisoAt": "2030-08-01T10:00:00Z"})
	post(staff, map[string]any{"text": "sin aviso"})
	post(olga, map[string]any{"text": "para todos, sin aviso", "remindAll": true})
	notified := post(staff, map[string]any{"text": "ya avisado", "avisoAt": "2030-05-01T10:00:00Z"})
	notifiedAll := post(olga, map[string]any{"text": "para todos, ya avisado", "remindAll": true, "avisoAt": "2030-05-01T11:00:00Z"})
	removed := post(staff, map[string]any{"text": "aviso quitado", "avisoAt": "2030-05-02T10:00:00Z"})
	deleted := post(staff, map[string]any{"text": "borrado", "avisoAt": "2030-05-03T10:00:00Z"})

	// Sent reminders are marked as the reminder function marks them.
	for _, nid := range []string{notified, notifiedAll} {
		n, err := e.store.GetNote(ctx, nid)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.MarkNotified(ctx, n, *n.AvisoAt); err != nil {
			t.Fatal(err)
		}
	}
	res := e.staff_(http.MethodPatch, "/v1/notes/"+removed, map[string]any{"avisoAt": ""})
	wantStatus(t, res, http.StatusOK)
	if m := res.json(t); m["avisoAt"] != nil || m["notifiedAt"] != nil {
		t.Errorf("avisoAt \"\" should remove the reminder: %s", res.Body)
	}
	wantStatus(t, e.staff_(http.MethodDelete, "/v1/notes/"+deleted, nil), http.StatusNoContent)

	for _, tc := range []struct {
		who   string
		token string
		want  []string
	}{
		// Mine (team or private, due or upcoming) and those for everyone,
		// soonest first; nobody else's, nothing sent, removed or deleted.
		{"staff", staff, []string{due, mineTeam, everyone, minePrivate}},
		{"another staff user", olga, []string{olgaPrivate, olgaTeam, everyone}},
		{"an admin", adminToken, []string{adminPrivate, everyone}},
	} {
		t.Run(tc.who, func(t *testing.T) {
			res := e.do(http.MethodGet, "/v1/reminders", tc.token, nil)
			wantStatus(t, res, http.StatusOK)
			var l struct {
				Items      []map[string]any `json:"items"`
				NextCursor *string          `json:"nextCursor"`
			}
			mustUnmarshal(t, res.Body, &l)
			if got := ids(l.Items); !slices.Equal(got, tc.want) {
				t.Errorf("reminders %v, want %v", got, tc.want)
			}
			for _, it := range l.Items {
				if it["avisoAt"] == nil || it["notifiedAt"] != nil {
					t.Errorf("a reminder that is not pending: %v", it)
				}
			}
			// limit and cursor are checked, and the list is whole.
			wantStatus(t, e.do(http.MethodGet, "/v1/reminders?limit=1", tc.token, nil), http.StatusOK)
		})
	}
	wantProblem(t, e.staff_(http.MethodGet, "/v1/reminders?limit=0", nil), http.StatusBadRequest, crm.CodeInvalid, "limit")
	wantProblem(t, e.staff_(http.MethodGet, "/v1/reminders?userId="+c, nil), http.StatusBadRequest, crm.CodeInvalid, "userId")
}

func TestPatchAvisoAtClearsNotifiedAt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	c := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Avisado"}))
	nid := id(e.createdAs(e.staffToken, "/v1/contacts/"+c+"/notes", map[string]any{"text": "Revisar", "avisoAt": "2030-05-01T10:00:00Z"}))
	path := "/v1/notes/" + nid
	n, err := e.store.GetNote(ctx, nid)
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Date(2030, 5, 1, 10, 0, 30, 0, time.UTC)
	if err := e.svc.MarkNotified(ctx, n, sent); err != nil {
		t.Fatal(err)
	}
	const sentJSON = "2030-05-01T10:00:30Z"
	pending := func() bool {
		t.Helper()
		return slices.Contains(e.listIDs(e.staffToken, "/v1/reminders"), nid)
	}
	if got := e.staff_(http.MethodGet, path, nil).json(t); got["notifiedAt"] != sentJSON {
		t.Fatalf("notifiedAt %v, want %s", got["notifiedAt"], sentJSON)
	}
	if pending() {
		t.Error("a sent reminder is still listed")
	}

	// Changes that keep the time keep notifiedAt.
	for _, body := range []map[string]any{
		{"text": "Revisar otra vez"},
		{"avisoAt": "2030-05-01T12:00:00+02:00"}, // the same instant
		{"visibility": "private"},
	} {
		res := e.staff_(http.MethodPatch, path, body)
		wantStatus(t, res, http.StatusOK)
		if m := res.json(t); m["notifiedAt"] != sentJSON || m["avisoAt"] != "2030-05-01T10:00:00Z" {
			t.Errorf("PATCH %v: avisoAt %v notifiedAt %v, want both kept", body, m["avisoAt"], m["notifiedAt"])
		}
	}
	if pending() {
		t.Error("a sent reminder is listed again though its time did not change")
	}

	// A new time re-arms it.
	res := e.staff_(http.MethodPatch, path, map[string]any{"avisoAt": "2030-05-02"})
	wantStatus(t, res, http.StatusOK)
	if m := res.json(t); m["notifiedAt"] != nil || m["avisoAt"] != "2030-05-02T07:00:00Z" {
		t.Errorf("new avisoAt: avisoAt %v notifiedAt %v, want 2030-05-02T07:00:00Z and null", m["avisoAt"], m["notifiedAt"])
	}
	if got := e.staff_(http.MethodGet, path, nil).json(t); got["notifiedAt"] != nil {
		t.Errorf("stored notifiedAt %v, want null", got["notifiedAt"])
	}
	if !pending() {
		t.Error("the re-armed reminder is not listed")
	}

	// Removing the time of a sent reminder clears both.
	n, err = e.store.GetNote(ctx, nid)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.MarkNotified(ctx, n, sent); err != nil {
		t.Fatal(err)
	}
	res = e.staff_(http.MethodPatch, path, map[string]any{"avisoAt": ""})
	wantStatus(t, res, http.StatusOK)
	if m := res.json(t); m["notifiedAt"] != nil || m["avisoAt"] != nil {
		t.Errorf("avisoAt removed: avisoAt %v notifiedAt %v, want both null", m["avisoAt"], m["notifiedAt"])
	}
}

func TestNoteInterestLinksTheContact(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	interestIDs := func(contactID string) []string {
		t.Helper()
		res := e.staff_(http.MethodGet, "/v1/contacts/"+contactID, nil)
		wantStatus(t, res, http.StatusOK)
		var out []string
		for _, v := range res.json(t)["interestIds"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	for _, p := range noteParents(e) {
		t.Run(p.collection, func(t *testing.T) {
			onCreate := id(e.created("/v1/interests", map[string]any{"name": "Alta " + p.collection}))
			onPatch := id(e.created("/v1/interests", map[string]any{"name": "Cambio " + p.collection}))
			n := e.createdAs(e.staffToken, p.notes(), map[string]any{"text": "Le interesa", "interestId": onCreate})
			if n["interestId"] != onCreate {
				t.Errorf("interestId %v, want %s", n["interestId"], onCreate)
			}
			if got := interestIDs(p.contactID); !slices.Contains(got, onCreate) {
				t.Errorf("the note's contact has interests %v, not %s", got, onCreate)
			}
			// Set by a change: linked too, once.
			plain := e.createdAs(e.staffToken, p.notes(), map[string]any{"text": "Sin interés"})
			wantStatus(t, e.staff_(http.MethodPatch, "/v1/notes/"+id(plain), map[string]any{"interestId": onPatch}), http.StatusOK)
			e.createdAs(e.staffToken, p.notes(), map[string]any{"text": "Otra vez", "interestId": onPatch})
			got := interestIDs(p.contactID)
			if !slices.Contains(got, onCreate) || !slices.Contains(got, onPatch) {
				t.Errorf("the contact has interests %v, want %s and %s", got, onCreate, onPatch)
			}
			seen := map[string]bool{}
			for _, iid := range got {
				if seen[iid] {
					t.Errorf("interest %s linked twice: %v", iid, got)
				}
				seen[iid] = true
			}
		})
	}
}

// An interest that does not exist is refused, named as the field the
// client sent, even when the contact has no room left for another
// interest (so no link is written that would check it).
func TestNoteInterestOfNothingOnAContactWithEveryInterest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var all []string
	for i := range crm.MaxInterests {
		all = append(all, id(e.created("/v1/interests", map[string]any{"name": "Interés " + string(rune('A'+i))})))
	}
	c := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Completo", "interestIds": all}))
	note := id(e.createdAs(e.staffToken, "/v1/contacts/"+c+"/notes", map[string]any{"text": "Nota"}))
	before := e.snapshot()
	wantProblem(t, e.staff_(http.MethodPost, "/v1/contacts/"+c+"/notes", map[string]any{"text": "X", "interestId": unknownID()}),
		http.StatusBadRequest, crm.CodeInvalid, "interestId")
	wantProblem(t, e.staff_(http.MethodPatch, "/v1/notes/"+note, map[string]any{"interestId": unknownID()}),
		http.StatusBadRequest, crm.CodeInvalid, "interestId")
	e.unchanged(t, before)
}

// reader is a user who reads notes in a privacy test.
type reader struct{ name, token string }

func TestPrivateNotesStayWithTheirAuthor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, olga := e.noteUser("Olga", "staff")
	_, ada := e.noteUser("Ada", "admin")
	others := []reader{{"another staff user", olga}, {"the bootstrap admin", adminToken}, {"another admin", ada}}
	const secret = "PIN de la alarma 4321"
	for _, p := range noteParents(e) {
		t.Run(p.collection, func(t *testing.T) {
			priv := id(e.createdAs(e.staffToken, p.notes(), map[string]any{"text": secret + " (" + p.collection + ")", "visibility": "private", "avisoAt": "2030-03-03T10:00:00Z"}))
			team := id(e.createdAs(e.staffToken, p.notes(), map[string]any{"text": "Para todos", "avisoAt": "2030-03-04T10:00:00Z"}))
			path := "/v1/notes/" + priv

			// Its author reads it everywhere.
			res := e.staff_(http.MethodGet, path, nil)
			wantStatus(t, res, http.StatusOK)
			if m := res.json(t); m["visibility"] != "private" || !strings.HasPrefix(m["text"].(string), secret) {
				t.Errorf("the author reads %s", res.Body)
			}
			if got := e.listIDs(e.staffToken, p.notes()); !slices.Equal(got, []string{team, priv}) {
				t.Errorf("the author's list %v, want %v", got, []string{team, priv})
			}
			if got := e.listIDs(e.staffToken, "/v1/reminders"); !slices.Contains(got, priv) {
				t.Errorf("the author's reminders %v lack the private note", got)
			}

			missing := wantProblem(t, e.staff_(http.MethodGet, "/v1/notes/"+unknownID(), nil), http.StatusNotFound, crm.CodeNotFound)
			for _, r := range others {
				t.Run(r.name, func(t *testing.T) {
					// As if it did not exist.
					res := e.do(http.MethodGet, path, r.token, nil)
					got := wantProblem(t, res, http.StatusNotFound, crm.CodeNotFound)
					if got.Title != missing.Title || got.Detail != missing.Detail || got.Type != missing.Type {
						t.Errorf("a private note answers %s, a missing one %+v", res.Body, missing)
					}
					list := e.do(http.MethodGet, p.notes(), r.token, nil)
					wantStatus(t, list, http.StatusOK)
					if strings.Contains(string(list.Body), secret) || strings.Contains(string(list.Body), priv) {
						t.Errorf("the list shows the private note: %s", list.Body)
					}
					if got := e.listIDs(r.token, p.notes()); !slices.Equal(got, []string{team}) {
						t.Errorf("list %v, want just the team note %s", got, team)
					}
					rem := e.do(http.MethodGet, "/v1/reminders", r.token, nil)
					wantStatus(t, rem, http.StatusOK)
					if strings.Contains(string(rem.Body), secret) || strings.Contains(string(rem.Body), priv) {
						t.Errorf("the reminders show the private note: %s", rem.Body)
					}
					// Nor can they change or delete it.
					before := e.snapshot()
					for _, body := range []map[string]any{{"text": "Robado"}, {"visibility": "team"}, {}} {
						res := e.do(http.MethodPatch, path, r.token, body)
						wantProblem(t, res, http.StatusNotFound, crm.CodeNotFound)
						if strings.Contains(string(res.Body), secret) {
							t.Errorf("the PATCH answer shows the note: %s", res.Body)
						}
					}
					wantProblem(t, e.do(http.MethodPatch, path, r.token, map[string]any{"text": "Robado"}, "If-Match", `"1"`), http.StatusNotFound, crm.CodeNotFound)
					wantProblem(t, e.do(http.MethodDelete, path, r.token, nil), http.StatusNotFound, crm.CodeNotFound)
					wantProblem(t, e.do(http.MethodDelete, path, r.token, nil, "If-Match", `"1"`), http.StatusNotFound, crm.CodeNotFound)
					e.unchanged(t, before)
				})
			}

			// Its author may still change it (it stays private) and delete it.
			res = e.staff_(http.MethodPatch, path, map[string]any{"text": secret + " cambiado"}, "If-Match", `"1"`)
			wantStatus(t, res, http.StatusOK)
			if m := res.json(t); m["visibility"] != "private" || m["version"] != float64(2) {
				t.Errorf("the author's change: %s", res.Body)
			}
			wantStatus(t, e.staff_(http.MethodDelete, path, nil, "If-Match", `"2"`), http.StatusNoContent)
			wantProblem(t, e.staff_(http.MethodGet, path, nil), http.StatusNotFound, crm.CodeNotFound)
		})
	}

	// An admin's private note is hidden from staff just the same.
	c := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Del admin"}))
	adminNote := id(e.createdAs(adminToken, "/v1/contacts/"+c+"/notes", map[string]any{"text": secret, "visibility": "private", "avisoAt": "2030-01-01"}))
	wantProblem(t, e.staff_(http.MethodGet, "/v1/notes/"+adminNote, nil), http.StatusNotFound, crm.CodeNotFound)
	if got := e.listIDs(e.staffToken, "/v1/contacts/"+c+"/notes"); len(got) != 0 {
		t.Errorf("staff list the admin's private note: %v", got)
	}
	if got := e.listIDs(ada, "/v1/contacts/"+c+"/notes"); len(got) != 0 {
		t.Errorf("another admin lists the admin's private note: %v", got)
	}
	if got := e.listIDs(adminToken, "/v1/contacts/"+c+"/notes"); !slices.Equal(got, []string{adminNote}) {
		t.Errorf("its author lists %v", got)
	}
}

func TestTeamNoteChangesByItsAuthorOrAnAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	staffID := e.staffUser().ID
	_, olga := e.noteUser("Olga", "staff")
	_, ada := e.noteUser("Ada", "admin")
	c := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Equipo"}))
	notes := "/v1/contacts/" + c + "/notes"
	nid := id(e.createdAs(e.staffToken, notes, map[string]any{"text": "Presupuesto enviado"}))
	path := "/v1/notes/" + nid

	// Another staff user reads it but may not change or delete it.
	wantStatus(t, e.do(http.MethodGet, path, olga, nil), http.StatusOK)
	before := e.snapshot()
	wantProblem(t, e.do(http.MethodPatch, path, olga, map[string]any{"text": "Mío"}), http.StatusForbidden, crm.CodeForbidden)
	wantProblem(t, e.do(http.MethodPatch, path, olga, map[string]any{"text": "Mío"}, "If-Match", `"1"`), http.StatusForbidden, crm.CodeForbidden)
	wantProblem(t, e.do(http.MethodDelete, path, olga, nil), http.StatusForbidden, crm.CodeForbidden)
	e.unchanged(t, before)

	// Its author may, and so may any admin; it stays the author's.
	steps := []struct {
		token string
		body  map[string]any
		tag   string
	}{
		{e.staffToken, map[string]any{"text": "Presupuesto enviado y leído"}, `"1"`},
		{adminToken, map[string]any{"avisoAt": "2030-02-02"}, `"2"`},
		{ada, map[string]any{"visibility": "team", "remindAll": true}, `"3"`},
	}
	for i, s := range steps {
		res := e.do(http.MethodPatch, path, s.token, s.body, "If-Match", s.tag)
		wantStatus(t, res, http.StatusOK)
		m := res.json(t)
		if m["createdBy"] != staffID || m["version"] != float64(i+2) || res.Header.Get("ETag") != `"`+string(rune('0'+i+2))+`"` {
			t.Errorf("step %d: %s (ETag %s)", i, res.Body, res.Header.Get("ETag"))
		}
	}
	if m := e.do(http.MethodGet, path, olga, nil).json(t); m["text"] != "Presupuesto enviado y leído" || m["avisoAt"] != "2030-02-02T08:00:00Z" || m["remindAll"] != true {
		t.Errorf("after the changes: %v", m)
	}
	before = e.snapshot()
	wantProblem(t, e.admin_(http.MethodPatch, path, map[string]any{"text": "x"}, "If-Match", `"1"`), http.StatusPreconditionFailed, crm.CodePreconditionFailed)
	wantProblem(t, e.admin_(http.MethodDelete, path, nil, "If-Match", `"3"`), http.StatusPreconditionFailed, crm.CodePreconditionFailed)
	wantProblem(t, e.do(http.MethodDelete, path, olga, nil, "If-Match", `"4"`), http.StatusForbidden, crm.CodeForbidden)
	e.unchanged(t, before)
	wantStatus(t, e.do(http.MethodDelete, path, ada, nil, "If-Match", `"4"`), http.StatusNoContent)
	wantProblem(t, e.staff_(http.MethodGet, path, nil), http.StatusNotFound, crm.CodeNotFound)
	wantProblem(t, e.admin_(http.MethodDelete, path, nil), http.StatusNotFound, crm.CodeNotFound)
	if got := e.listIDs(e.staffToken, notes); len(got) != 0 {
		t.Errorf("a deleted note is listed: %v", got)
	}

	// The author deletes its own; the bootstrap admin deletes staff's.
	own := id(e.createdAs(e.staffToken, notes, map[string]any{"text": "Mía"}))
	wantStatus(t, e.staff_(http.MethodDelete, "/v1/notes/"+own, nil), http.StatusNoContent)
	theirs := id(e.createdAs(e.staffToken, notes, map[string]any{"text": "Suya"}))
	wantStatus(t, e.admin_(http.MethodDelete, "/v1/notes/"+theirs, nil), http.StatusNoContent)

	// Staff may not change an admin's team note; another admin may.
	adminNote := id(e.createdAs(adminToken, notes, map[string]any{"text": "Del admin"}))
	before = e.snapshot()
	wantProblem(t, e.staff_(http.MethodPatch, "/v1/notes/"+adminNote, map[string]any{"text": "x"}), http.StatusForbidden, crm.CodeForbidden)
	wantProblem(t, e.staff_(http.MethodDelete, "/v1/notes/"+adminNote, nil), http.StatusForbidden, crm.CodeForbidden)
	e.unchanged(t, before)
	wantStatus(t, e.do(http.MethodPatch, "/v1/notes/"+adminNote, ada, map[string]any{"text": "Corregido"}), http.StatusOK)
}

// --- with the change stream: the timeline and the e-mails

// sentMail records the e-mails the stream handler sends.
type sentMail struct {
	mu   sync.Mutex
	sent []crm.Email
}

func (m *sentMail) Send(_ context.Context, e crm.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, e)
	return nil
}

func (m *sentMail) all() []crm.Email {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

// armedReminders records the reminders the stream handler arms.
type armedReminders struct {
	mu    sync.Mutex
	armed map[string]time.Time
}

func (s *armedReminders) Arm(_ context.Context, noteID string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed[noteID] = at
	return nil
}

func (s *armedReminders) Disarm(_ context.Context, noteID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.armed, noteID)
	return nil
}

func (s *armedReminders) at(noteID string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.armed[noteID]
	return at, ok
}

// effectsEnv is an env over a store whose writes are captured as DynamoDB
// stream records, fed in order to the stream handler (as the stream
// Lambda gets them), with recording fakes for e-mail and schedules.
type effectsEnv struct {
	*env
	feed  *dynamotest.Feed
	mail  *sentMail
	sched *armedReminders

	mu     sync.Mutex
	failed []error // records the handler could not handle
}

func newEffectsEnv(t *testing.T) *effectsEnv {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tbl, db := dynamotest.NewCapturing(t)
	st := dynamo.New(db, tbl.Name)
	svc := crm.NewService(st, crm.Config{})
	admin, _, err := svc.BootstrapAdmin(ctx, "admin@example.com", adminToken, false)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := svc.CreateUser(ctx, crm.User{Name: "Staff", Email: "staff@example.com", Role: crm.RoleStaff, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := svc.IssueToken(ctx, staff.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	fx := &effectsEnv{mail: &sentMail{}, sched: &armedReminders{armed: map[string]time.Time{}}}
	h := stream.New(stream.Config{Service: svc, Store: st, Mailer: fx.mail, Scheduler: fx.sched, Log: quiet})
	// A record the handler fails on is reported by the test, not retried
	// for ever (which would leave Wait waiting).
	fx.feed = db.StartFeed(t, func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		if err := (dynamo.StreamHandler{Apply: h.Apply}).Record(ctx, rec); err != nil {
			fx.mu.Lock()
			fx.failed = append(fx.failed, err)
			fx.mu.Unlock()
		}
		return nil
	})
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Options{TokenCacheTTL: -1, Idempotency: st}))
	t.Cleanup(srv.Close)
	fx.env = &env{t: t, srv: srv, tbl: tbl, svc: svc, store: st, admin: admin, staffToken: secret}
	return fx
}

// wait lets the stream handle every change so far, and fails the test if
// it could not handle one.
func (fx *effectsEnv) wait() {
	fx.t.Helper()
	fx.feed.Wait()
	fx.mu.Lock()
	defer fx.mu.Unlock()
	if err := errors.Join(fx.failed...); err != nil {
		fx.t.Fatalf("the stream handler failed: %v", err)
	}
}

// timelineEntry is one entry of GET /v1/contacts/{id}/timeline.
type timelineEntry struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Summary string    `json:"summary"`
	RefKind string    `json:"refKind"`
	RefID   string    `json:"refId"`
	Actor   string    `json:"actor"`
	Private bool      `json:"private"`
}

// timeline reads a contact's whole timeline as token, each page checked
// against openapi.json.
func (fx *effectsEnv) timeline(c *oasChecker, token, contactID string) ([]timelineEntry, string) {
	fx.t.Helper()
	var all []timelineEntry
	var raw strings.Builder
	path := "/v1/contacts/" + contactID + "/timeline?limit=2"
	for p := path; ; {
		res := c.call(oasOK, http.StatusOK, token, http.MethodGet, p, nil)
		raw.Write(res.Body)
		var page struct {
			Items      []timelineEntry `json:"items"`
			NextCursor string          `json:"nextCursor"`
		}
		mustUnmarshal(fx.t, res.Body, &page)
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, raw.String()
		}
		p = path + "&cursor=" + url.QueryEscape(page.NextCursor)
	}
}

// noteEntries returns the refIds of the note entries, and whether each is
// marked private.
func noteEntries(tl []timelineEntry) map[string]bool {
	out := map[string]bool{}
	for _, it := range tl {
		if it.Kind == "note" && it.RefKind == "note" {
			out[it.RefID] = it.Private
		}
	}
	return out
}

func TestPrivateNotesStayOffOthersTimelineAndMail(t *testing.T) {
	t.Parallel()
	fx := newEffectsEnv(t)
	e := fx.env
	c := newOASChecker(t, e)
	staffID := e.staffUser().ID
	olgaID, olga := e.noteUser("Olga", "staff")
	_, ada := e.noteUser("Ada", "admin")
	contact := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Historia"}))
	// Olga works on the opportunity: a team note on it is mailed to her.
	opp := id(e.createdAs(e.staffToken, "/v1/opportunities", map[string]any{"contactId": contact, "description": "Reforma", "assigneeId": olgaID}))
	client := e.createdAs(e.staffToken, "/v1/clients", map[string]any{"name": "Historia SL"})
	clientContact, _ := client["mainContactId"].(string)

	const secret = "PIN de la alarma 4321"
	on := func(path string, body map[string]any) string {
		t.Helper()
		return id(e.createdAs(e.staffToken, path, body))
	}
	contactNotes, oppNotes := "/v1/contacts/"+contact+"/notes", "/v1/opportunities/"+opp+"/notes"
	team := on(contactNotes, map[string]any{"text": "Nota de equipo"})
	priv := on(contactNotes, map[string]any{"text": secret + " en el contacto", "visibility": "private"})
	teamOpp := on(oppNotes, map[string]any{"text": "Nota de equipo en la oportunidad"})
	privOpp := on(oppNotes, map[string]any{"text": secret + " en la oportunidad", "visibility": "private"})
	privDue := on(contactNotes, map[string]any{"text": secret + " con aviso pasado", "visibility": "private", "avisoAt": "2020-01-01T09:00:00Z"})
	privLater := on(contactNotes, map[string]any{"text": secret + " con aviso futuro", "visibility": "private", "avisoAt": "2030-01-01"})
	privClient := on("/v1/clients/"+id(client)+"/notes", map[string]any{"text": secret + " en el cliente", "visibility": "private"})
	fx.wait()

	// The author sees every note in the timeline, the private ones marked.
	tl, _ := fx.timeline(c, e.staffToken, contact)
	want := map[string]bool{team: false, priv: true, teamOpp: false, privOpp: true, privDue: true, privLater: true}
	if got := noteEntries(tl); !reflect.DeepEqual(got, want) {
		t.Errorf("the author's note entries %v, want %v", got, want)
	}
	for i := 1; i < len(tl); i++ {
		if tl[i].At.After(tl[i-1].At) {
			t.Errorf("the timeline is not newest first: %v before %v", tl[i-1].At, tl[i].At)
		}
	}
	for _, it := range tl {
		if it.Kind == "note" && it.Actor != staffID {
			t.Errorf("note entry by %q, want the author %s", it.Actor, staffID)
		}
	}
	if got := noteEntries(first(fx.timeline(c, e.staffToken, clientContact))); !reflect.DeepEqual(got, map[string]bool{privClient: true}) {
		t.Errorf("the client's contact timeline for the author: %v", got)
	}

	// Nobody else does: not another staff user, not an admin.
	for _, r := range []reader{{"another staff user", olga}, {"the bootstrap admin", adminToken}, {"another admin", ada}} {
		t.Run(r.name, func(t *testing.T) {
			tl, raw := fx.timeline(c, r.token, contact)
			if got, want := noteEntries(tl), map[string]bool{team: false, teamOpp: false}; !reflect.DeepEqual(got, want) {
				t.Errorf("note entries %v, want just the team notes %v", got, want)
			}
			if strings.Contains(raw, secret) {
				t.Errorf("the timeline shows a private note: %s", raw)
			}
			for _, it := range tl {
				if it.Private {
					t.Errorf("a private entry is shown: %+v", it)
				}
			}
			if _, raw := fx.timeline(c, r.token, clientContact); strings.Contains(raw, secret) || strings.Contains(raw, privClient) {
				t.Errorf("the client's contact timeline shows a private note: %s", raw)
			}
		})
	}

	// E-mail: the private note with a past aviso reminded its author at
	// once, and only its author; no other e-mail carries a private note.
	mails := fx.mail.all()
	reminded, toOlga := 0, 0
	for _, m := range mails {
		body := m.Subject + m.Text + m.HTML
		if m.To != "staff@example.com" && strings.Contains(body, secret) {
			t.Errorf("%s mailed to %s shows a private note: %s", m.Key, m.To, m.Subject)
		}
		if m.Key == crm.NotifyNote {
			reminded++
			if m.To != "staff@example.com" {
				t.Errorf("a private note's reminder went to %s", m.To)
			}
		}
		if m.Key == crm.NotifyNewOpportunityNote {
			if m.To != "olga@example.com" || strings.Contains(body, secret) {
				t.Errorf("new-opportunity-note to %s: %s", m.To, m.Text)
			}
			toOlga++
		}
	}
	if reminded != 1 {
		t.Errorf("%d reminders sent, want 1 (the past aviso of the private note)", reminded)
	}
	if toOlga != 1 {
		t.Errorf("%d new-opportunity-note e-mails to the assignee, want 1 (the team note only)", toOlga)
	}
	// The reminder sent is gone from the author's list; the later one is armed.
	if m := e.staff_(http.MethodGet, "/v1/notes/"+privDue, nil).json(t); m["notifiedAt"] == nil {
		t.Errorf("the past aviso was not marked sent: %v", m)
	}
	if got := e.listIDs(e.staffToken, "/v1/reminders"); !slices.Equal(got, []string{privLater}) {
		t.Errorf("the author's reminders %v, want just %s", got, privLater)
	}
	if at, ok := fx.sched.at(privLater); !ok || !at.Equal(time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("the future aviso is armed at %v (%v), want 2030-01-01T08:00:00Z", at, ok)
	}
}

// A note made private after the fact leaves the others' timeline too:
// only its author may read it from then on.
func TestTimelineHidesANoteMadePrivate(t *testing.T) {
	t.Parallel()
	fx := newEffectsEnv(t)
	e := fx.env
	c := newOASChecker(t, e)
	_, olga := e.noteUser("Olga", "staff")
	contact := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Arrepentido"}))
	const secret = "El director cobra en negro"
	nid := id(e.createdAs(e.staffToken, "/v1/contacts/"+contact+"/notes", map[string]any{"text": secret}))
	fx.wait()
	if got := noteEntries(first(fx.timeline(c, olga, contact))); !reflect.DeepEqual(got, map[string]bool{nid: false}) {
		t.Fatalf("a team note's entry for others: %v", got)
	}

	wantStatus(t, e.staff_(http.MethodPatch, "/v1/notes/"+nid, map[string]any{"visibility": "private"}), http.StatusOK)
	fx.wait()
	wantProblem(t, e.do(http.MethodGet, "/v1/notes/"+nid, olga, nil), http.StatusNotFound, crm.CodeNotFound)
	tl, raw := fx.timeline(c, olga, contact)
	if strings.Contains(raw, secret) {
		t.Errorf("after the note became private, another user's timeline still shows its text: %s", raw)
	}
	if _, ok := noteEntries(tl)[nid]; ok {
		t.Errorf("after the note became private, another user's timeline still has its entry")
	}
	if got := noteEntries(first(fx.timeline(c, e.staffToken, contact))); len(got) != 1 {
		t.Errorf("its author's timeline: %v, want its entry", got)
	}
}

func first[A, B any](a A, _ B) A { return a }
