package webapp_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// listed returns the IDs of the contacts a list page shows, in order.
func listed(body string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`data-contact="([0-9A-Z]+)"`).FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// errorNextTo returns the field error shown right after the input (or
// select, or textarea) with id, "" for none; the input must be marked
// aria-invalid.
func errorNextTo(body, id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*aria-invalid="true"[^>]*>(?:[^<]|<option[^>]*>[^<]*</option>|</select>|</textarea>)*` +
		`\s*<p class="field-error" role="alert">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestContactListSearchAndFilters: the any-word search (accents and case
// aside, every word starting a word of the name, surname or company) and
// the source, interest, agent and kind filters narrow the list, newest
// first, each contact linking to its page.
func TestContactListSearchAndFilters(t *testing.T) {
	w := newPeople(t)
	ctx := t.Context()
	feria, err := w.env.Svc.CreateSource(ctx, crm.Source{Name: "Feria"})
	if err != nil {
		t.Fatal(err)
	}
	luisa, err := w.env.Svc.CreateContact(ctx, w.env.Admin, crm.Contact{Name: "Luisa", Surname: "Gómez", SourceID: feria.ID})
	if err != nil {
		t.Fatal(err)
	}
	perez, err := w.env.Svc.CreateContact(ctx, w.env.Admin, crm.Contact{Name: "Ana", Surname: "Pérez Ruiz", Company: "Ruiz SL"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.env.Svc.Convert(ctx, perez.ID, crm.PartyClient); err != nil {
		t.Fatal(err)
	}
	jose := w.contact.ID
	c := w.env.SignIn(t, w.ana)
	for query, want := range map[string][]string{
		"":                           {perez.ID, luisa.ID, jose},
		"?q=perez":                   {perez.ID, jose},
		"?q=PÉREZ+ru":                {perez.ID},
		"?q=talleres":                {jose},
		"?q=nadie":                   nil,
		"?source=" + feria.ID:        {luisa.ID},
		"?interest=" + w.interest.ID: {jose},
		"?agent=" + w.agent.ID:       {jose},
		"?kind=client":               {perez.ID},
		"?kind=none":                 {luisa.ID, jose},
		"?kind=supplier":             nil,
		"?q=perez&kind=none":         {jose},
	} {
		res := c.Get(t, "/app/contacts"+query)
		if res.Status != http.StatusOK {
			t.Errorf("%q: %d", query, res.Status)
			continue
		}
		got := listed(res.Body)
		if query == "?q=perez" { // a search lists in its own order
			if len(got) == 2 && got[0] == jose {
				got[0], got[1] = got[1], got[0]
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q lists %v, want %v", query, got, want)
		}
	}
	body := c.Get(t, "/app/contacts").Body
	for _, s := range []string{`<a class="title" href="/app/contacts/` + jose + `">José Pérez</a>`, "Talleres Pérez", "Origen: Google Ads",
		"Agente: Marta Agente", `<span class="badge client">Cliente</span>`, `href="/app/contacts" aria-current="page"`, `href="/app/contacts/new"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the list lacks %q", s)
		}
	}
	filtered := c.Get(t, "/app/contacts?q=perez&kind=none").Body
	for _, s := range []string{`value="perez"`, `<option value="none" selected>`} {
		if !strings.Contains(filtered, s) {
			t.Errorf("the filtered list does not keep %q in its form", s)
		}
	}
}

// TestContactListPages: 50 a page; "more" shows the rest with the same
// search and filters.
func TestContactListPages(t *testing.T) {
	w := newPeople(t)
	for i := range 52 {
		if _, err := w.env.Svc.CreateContact(t.Context(), w.env.Admin, crm.Contact{Name: fmt.Sprintf("Socio %02d", i), SourceID: w.source.ID}); err != nil {
			t.Fatal(err)
		}
	}
	c := w.env.SignIn(t, w.ana)
	res := c.Get(t, "/app/contacts?q=socio&source="+w.source.ID)
	if n := len(listed(res.Body)); n != 50 {
		t.Fatalf("first page: %d contacts, want 50", n)
	}
	more := regexp.MustCompile(`<p class="more"><a href="([^"]+)"`).FindStringSubmatch(res.Body)
	if more == nil {
		t.Fatal("no link to more")
	}
	next := strings.ReplaceAll(more[1], "&amp;", "&")
	if !strings.Contains(next, "q=socio") || !strings.Contains(next, "source="+w.source.ID) {
		t.Errorf("the more link drops the search: %s", next)
	}
	res = c.Get(t, next)
	if n := len(listed(res.Body)); n != 2 || strings.Contains(res.Body, `class="more"`) {
		t.Fatalf("second page: %d contacts (want 2), more link %v", n, strings.Contains(res.Body, `class="more"`))
	}
}

// TestContactListRefusedSearch: a search the domain refuses shows the
// list's form with the error next to the input, 400.
func TestContactListRefusedSearch(t *testing.T) {
	w := newPeople(t)
	c := w.env.SignIn(t, w.ana)
	res := c.Get(t, "/app/contacts?q="+strings.Repeat("a", 201))
	if res.Status != http.StatusBadRequest || errorNextTo(res.Body, "f-q") == "" {
		t.Errorf("a search too long: %d, error %q", res.Status, errorNextTo(res.Body, "f-q"))
	}
	res = c.Get(t, "/app/contacts?kind=partner")
	if res.Status != http.StatusBadRequest || errorNextTo(res.Body, "f-kind") == "" {
		t.Errorf("an unknown kind: %d, error %q", res.Status, errorNextTo(res.Body, "f-kind"))
	}
	res = c.Get(t, "/app/contacts?cursor=nonsense")
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "La lista ha cambiado") {
		t.Errorf("a bad cursor: %d", res.Status)
	}
}

// contactFields is a new contact's form, all fields filled.
func contactFields(w *people) url.Values {
	return url.Values{"name": {"  María "}, "surname": {"López"}, "company": {"Hornos López"}, "jobTitle": {"Gerente"},
		"email": {"Maria.Lopez@Example.com"}, "phone": {"611 22 33 44"}, "mobile": {""}, "taxId": {"b12345678"}, "web": {"https://hornos.example"},
		"address.street": {"Calle Mayor 1"}, "address.postalCode": {"28001"}, "address.city": {"Madrid"}, "address.province": {"Madrid"},
		"address.country": {"es"}, "sourceId": {w.source.ID}, "agentId": {w.agent.ID}, "interestIds": {w.interest.ID}, "lang": {"en"},
		"observations": {"Llamar por la tarde"}, "marketingConsent": {"1"}}
}

// TestCreateContact: the form creates the contact as the domain keeps it
// (trimmed, e-mail in lower case, phone in E.164) and shows its page;
// without the CSRF token nothing is created.
func TestCreateContact(t *testing.T) {
	w := newPeople(t)
	c := w.env.SignIn(t, w.ana)
	form := c.Get(t, "/app/contacts/new")
	if form.Status != http.StatusOK || !strings.Contains(form.Body, `<label for="c-address.city">`) || !strings.Contains(form.Body, `name="_csrf"`) {
		t.Fatalf("the new contact form: %d", form.Status)
	}
	if res := c.PostForm(t, "/app/contacts", url.Values{"name": {"Sin token"}, "_csrf": {""}}); res.Status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", res.Status)
	}
	res := c.PostForm(t, "/app/contacts", contactFields(w))
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/app/contacts/") {
		t.Fatalf("creating: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	id := strings.TrimPrefix(res.Location(), "/app/contacts/")
	got, err := w.env.Svc.GetContact(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	want := crm.Contact{ID: id, Name: "María", Surname: "López", Company: "Hornos López", JobTitle: "Gerente", Email: "maria.lopez@example.com",
		Phone: "+34611223344", TaxID: "B12345678", Web: "https://hornos.example",
		Address:      crm.Address{Street: "Calle Mayor 1", PostalCode: "28001", City: "Madrid", Province: "Madrid", Country: "ES"},
		Observations: "Llamar por la tarde", SourceID: w.source.ID, AgentID: w.agent.ID, InterestIDs: []string{w.interest.ID},
		MarketingConsent: true, Lang: "en", CreatedBy: w.ana.ID, UpdatedBy: w.ana.ID, CreatedAt: got.CreatedAt, UpdatedAt: got.UpdatedAt, Version: 1}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("created\n%+v\nwant\n%+v", got, want)
	}
	list, err := w.env.Svc.ListContacts(t.Context(), crm.ContactFilter{}, crm.ListOptions{})
	if err != nil || len(list.Items) != 2 {
		t.Errorf("contacts after one creation and one refused: %d %v", len(list.Items), err)
	}
}

// TestContactFieldErrors: a contact refused for its fields shows the form
// again (400) with each error next to its input and what was typed kept.
func TestContactFieldErrors(t *testing.T) {
	w := newPeople(t)
	c := w.env.SignIn(t, w.ana)
	f := contactFields(w)
	f.Set("name", " ")
	f.Set("email", "maria@")
	f.Set("phone", "12")
	f.Set("web", "hornos.example")
	f.Set("address.country", "E1")
	res := c.PostForm(t, "/app/contacts", f)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("refused contact: %d, want 400", res.Status)
	}
	for id, want := range map[string]string{
		"c-name": "Este campo es obligatorio.", "c-email": "No es un e-mail válido.", "c-phone": "No es un teléfono válido.",
		"c-web": "Escribe la dirección completa", "c-address.country": "código de dos letras",
	} {
		if got := errorNextTo(res.Body, id); !strings.Contains(got, want) {
			t.Errorf("next to #%s: %q, want %q", id, got, want)
		}
	}
	for _, kept := range []string{`value="maria@"`, `value="Hornos López"`, ">Llamar por la tarde</textarea>", `value="` + w.interest.ID + `" checked`} {
		if !strings.Contains(res.Body, kept) {
			t.Errorf("the form lost %s", kept)
		}
	}
	if errorNextTo(res.Body, "c-company") != "" {
		t.Errorf("an error next to a good field")
	}
}

// TestContactDuplicate: a contact with the e-mail (in another case) or
// the phone (in another format) of another is refused (409), and the form
// links to the existing one; the same on an edit.
func TestContactDuplicate(t *testing.T) {
	w := newPeople(t)
	c := w.env.SignIn(t, w.ana)
	link := `<a href="/app/contacts/` + w.contact.ID + `">José Pérez</a>`
	for name, f := range map[string]url.Values{
		"e-mail": {"name": {"Otro José"}, "email": {"JOSE@example.com"}},
		"phone":  {"name": {"Otro José"}, "phone": {"+34 600 12 34 56"}},
	} {
		res := c.PostForm(t, "/app/contacts", f)
		if res.Status != http.StatusConflict || !strings.Contains(res.Body, "Ya hay un contacto con ese e-mail o teléfono:") || !strings.Contains(res.Body, link) {
			t.Errorf("the same %s: %d, want 409 linking to the existing contact", name, res.Status)
		}
		if !strings.Contains(res.Body, `value="Otro José"`) {
			t.Errorf("the same %s: the form lost what was typed", name)
		}
	}
	other, err := w.env.Svc.CreateContact(t.Context(), w.env.Admin, crm.Contact{Name: "Luisa", Email: "luisa@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	res := c.PostForm(t, "/app/contacts/"+other.ID, url.Values{"version": {"1"}, "name": {"Luisa"}, "email": {"jose@example.com"}})
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, link) {
		t.Errorf("an edit to another's e-mail: %d, want 409 linking to it", res.Status)
	}
}

// TestEditContact: the edit form shows the contact; saving changes what
// the form holds and keeps the rest (its attribution, its client); a save
// over someone else's change is refused (409) keeping what was typed, and
// a second save goes through.
func TestEditContact(t *testing.T) {
	w := newPeople(t)
	ctx := t.Context()
	c0, err := w.env.Svc.UpdateContact(ctx, w.contact.ID, 0, func(c *crm.Contact) error {
		c.Attribution.UTMCampaign = "enero"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.env.Svc.Convert(ctx, w.contact.ID, crm.PartyClient); err != nil {
		t.Fatal(err)
	}
	c := w.env.SignIn(t, w.ana)
	form := c.Get(t, "/app/contacts/"+w.contact.ID+"/edit")
	if form.Status != http.StatusOK {
		t.Fatalf("edit form: %d", form.Status)
	}
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(form.Body)
	if version == nil || !strings.Contains(form.Body, `value="jose@example.com"`) || !strings.Contains(form.Body, `value="`+w.interest.ID+`" checked`) {
		t.Fatalf("the edit form does not show the contact")
	}
	f := url.Values{"version": {version[1]}, "name": {"José"}, "surname": {"Pérez"}, "company": {"Talleres Pérez e Hijos"}, "email": {"jose@example.com"}}
	res := c.PostForm(t, "/app/contacts/"+w.contact.ID, f)
	if res.Status != http.StatusSeeOther || res.Location() != "/app/contacts/"+w.contact.ID {
		t.Fatalf("saving: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	got, err := w.env.Svc.GetContact(ctx, w.contact.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Company != "Talleres Pérez e Hijos" || got.Attribution.UTMCampaign != "enero" || got.ClientID == "" || got.UpdatedBy != w.ana.ID ||
		got.Phone != "" || len(got.InterestIDs) != 0 || got.Version <= c0.Version {
		t.Errorf("after the save: %+v", got)
	}

	f.Set("company", "Talleres Pérez Hermanos") // the form read before the last save
	res = c.PostForm(t, "/app/contacts/"+w.contact.ID, f)
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "Alguien ha cambiado este contacto") || !strings.Contains(res.Body, `value="Talleres Pérez Hermanos"`) {
		t.Fatalf("a stale save: %d", res.Status)
	}
	if got, _ := w.env.Svc.GetContact(ctx, w.contact.ID); got.Company != "Talleres Pérez e Hijos" {
		t.Fatalf("a stale save changed the contact: %q", got.Company)
	}
	f.Set("version", regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(res.Body)[1])
	if res := c.PostForm(t, "/app/contacts/"+w.contact.ID, f); res.Status != http.StatusSeeOther {
		t.Fatalf("saving again after the warning: %d", res.Status)
	}

	f.Set("version", regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(c.Get(t, "/app/contacts/"+w.contact.ID+"/edit").Body)[1])
	f.Set("email", "no-es-un-email")
	res = c.PostForm(t, "/app/contacts/"+w.contact.ID, f)
	if res.Status != http.StatusBadRequest || errorNextTo(res.Body, "c-email") == "" {
		t.Errorf("an edit with a bad e-mail: %d", res.Status)
	}
	if res := c.PostForm(t, "/app/contacts/01J00000000000000000000000", f); res.Status != http.StatusNotFound {
		t.Errorf("saving an unknown contact: %d, want 404", res.Status)
	}
}

// TestConvertContact: "Convertir en cliente" makes the contact a client
// (the domain's conversion: a client with the next code) and its page
// says so and offers only the supplier; without the CSRF token nothing
// happens.
func TestConvertContact(t *testing.T) {
	w := newPeople(t)
	c := w.env.SignIn(t, w.ana)
	path := "/app/contacts/" + w.contact.ID + "/convert"
	if res := c.PostForm(t, path, url.Values{"to": {"client"}, "_csrf": {""}}); res.Status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", res.Status)
	}
	if got, _ := w.env.Svc.GetContact(t.Context(), w.contact.ID); got.ClientID != "" {
		t.Fatal("converted without the CSRF token")
	}
	if res := c.PostForm(t, path, url.Values{"to": {"partner"}}); res.Status != http.StatusBadRequest {
		t.Errorf("to an unknown kind: %d, want 400", res.Status)
	}
	res := c.PostForm(t, path, url.Values{"to": {"client"}})
	if res.Status != http.StatusSeeOther || res.Location() != "/app/contacts/"+w.contact.ID+"?converted=client" {
		t.Fatalf("converting: %d to %q", res.Status, res.Location())
	}
	page := c.Get(t, res.Location()).Body
	for _, s := range []string{"El contacto es ahora cliente.", `<span class="badge client">Cliente C00001</span>`, "Convertir en proveedor"} {
		if !strings.Contains(page, s) {
			t.Errorf("the converted contact's page lacks %q", s)
		}
	}
	if strings.Contains(page, "Convertir en cliente") {
		t.Errorf("a client is offered to become a client")
	}
	if res := c.PostForm(t, path, url.Values{"to": {"client"}}); res.Status != http.StatusSeeOther {
		t.Errorf("converting again: %d, want the same answer", res.Status)
	}
}

// TestNewOpportunityFromContact: the contact's page opens an opportunity
// for it with the amount as typed (Spanish separators) and goes to the
// opportunity's page; refused, the contact's page shows the errors next
// to the fields.
func TestNewOpportunityFromContact(t *testing.T) {
	w := newPeople(t)
	c := w.env.SignIn(t, w.ana)
	path := "/app/contacts/" + w.contact.ID + "/opportunities"
	res := c.PostForm(t, path, url.Values{"description": {"Tienda online"}, "interestId": {w.interest.ID}, "approxAmount": {"3.500,50"}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/app/opportunities/") {
		t.Fatalf("creating: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	o, err := w.env.Svc.GetOpportunity(t.Context(), strings.TrimPrefix(res.Location(), "/app/opportunities/"))
	if err != nil {
		t.Fatal(err)
	}
	if o.ContactID != w.contact.ID || o.Description != "Tienda online" || o.ApproxAmountCents != 350050 || o.InterestID != w.interest.ID ||
		o.AgentID != w.agent.ID || o.SourceID != w.source.ID || o.CreatedBy != w.ana.ID {
		t.Errorf("created %+v", o)
	}
	if !strings.Contains(w.page(t, c), `href="/app/opportunities/`+o.ID+`"`) {
		t.Errorf("the contact's page does not list its new opportunity")
	}
	for name, tc := range map[string]struct {
		form url.Values
		id   string
	}{
		"no description": {url.Values{"description": {""}, "approxAmount": {"10"}}, "opp-description"},
		"a bad amount":   {url.Values{"description": {"Algo"}, "approxAmount": {"diez"}}, "opp-amount"},
	} {
		res := c.PostForm(t, path, tc.form)
		if res.Status != http.StatusBadRequest || errorNextTo(res.Body, tc.id) == "" || !strings.Contains(res.Body, `<details class="new-opportunity" open>`) {
			t.Errorf("%s: %d, error next to #%s %q", name, res.Status, tc.id, errorNextTo(res.Body, tc.id))
		}
	}
	if res := c.PostForm(t, "/app/contacts/01J00000000000000000000000/opportunities", url.Values{"description": {"X"}}); res.Status != http.StatusNotFound {
		t.Errorf("for an unknown contact: %d, want 404", res.Status)
	}
	ps, err := w.env.Svc.ListOpportunities(t.Context(), crm.OpportunityFilter{ContactID: w.contact.ID}, crm.ListOptions{})
	if err != nil || len(ps.Items) != 1 {
		t.Errorf("opportunities after one creation and refused ones: %d %v", len(ps.Items), err)
	}
}

// TestContactsInEnglish: a user whose language is English reads the list
// and a contact's page in English.
func TestContactsInEnglish(t *testing.T) {
	w := newPeople(t)
	u, err := w.env.Svc.CreateUser(t.Context(), crm.User{Name: "Jane", Email: "jane@example.com", Role: crm.RoleStaff, Active: true, Lang: crm.LangEN})
	if err != nil {
		t.Fatal(err)
	}
	c := w.env.SignIn(t, u)
	for path, want := range map[string][]string{
		"/app/contacts":                 {"New contact", "Name, surname or company", "Leads (not converted)"},
		"/app/contacts/" + w.contact.ID: {"Convert into a client", "Notes", "Timeline", "Add note"},
		"/app/contacts/new":             {"Create contact", "Postal code"},
	} {
		body := c.Get(t, path).Body
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("%s in English lacks %q", path, s)
			}
		}
	}
}
