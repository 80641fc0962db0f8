package webapp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// people is a web app with a source, an interest, an agent, a contact
// and two staff users, Ana and Beto.
type people struct {
	env       *webtest.Env
	source    crm.Source
	interest  crm.Interest
	agent     crm.Agent
	contact   crm.Contact
	ana, beto crm.User
}

func newPeople(t *testing.T, opts ...webtest.Option) *people {
	t.Helper()
	env := webtest.New(t, opts...)
	ctx := t.Context()
	w := &people{env: env}
	var err error
	if w.source, err = env.Svc.CreateSource(ctx, crm.Source{Name: "Google Ads"}); err != nil {
		t.Fatal(err)
	}
	if w.interest, err = env.Svc.CreateInterest(ctx, crm.Interest{Name: "Hosting gestionado"}); err != nil {
		t.Fatal(err)
	}
	if w.agent, err = env.Svc.CreateAgent(ctx, crm.Agent{Code: "A1", Name: "Marta Agente", Email: "marta@example.com", Active: true}); err != nil {
		t.Fatal(err)
	}
	w.contact, err = env.Svc.CreateContact(ctx, env.Admin, crm.Contact{Name: "José", Surname: "Pérez", Company: "Talleres Pérez",
		Email: "jose@example.com", Phone: "600123456", SourceID: w.source.ID, AgentID: w.agent.ID, InterestIDs: []string{w.interest.ID}})
	if err != nil {
		t.Fatal(err)
	}
	w.ana = env.User(t, crm.RoleStaff, "ana@example.com")
	w.beto = env.User(t, crm.RoleStaff, "beto@example.com")
	return w
}

// page is the contact's page as c sees it, failing unless it is a 200.
func (w *people) page(t *testing.T, c *webtest.Client) string {
	t.Helper()
	res := c.Get(t, "/app/contacts/"+w.contact.ID)
	if res.Status != http.StatusOK {
		t.Fatalf("contact page: %d %s", res.Status, res.Body)
	}
	return res.Body
}

// TestContactPage: a contact's page shows its data, what its IDs name
// (source, agent, interests), its opportunities linking to their pages,
// and the forms; an unknown contact is a 404 and a signed-out visit goes
// to the sign-in page.
func TestContactPage(t *testing.T) {
	w := newPeople(t)
	o, err := w.env.Svc.CreateOpportunity(t.Context(), w.env.Admin, crm.Opportunity{ContactID: w.contact.ID, Description: "Tienda online", ApproxAmountCents: 350000})
	if err != nil {
		t.Fatal(err)
	}
	c := w.env.SignIn(t, w.ana)
	body := w.page(t, c)
	for _, s := range []string{"<h1>José Pérez</h1>", "Talleres Pérez", "jose@example.com", "&#43;34600123456", // html/template writes + so "Google Ads", "Marta Agente",
		"Hosting gestionado", `href="/app/opportunities/` + o.ID + `"`, "#1 Tienda online", "3.500,00\u00a0€", "Nuevo",
		`action="/app/notes"`, `name="parentKind" value="contact"`, `name="parentId" value="` + w.contact.ID + `"`,
		"Convertir en cliente", "Convertir en proveedor", `href="/app/contacts/` + w.contact.ID + `/edit"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the contact page lacks %q", s)
		}
	}
	if res := c.Get(t, "/app/contacts/01J00000000000000000000000"); res.Status != http.StatusNotFound {
		t.Errorf("an unknown contact: %d, want 404", res.Status)
	}
	if res := c.Get(t, "/app/contacts/nonsense"); res.Status != http.StatusBadRequest && res.Status != http.StatusNotFound {
		t.Errorf("a malformed ID: %d, want 400 or 404", res.Status)
	}
	res := w.env.Anonymous(t).Get(t, "/app/contacts/"+w.contact.ID)
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/app/signin?next=") {
		t.Errorf("signed out: %d to %q, want the sign-in page", res.Status, res.Location())
	}
}

// TestNotesPrivateOnlyForTheirAuthor: Ana adds a private and a team note;
// she sees both, Beto sees the team note only, on the page and in the
// timeline; an admin does not see Ana's private note either.
func TestNotesPrivateOnlyForTheirAuthor(t *testing.T) {
	w := newPeople(t, webtest.WithChangeFeed())
	ana := w.env.SignIn(t, w.ana)
	for _, n := range []url.Values{
		{"text": {"Secreto de Ana: prefiere el martes"}, "visibility": {"private"}},
		{"text": {"Para todos: pidió presupuesto"}, "visibility": {"team"}, "avisoDate": {"2030-03-02"}, "avisoTime": {"10:15"}, "remindAll": {"1"}},
	} {
		n.Set("parentKind", "contact")
		n.Set("parentId", w.contact.ID)
		res := ana.PostForm(t, "/app/notes", n)
		if res.Status != http.StatusSeeOther || res.Location() != "/app/contacts/"+w.contact.ID+"#notes" {
			t.Fatalf("adding a note: %d to %q: %s", res.Status, res.Location(), res.Body)
		}
	}
	w.env.Drain(t)
	mine := w.page(t, ana)
	for _, s := range []string{"Secreto de Ana", "Para todos: pidió presupuesto", "Privada", "Aviso: 02/03/2030 10:15", "Avisa a todos",
		"Nota: Secreto de Ana", "Nota: Para todos"} {
		if !strings.Contains(mine, s) {
			t.Errorf("Ana's page lacks %q", s)
		}
	}
	for name, c := range map[string]*webtest.Client{"Beto": w.env.SignIn(t, w.beto), "an admin": w.env.SignIn(t, w.env.Admin)} {
		body := w.page(t, c)
		if !strings.Contains(body, "Para todos: pidió presupuesto") || !strings.Contains(body, "Nota: Para todos") {
			t.Errorf("%s does not see the team note on the page and in the timeline", name)
		}
		if strings.Contains(body, "Secreto") || strings.Contains(body, "prefiere el martes") {
			t.Errorf("%s sees Ana's private note", name)
		}
	}
}

// TestNoteFieldErrors: a refused note shows the contact's page again
// (400) with each error next to its field and what was typed kept, and
// stores nothing; without the CSRF token nothing is stored either.
func TestNoteFieldErrors(t *testing.T) {
	w := newPeople(t)
	c := w.env.SignIn(t, w.ana)
	base := url.Values{"parentKind": {"contact"}, "parentId": {w.contact.ID}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, x := range base {
			v[k] = x
		}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for name, tc := range map[string]struct {
		form  url.Values
		field string // the input the error is next to
		text  string
	}{
		"no text":              {with("text", " "), "note-text", "Este campo es obligatorio."},
		"private reminds all":  {with("text", "Llamar", "visibility", "private", "remindAll", "1"), "note-all", "Una nota privada solo avisa a su autor"},
		"a time without a day": {with("text", "Llamar", "avisoTime", "10:00"), "note-date", "Pon también el día del aviso."},
		"a bad day":            {with("text", "Llamar", "avisoDate", "2030-02-31"), "note-date", "No es una fecha válida."},
	} {
		res := c.PostForm(t, "/app/notes", tc.form)
		if res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, res.Status)
			continue
		}
		next := regexp.MustCompile(`id="` + tc.field + `"[^>]*aria-invalid="true"[^>]*>(?s:.*?)<p class="field-error" role="alert">([^<]*)</p>`).FindStringSubmatch(res.Body)
		if next == nil || !strings.Contains(next[1], tc.text) {
			t.Errorf("%s: no error %q next to #%s", name, tc.text, tc.field)
		}
		if tc.form.Get("text") == "Llamar" && !strings.Contains(res.Body, ">Llamar</textarea>") {
			t.Errorf("%s: the text typed is lost", name)
		}
	}
	res := c.PostForm(t, "/app/notes", with("text", "Sin token", "_csrf", ""))
	if res.Status != http.StatusForbidden {
		t.Errorf("a note without the CSRF token: %d, want 403", res.Status)
	}
	ns, err := w.env.Svc.ListNotes(t.Context(), w.ana, crm.ParentContact, w.contact.ID, crm.ListOptions{})
	if err != nil || len(ns.Items) != 0 {
		t.Fatalf("refused notes were stored: %+v %v", ns.Items, err)
	}
}

// TestNoteAvisoInCompanyTime: the aviso's day and time are the company's
// (Europe/Madrid); a day alone means 09:00 there.
func TestNoteAvisoInCompanyTime(t *testing.T) {
	w := newPeople(t)
	c := w.env.SignIn(t, w.ana)
	for _, tc := range []struct {
		day, at string
		want    time.Time
	}{
		{"2030-01-15", "16:30", time.Date(2030, 1, 15, 15, 30, 0, 0, time.UTC)}, // CET, UTC+1
		{"2030-07-15", "16:30", time.Date(2030, 7, 15, 14, 30, 0, 0, time.UTC)}, // CEST, UTC+2
		{"2030-01-16", "", time.Date(2030, 1, 16, 8, 0, 0, 0, time.UTC)},
	} {
		res := c.PostForm(t, "/app/notes", url.Values{"parentKind": {"contact"}, "parentId": {w.contact.ID},
			"text": {"Aviso " + tc.day + " " + tc.at}, "avisoDate": {tc.day}, "avisoTime": {tc.at}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("%s %s: %d %s", tc.day, tc.at, res.Status, res.Body)
		}
	}
	ns, err := w.env.Svc.ListNotes(t.Context(), w.ana, crm.ParentContact, w.contact.ID, crm.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]time.Time{}
	for _, n := range ns.Items {
		got[n.Text] = *n.AvisoAt
	}
	for _, tc := range []struct {
		text string
		want time.Time
	}{
		{"Aviso 2030-01-15 16:30", time.Date(2030, 1, 15, 15, 30, 0, 0, time.UTC)},
		{"Aviso 2030-07-15 16:30", time.Date(2030, 7, 15, 14, 30, 0, 0, time.UTC)},
		{"Aviso 2030-01-16", time.Date(2030, 1, 16, 8, 0, 0, 0, time.UTC)},
	} {
		if !got[tc.text].Equal(tc.want) {
			t.Errorf("%q: aviso at %v, want %v", tc.text, got[tc.text], tc.want)
		}
	}
}

// TestNoteDelete: a note's author deletes it; another staff user gets no
// delete button and is refused; an admin may delete a team note.
func TestNoteDelete(t *testing.T) {
	w := newPeople(t)
	ctx := t.Context()
	mine, err := w.env.Svc.CreateNote(ctx, w.ana, crm.ParentContact, w.contact.ID, crm.Note{Text: "Nota de Ana"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := w.env.Svc.CreateNote(ctx, w.ana, crm.ParentContact, w.contact.ID, crm.Note{Text: "Otra nota de Ana"})
	if err != nil {
		t.Fatal(err)
	}
	beto := w.env.SignIn(t, w.beto)
	if strings.Contains(w.page(t, beto), `action="/app/notes/`+mine.ID+`/delete"`) {
		t.Errorf("Beto gets a button to delete Ana's note")
	}
	if res := beto.PostForm(t, "/app/notes/"+mine.ID+"/delete", nil); res.Status != http.StatusForbidden {
		t.Errorf("Beto deleting Ana's note: %d, want 403", res.Status)
	}
	ana := w.env.SignIn(t, w.ana)
	if res := ana.PostForm(t, "/app/notes/"+mine.ID+"/delete", url.Values{"_csrf": {""}}); res.Status != http.StatusForbidden {
		t.Errorf("a delete without the CSRF token: %d, want 403", res.Status)
	}
	res := ana.PostForm(t, "/app/notes/"+mine.ID+"/delete", nil)
	if res.Status != http.StatusSeeOther || res.Location() != "/app/contacts/"+w.contact.ID+"#notes" {
		t.Fatalf("Ana deleting her note: %d to %q", res.Status, res.Location())
	}
	if _, err := w.env.Svc.GetNote(ctx, w.ana, mine.ID); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Errorf("the deleted note is still there: %v", err)
	}
	admin := w.env.SignIn(t, w.env.Admin)
	if res := admin.PostForm(t, "/app/notes/"+other.ID+"/delete", nil); res.Status != http.StatusSeeOther {
		t.Errorf("an admin deleting a team note: %d, want 303", res.Status)
	}
}

// TestTimelineNewestFirst: the timeline lists what happened to the
// contact, newest first, each entry linking to what it is about.
func TestTimelineNewestFirst(t *testing.T) {
	w := newPeople(t, webtest.WithChangeFeed())
	ctx := t.Context()
	w.env.Clock.Advance(time.Minute)
	o, err := w.env.Svc.CreateOpportunity(ctx, w.ana, crm.Opportunity{ContactID: w.contact.ID, Description: "Tienda online"})
	if err != nil {
		t.Fatal(err)
	}
	w.env.Clock.Advance(time.Minute)
	if _, err := w.env.Svc.CreateNote(ctx, w.ana, crm.ParentContact, w.contact.ID, crm.Note{Text: "Llamada hecha"}); err != nil {
		t.Fatal(err)
	}
	w.env.Drain(t)
	body := w.page(t, w.env.SignIn(t, w.beto))
	tl := body[strings.Index(body, `id="timeline"`):]
	order := []string{"Nota: Llamada hecha", "Oportunidad abierta: Tienda online", "Contacto creado"}
	at := -1
	for _, s := range order {
		i := strings.Index(tl, s)
		if i < 0 || i < at {
			t.Fatalf("the timeline is not %q newest first:\n%s", order, tl)
		}
		at = i
	}
	if !strings.Contains(tl, `<a href="/app/opportunities/`+o.ID+`">Oportunidad abierta: Tienda online</a>`) || !strings.Contains(tl, "por ana") {
		t.Errorf("the opportunity's entry does not link to it or name who opened it:\n%s", tl)
	}
}

// upload is the JSON answer to POST /app/files.
type upload struct {
	ID      string            `json:"id"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Done    string            `json:"done"`
	Back    string            `json:"back"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
}

// TestFileUpload: the upload's three steps as static/blocks.js takes them
// (record, PUT to the presigned URL, complete) make the file appear on
// the contact's page, and its link downloads it through the domain's
// URL; a refused file answers its field problems; without the CSRF token
// nothing is recorded.
func TestFileUpload(t *testing.T) {
	w := newPeople(t, webtest.WithFiles())
	c := w.env.SignIn(t, w.ana)
	if !strings.Contains(w.page(t, c), "data-upload") {
		t.Fatal("no upload form on the contact's page")
	}
	content := "presupuesto firmado\n"
	form := url.Values{"parentKind": {"contact"}, "parentId": {w.contact.ID}, "name": {"firmado.txt"}, "size": {"20"}, "contentType": {"text/plain"}}
	res := c.PostForm(t, "/app/files", form)
	var up upload
	if res.Status != http.StatusCreated || json.Unmarshal([]byte(res.Body), &up) != nil || up.URL == "" {
		t.Fatalf("recording the file: %d %s", res.Status, res.Body)
	}
	if !strings.HasPrefix(up.URL, w.env.URL+"/blobs/") || up.Back != "/app/contacts/"+w.contact.ID {
		t.Errorf("upload URL %q, back %q", up.URL, up.Back)
	}
	if strings.Contains(w.page(t, c), "firmado.txt") {
		t.Errorf("a file not uploaded yet is listed")
	}
	put, err := http.NewRequestWithContext(t.Context(), http.MethodPut, up.URL, strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range up.Headers {
		put.Header.Set(k, v)
	}
	if r := c.Do(t, put); r.Status != http.StatusOK {
		t.Fatalf("PUT to the upload URL: %d %s", r.Status, r.Body)
	}
	if r := c.PostForm(t, up.Done, nil); r.Status != http.StatusOK {
		t.Fatalf("completing: %d %s", r.Status, r.Body)
	}
	body := w.page(t, w.env.SignIn(t, w.beto))
	if !strings.Contains(body, `<a href="/app/files/`+up.ID+`">firmado.txt</a>`) || !strings.Contains(body, "20 B · ana") {
		t.Fatalf("the file is not listed with its size and uploader")
	}
	dl := c.Get(t, "/app/files/"+up.ID)
	if dl.Status != http.StatusSeeOther || !strings.HasPrefix(dl.Location(), w.env.URL+"/blobs/files/") {
		t.Fatalf("download: %d to %q", dl.Status, dl.Location())
	}
	got, err := http.Get(dl.Location())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(b) != content || !strings.Contains(got.Header.Get("Content-Disposition"), "firmado.txt") {
		t.Errorf("downloaded %q (%s)", b, got.Header.Get("Content-Disposition"))
	}

	form.Set("size", "0")
	res = c.PostForm(t, "/app/files", form)
	if res.Status != http.StatusBadRequest || json.Unmarshal([]byte(res.Body), &up) != nil || up.Fields["size"] == "" {
		t.Errorf("an empty file: %d %s, want 400 naming the size", res.Status, res.Body)
	}
	form.Set("size", "20")
	form.Set("_csrf", "")
	if res := c.PostForm(t, "/app/files", form); res.Status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", res.Status)
	}
	fs, err := w.env.Svc.ListFiles(t.Context(), crm.ParentContact, w.contact.ID, crm.ListOptions{})
	if err != nil || len(fs.Items) != 1 {
		t.Errorf("files after the refused ones: %+v %v", fs.Items, err)
	}
	if res := c.Get(t, "/app/files/01J00000000000000000000000"); res.Status != http.StatusNotFound {
		t.Errorf("an unknown file: %d, want 404", res.Status)
	}
}

// TestNoFileStore: where no file store is configured, the page says so
// instead of offering an upload that cannot work.
func TestNoFileStore(t *testing.T) {
	w := newPeople(t)
	body := w.page(t, w.env.SignIn(t, w.ana))
	if strings.Contains(body, "data-upload") || !strings.Contains(body, "Este servidor no guarda archivos.") {
		t.Errorf("without a file store the page offers an upload")
	}
}
