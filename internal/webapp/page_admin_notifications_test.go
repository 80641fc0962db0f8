package webapp_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// setting reads one notification setting.
func setting(t *testing.T, env *webtest.Env, key string) crm.NotificationSetting {
	t.Helper()
	all, err := env.Svc.ListNotificationSettings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Key == key {
			return s
		}
	}
	t.Fatalf("no setting %s", key)
	return crm.NotificationSetting{}
}

// TestNotificationSettings: the page has a form for each of the six
// notifications, named for people; one is turned off and given its own
// Spanish subject and English text, which are stored and shown again; a
// subject over the domain's limit is shown next to its field and stores
// nothing; a form of an older version is refused.
func TestNotificationSettings(t *testing.T) {
	env := webtest.New(t)
	c := env.SignIn(t, env.Admin)
	page := c.Get(t, "/app/admin/notifications").Body
	for _, k := range crm.NotificationKeys() {
		if !strings.Contains(page, `data-notification="`+k+`"`) {
			t.Errorf("no form for %s", k)
		}
	}
	if !strings.Contains(page, "Nota nueva en una oportunidad") || !strings.Contains(page, "{contact}") {
		t.Error("the page does not name the notifications or their placeholders")
	}
	key := crm.NotifyNewOpportunityNote
	v := setting(t, env, key).Version
	form := url.Values{"version": {strconv.Itoa(v)}, "esSubject": {"Nota de {actor} en {opportunity}"}, "esBody": {""},
		"enSubject": {""}, "enBody": {"{actor} wrote on {opportunity}:\n{note}"}}
	res := c.PostForm(t, "/app/admin/notifications/"+key, form)
	if res.Status != http.StatusSeeOther || res.Location() != "/app/admin/notifications?saved="+key+"#"+key {
		t.Fatalf("save: %d to %q: %s", res.Status, res.Location(), res.Body)
	}
	s := setting(t, env, key)
	if s.Enabled || s.Overrides["es"].Subject != "Nota de {actor} en {opportunity}" || s.Overrides["en"].Body != "{actor} wrote on {opportunity}:\n{note}" ||
		s.Overrides["es"].Body != "" || len(s.Overrides) != 2 {
		t.Fatalf("stored %+v", s)
	}
	page = c.Get(t, res.Location()).Body
	if !strings.Contains(page, "Nota de {actor} en {opportunity}") || strings.Contains(page, `id="`+key+`-on" name="enabled" type="checkbox" value="1" checked`) {
		t.Error("the page does not show the saved subject, or shows the notification on")
	}

	form = url.Values{"version": {strconv.Itoa(s.Version)}, "enabled": {"1"}, "esSubject": {strings.Repeat("x", 201)}}
	res = c.PostForm(t, "/app/admin/notifications/"+key, form)
	if res.Status != http.StatusBadRequest || !fieldErrorAt(res.Body, `id="`+key+`-es-subject"`) {
		t.Errorf("a subject too long: %d, or no error at it", res.Status)
	}
	if setting(t, env, key).Version != s.Version {
		t.Error("a refused form was stored")
	}
	form = url.Values{"version": {strconv.Itoa(v)}, "enabled": {"1"}}
	if res := c.PostForm(t, "/app/admin/notifications/"+key, form); res.Status != http.StatusPreconditionFailed {
		t.Errorf("a stale form: %d, want 412", res.Status)
	}
	if res := c.PostForm(t, "/app/admin/notifications/no-such-thing", form); res.Status != http.StatusNotFound {
		t.Errorf("an unknown notification: %d, want 404", res.Status)
	}
}
