package webapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// TestInterests: the list names each interest; a new one is added and
// listed; an empty or taken name is shown next to the field and stores
// nothing; an edit saves, and a form of an older version is refused.
func TestInterests(t *testing.T) {
	env := webtest.New(t)
	ctx := t.Context()
	hosting, err := env.Svc.CreateInterest(ctx, crm.Interest{Name: "Hosting gestionado"})
	if err != nil {
		t.Fatal(err)
	}
	c := env.SignIn(t, env.Admin)
	res := c.PostForm(t, "/app/admin/interests", url.Values{"name": {"Tienda online"}, "observations": {"Con pasarela"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	body := c.Get(t, res.Location()).Body
	for _, s := range []string{"Guardado: Tienda online.", "Hosting gestionado", "Con pasarela", `href="/app/admin/interests/` + hosting.ID + `"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the list lacks %q", s)
		}
	}
	for name, form := range map[string]url.Values{"empty": {"name": {" "}}, "taken": {"name": {"hosting GESTIONADO"}}} {
		res := c.PostForm(t, "/app/admin/interests", form)
		if res.Status != http.StatusBadRequest && res.Status != http.StatusConflict || !fieldErrorAt(res.Body, `id="i-name"`) {
			t.Errorf("%s name: %d, or no error at the name", name, res.Status)
		}
	}
	if l, err := env.Svc.ListInterests(ctx, crm.ListOptions{Limit: 10}); err != nil || len(l.Items) != 2 {
		t.Fatalf("%d interests, want 2 (%v)", len(l.Items), err)
	}

	res = c.PostForm(t, "/app/admin/interests/"+hosting.ID, url.Values{"version": {"1"}, "name": {"Hosting"}, "observations": {""}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.Status, res.Body)
	}
	res = c.PostForm(t, "/app/admin/interests/"+hosting.ID, url.Values{"version": {"1"}, "name": {"Otro"}})
	if res.Status != http.StatusPreconditionFailed {
		t.Errorf("a stale edit: %d, want 412", res.Status)
	}
	if got, _ := env.Svc.GetInterest(ctx, hosting.ID); got.Name != "Hosting" {
		t.Errorf("stored name %q, want Hosting", got.Name)
	}
}
