package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

func TestCreateAndGetContact(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	staff := e.staffUser()
	res := e.staff_(http.MethodPost, "/v1/contacts", map[string]any{
		"name": " José ", "surname": "Pérez", "email": " Jose.Perez@Example.COM ", "phone": "+34 600 12 34 56",
		"address":     map[string]any{"city": "Madrid", "country": "es"},
		"attribution": map[string]any{"utmSource": "google", "gclid": "abc"},
	})
	wantStatus(t, res, http.StatusCreated)
	c := res.json(t)
	cid := id(c)
	if !crm.ValidID(cid) {
		t.Fatalf("id %q is not an ID", cid)
	}
	if loc := res.Header.Get("Location"); loc != "/v1/contacts/"+cid {
		t.Errorf("Location %q, want /v1/contacts/%s", loc, cid)
	}
	if et := res.Header.Get("ETag"); et != `"1"` {
		t.Errorf("ETag %q, want \"1\"", et)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	want := map[string]any{
		"name": "José", "surname": "Pérez", "email": "jose.perez@example.com", "phone": "+34600123456",
		"createdBy": staff.ID, "version": float64(1), "lang": "es",
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %v, want %v", k, c[k], v)
		}
	}
	if a, _ := c["address"].(map[string]any); a["city"] != "Madrid" || a["country"] != "ES" {
		t.Errorf("address %v", c["address"])
	}
	if a, _ := c["attribution"].(map[string]any); a["utmSource"] != "google" || a["gclid"] != "abc" {
		t.Errorf("attribution %v", c["attribution"])
	}

	got := e.staff_(http.MethodGet, res.Header.Get("Location"), nil)
	wantStatus(t, got, http.StatusOK)
	if string(got.Body) != string(res.Body) {
		t.Errorf("GET differs from the created contact:\n%s\n%s", got.Body, res.Body)
	}
	if et := got.Header.Get("ETag"); et != `"1"` {
		t.Errorf("GET ETag %q", et)
	}
	// Admins see it too: contacts are the team's.
	wantStatus(t, e.admin_(http.MethodGet, "/v1/contacts/"+cid, nil), http.StatusOK)
}

func TestListContactsNewestFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, n := range []string{"Primero", "Segundo", "Tercero"} {
		e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": n})
	}
	res := e.staff_(http.MethodGet, "/v1/contacts", nil)
	wantStatus(t, res, http.StatusOK)
	items := e.listAll(e.staffToken, "/v1/contacts")
	if got := names(items); !slices.Equal(got, []string{"Tercero", "Segundo", "Primero"}) {
		t.Errorf("list order %v, want newest first", got)
	}
	if _, ok := res.json(t)["nextCursor"]; ok {
		t.Errorf("a complete list has a nextCursor: %s", res.Body)
	}
}

// contactWorld is a set of contacts with every kind of reference.
type contactWorld struct {
	s1, s2, a1, a2, i1, i2 string
	byName                 map[string]string // contact name -> ID
}

func newContactWorld(t *testing.T, e *env) contactWorld {
	t.Helper()
	w := contactWorld{
		s1: id(e.created("/v1/sources", map[string]any{"name": "Google Ads"})),
		s2: id(e.created("/v1/sources", map[string]any{"name": "Feria"})),
		a1: id(e.created("/v1/agents", map[string]any{"code": "A1", "name": "Agente Uno"})),
		a2: id(e.created("/v1/agents", map[string]any{"code": "A2", "name": "Agente Dos"})),
		i1: id(e.created("/v1/interests", map[string]any{"name": "Fibra"})),
		i2: id(e.created("/v1/interests", map[string]any{"name": "Móvil"})),
	}
	w.byName = map[string]string{}
	for _, c := range []map[string]any{
		{"name": "José", "surname": "Pérez", "email": "jose@example.com", "phone": "+34 600 12 34 56",
			"sourceId": w.s1, "agentId": w.a1, "interestIds": []string{w.i1}},
		{"name": "Josefa", "surname": "Ruiz", "sourceId": w.s1, "agentId": w.a2, "interestIds": []string{w.i1, w.i2}},
		{"name": "María José", "surname": "López", "mobile": "611 22 33 44", "sourceId": w.s2, "interestIds": []string{w.i2}},
		{"name": "Ana", "surname": "Sin Nada"},
	} {
		m := e.createdAs(e.staffToken, "/v1/contacts", c)
		w.byName[c["name"].(string)] = id(m)
	}
	// A contact that has become a client (conversion is not an API yet).
	cl, err := e.svc.CreateContact(context.Background(), e.admin, crm.Contact{Name: "Cliente", Surname: "Convertido", ClientID: unknownID()})
	if err != nil {
		t.Fatal(err)
	}
	w.byName["Cliente"] = cl.ID
	return w
}

func TestListContactsFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := newContactWorld(t, e)
	q := url.QueryEscape
	cases := []struct {
		query string
		want  []string // names, newest first
	}{
		{"q=jose", []string{"María José", "Josefa", "José"}}, // the start of any word
		{"q=JOSÉ", []string{"María José", "Josefa", "José"}},
		{"q=" + q("jose p"), []string{"José"}},
		{"q=" + q("  José   PÉREZ "), []string{"José"}},
		{"q=maria", []string{"María José"}},
		{"q=perez", []string{"José"}},                   // the surname
		{"q=" + q("lópez mar"), []string{"María José"}}, // each word starts one of the contact's
		{"q=" + q("ruiz jose"), []string{"Josefa"}},
		{"q=erez", nil}, // inside a word
		{"email=" + q("JOSE@Example.com"), []string{"José"}},
		{"email=" + q("nobody@example.com"), nil},
		{"phone=" + q("+34 600 12 34 56"), []string{"José"}},
		{"phone=600123456", []string{"José"}},
		{"phone=0034600123456", []string{"José"}},
		{"phone=" + q("600-12-34-56"), []string{"José"}},
		{"phone=" + q("+34611223344"), []string{"María José"}}, // mobile
		{"phone=699999999", nil},
		{"sourceId={s1}", []string{"Josefa", "José"}},
		{"sourceId={s2}", []string{"María José"}},
		{"agentId={a1}", []string{"José"}},
		{"agentId={a2}", []string{"Josefa"}},
		{"interestId={i1}", []string{"Josefa", "José"}},
		{"interestId={i2}", []string{"María José", "Josefa"}},
		{"kind=none", []string{"Ana", "María José", "Josefa", "José"}},
		{"kind=client", []string{"Cliente"}},
		{"kind=supplier", nil},
		{"sourceId={s1}&agentId={a2}", []string{"Josefa"}},
		{"interestId={i2}&q=jose", []string{"María José", "Josefa"}},
		{"q=jose&email=jose@example.com", []string{"José"}},
		{"sourceId={s2}&kind=client", nil},
		{"sourceId={unknown}", nil},
		{"", []string{"Cliente", "Ana", "María José", "Josefa", "José"}},
	}
	ref := strings.NewReplacer("{s1}", w.s1, "{s2}", w.s2, "{a1}", w.a1, "{a2}", w.a2, "{i1}", w.i1, "{i2}", w.i2, "{unknown}", unknownID())
	for _, c := range cases {
		name := c.query
		if name == "" {
			name = "no filter"
		}
		t.Run(name, func(t *testing.T) {
			items := e.listAll(e.staffToken, "/v1/contacts?"+ref.Replace(c.query))
			got := names(items)
			// The name search lists by the word found; every other list newest first.
			if q, _ := url.ParseQuery(c.query); q.Get("q") == "" && !slices.IsSortedFunc(ids(items), func(a, b string) int { return -compare(a, b) }) {
				t.Errorf("not newest first: %v", got)
			}
			want := c.want
			if want == nil {
				want = []string{}
			}
			if got == nil {
				got = []string{}
			}
			slices.Sort(got)
			want = slices.Clone(want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestListContactsPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var created []string
	for i := range 11 {
		c := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Página " + string(rune('A'+i))})
		created = append(created, id(c))
	}
	for _, query := range []string{"limit=3", "limit=1", "limit=11", "limit=200", "limit=4&q=pagina", "limit=2&kind=none"} {
		t.Run(query, func(t *testing.T) {
			seen := map[string]int{}
			var order []string
			cursor := ""
			pages := 0
			for {
				p := "/v1/contacts?" + query
				if cursor != "" {
					p += "&cursor=" + url.QueryEscape(cursor)
				}
				res := e.staff_(http.MethodGet, p, nil)
				wantStatus(t, res, http.StatusOK)
				var page struct {
					Items []struct {
						ID string `json:"id"`
					} `json:"items"`
					NextCursor string `json:"nextCursor"`
				}
				mustUnmarshal(t, res.Body, &page)
				q, _ := url.ParseQuery(query)
				if limit := atoi(q.Get("limit")); len(page.Items) > limit {
					t.Fatalf("page of %d items with limit %d", len(page.Items), limit)
				}
				if pages == 0 && len(page.Items) == 0 {
					t.Fatal("first page is empty")
				}
				for _, it := range page.Items {
					seen[it.ID]++
					order = append(order, it.ID)
				}
				pages++
				if page.NextCursor == "" {
					break
				}
				if pages > len(created)+2 {
					t.Fatal("the cursor never ends")
				}
				cursor = page.NextCursor
			}
			for _, cid := range created {
				if seen[cid] != 1 {
					t.Errorf("contact %s seen %d times", cid, seen[cid])
				}
			}
			if len(seen) != len(created) {
				t.Errorf("saw %d contacts, created %d", len(seen), len(created))
			}
			if q, _ := url.ParseQuery(query); q.Get("q") == "" {
				want := slices.Clone(created)
				slices.Reverse(want)
				if !slices.Equal(order, want) {
					t.Errorf("pages are not newest first across pages")
				}
			}
		})
	}
}

func TestPatchContactWithIfMatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana", "company": "Old"})
	path := "/v1/contacts/" + id(c)

	res := e.staff_(http.MethodPatch, path, map[string]any{"company": "Acme"}, "If-Match", `"1"`)
	wantStatus(t, res, http.StatusOK)
	if et := res.Header.Get("ETag"); et != `"2"` {
		t.Errorf("ETag after PATCH %q, want \"2\"", et)
	}
	body := res.json(t)
	if body["company"] != "Acme" || body["version"] != float64(2) || body["name"] != "Ana" {
		t.Errorf("patched contact %s", res.Body)
	}
	if body["createdAt"] != c["createdAt"] || body["createdBy"] != c["createdBy"] {
		t.Errorf("PATCH changed createdAt/createdBy: %s", res.Body)
	}

	// A stale ETag changes nothing.
	before := e.snapshot()
	stale := e.staff_(http.MethodPatch, path, map[string]any{"company": "Lost update"}, "If-Match", `"1"`)
	wantProblem(t, stale, http.StatusPreconditionFailed, crm.CodePreconditionFailed)
	e.unchanged(t, before)
	got := e.staff_(http.MethodGet, path, nil)
	if m := got.json(t); m["company"] != "Acme" || got.Header.Get("ETag") != `"2"` {
		t.Errorf("after a stale PATCH: %s (ETag %s)", got.Body, got.Header.Get("ETag"))
	}

	// An ETag this API never issued matches no version.
	for _, tag := range []string{`"0"`, `"99"`} {
		wantProblem(t, e.staff_(http.MethodPatch, path, map[string]any{"company": "Lost update"}, "If-Match", tag), http.StatusPreconditionFailed, crm.CodePreconditionFailed)
		e.unchanged(t, before)
	}

	// A weak form of the current ETag is the same version.
	wantStatus(t, e.staff_(http.MethodPatch, path, map[string]any{"jobTitle": "CEO"}, "If-Match", `W/"2"`), http.StatusOK)

	// Without If-Match the change applies.
	res = e.staff_(http.MethodPatch, path, map[string]any{"company": "Last"})
	wantStatus(t, res, http.StatusOK)
	if res.Header.Get("ETag") != `"4"` || res.json(t)["company"] != "Last" {
		t.Errorf("PATCH without If-Match: %s (ETag %s)", res.Body, res.Header.Get("ETag"))
	}
}

func TestPatchContactClearsFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	src := e.created("/v1/sources", map[string]any{"name": "Feria"})
	c := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{
		"name": "Ana", "company": "Acme", "email": "ana@example.com", "phone": "600123456", "sourceId": id(src),
		"address": map[string]any{"city": "Madrid"},
	})
	path := "/v1/contacts/" + id(c)
	res := e.staff_(http.MethodPatch, path, map[string]any{"company": "", "email": "", "phone": "", "sourceId": "", "address": map[string]any{"city": ""}})
	wantStatus(t, res, http.StatusOK)
	got := e.staff_(http.MethodGet, path, nil).json(t)
	for _, f := range []string{"company", "email", "phone", "sourceId"} {
		if got[f] != "" {
			t.Errorf("%s = %v after clearing", f, got[f])
		}
	}
	if a, _ := got["address"].(map[string]any); a["city"] != "" {
		t.Errorf("address.city = %v after clearing", a["city"])
	}
	if got["name"] != "Ana" {
		t.Errorf("fields not in the PATCH changed: %v", got)
	}
	// The cleared e-mail and phone are free for another contact, and the
	// source is no longer in use.
	e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Otra", "email": "ana@example.com", "phone": "+34600123456"})
	if items := e.listAll(e.staffToken, "/v1/contacts?sourceId="+id(src)); len(items) != 0 {
		t.Errorf("contact still listed under its cleared source")
	}
	wantStatus(t, e.admin_(http.MethodDelete, "/v1/sources/"+id(src), nil), http.StatusNoContent)
}

func TestDeleteContact(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana", "email": "ana@example.com", "phone": "600123456"})
	path := "/v1/contacts/" + id(c)
	wantStatus(t, e.staff_(http.MethodPatch, path, map[string]any{"company": "X"}), http.StatusOK)

	before := e.snapshot()
	wantProblem(t, e.staff_(http.MethodDelete, path, nil, "If-Match", `"1"`), http.StatusPreconditionFailed, crm.CodePreconditionFailed)
	e.unchanged(t, before)

	res := e.staff_(http.MethodDelete, path, nil, "If-Match", `"2"`)
	wantStatus(t, res, http.StatusNoContent)
	if len(res.Body) != 0 {
		t.Errorf("204 with a body: %s", res.Body)
	}
	wantProblem(t, e.staff_(http.MethodGet, path, nil), http.StatusNotFound, crm.CodeNotFound)
	wantProblem(t, e.staff_(http.MethodDelete, path, nil), http.StatusNotFound, crm.CodeNotFound)
	wantProblem(t, e.staff_(http.MethodPatch, path, map[string]any{"company": "Y"}), http.StatusNotFound, crm.CodeNotFound)
	if items := e.listAll(e.staffToken, "/v1/contacts"); len(items) != 0 {
		t.Errorf("deleted contact still listed")
	}
	// Its e-mail and phone are free again.
	e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Nueva", "email": "ANA@example.com", "phone": "0034600123456"})
}

func TestDuplicateContacts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Primera", "email": "ana@example.com", "phone": "+34 600 12 34 56"})
	other := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Otra"})
	cases := []struct {
		name   string
		method string
		path   string
		body   map[string]any
		field  string
	}{
		{"e-mail in another case", http.MethodPost, "/v1/contacts", map[string]any{"name": "Dup", "email": " ANA@Example.com"}, "email"},
		{"phone in another format", http.MethodPost, "/v1/contacts", map[string]any{"name": "Dup", "phone": "600123456"}, "phone"},
		{"phone with 00 prefix", http.MethodPost, "/v1/contacts", map[string]any{"name": "Dup", "phone": "0034600123456"}, "phone"},
		{"mobile that is their phone", http.MethodPost, "/v1/contacts", map[string]any{"name": "Dup", "mobile": "600 12 34 56"}, "mobile"},
		{"PATCH to their e-mail", http.MethodPatch, "/v1/contacts/" + id(other), map[string]any{"email": "Ana@example.com"}, "email"},
		{"PATCH to their phone", http.MethodPatch, "/v1/contacts/" + id(other), map[string]any{"phone": "+34600123456"}, "phone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot()
			p := wantProblem(t, e.staff_(c.method, c.path, c.body), http.StatusConflict, crm.CodeConflict, c.field)
			if p.ExistingID != id(first) {
				t.Errorf("existingId %q, want the first contact %q", p.ExistingID, id(first))
			}
			e.unchanged(t, before)
		})
	}
	// The contact itself may keep (or re-send) its own e-mail and phone.
	wantStatus(t, e.staff_(http.MethodPatch, "/v1/contacts/"+id(first), map[string]any{"email": "ANA@example.com", "phone": "600123456"}), http.StatusOK)
}

func TestPatchContactMovesItBetweenFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := newContactWorld(t, e)
	jose := w.byName["José"]
	res := e.staff_(http.MethodPatch, "/v1/contacts/"+jose, map[string]any{
		"name": "Pepe", "sourceId": w.s2, "agentId": w.a2, "interestIds": []string{w.i2}, "email": "pepe@example.com", "phone": "699 00 00 00",
	})
	wantStatus(t, res, http.StatusOK)
	cases := []struct {
		query string
		in    bool
	}{
		{"sourceId=" + w.s1, false}, {"sourceId=" + w.s2, true},
		{"agentId=" + w.a1, false}, {"agentId=" + w.a2, true},
		{"interestId=" + w.i1, false}, {"interestId=" + w.i2, true},
		{"q=jose+perez", false}, {"q=pepe", true},
		{"email=jose@example.com", false}, {"email=pepe@example.com", true},
		{"phone=600123456", false}, {"phone=699000000", true},
	}
	for _, c := range cases {
		if got := slices.Contains(ids(e.listAll(e.staffToken, "/v1/contacts?"+c.query)), jose); got != c.in {
			t.Errorf("%s: listed %v, want %v", c.query, got, c.in)
		}
	}
}

func TestPatchContactInterestsMovesTheLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := id(e.created("/v1/interests", map[string]any{"name": "Antes"}))
	b := id(e.created("/v1/interests", map[string]any{"name": "Después"}))
	c := id(e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Ana", "interestIds": []string{a}}))

	res := e.staff_(http.MethodPatch, "/v1/contacts/"+c, map[string]any{"interestIds": []string{b}})
	wantStatus(t, res, http.StatusOK)
	if got := e.staff_(http.MethodGet, "/v1/contacts/"+c, nil).json(t)["interestIds"]; !slices.Equal(anyStrings(got), []string{b}) {
		t.Fatalf("interestIds %v, want [%s]", got, b)
	}
	if got := ids(e.listAll(e.staffToken, "/v1/contacts?interestId="+b)); !slices.Equal(got, []string{c}) {
		t.Errorf("interestId=new lists %v, want the contact", got)
	}
	if got := ids(e.listAll(e.staffToken, "/v1/contacts?interestId="+a)); len(got) != 0 {
		t.Errorf("interestId=old lists %v", got)
	}
	// The old interest is no longer used; the new one is.
	wantStatus(t, e.admin_(http.MethodDelete, "/v1/interests/"+a, nil), http.StatusNoContent)
	wantProblem(t, e.admin_(http.MethodDelete, "/v1/interests/"+b, nil), http.StatusConflict, crm.CodeConflict)
}

func anyStrings(v any) []string {
	l, _ := v.([]any)
	out := []string{}
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
