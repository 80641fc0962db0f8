package webapp

import (
	"net/http"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"GET /app/admin/notifications", adminOnly, (*app).notifications},
		route{"POST /app/admin/notifications/{key}", adminOnly, (*app).updateNotification},
	)
}

// notificationForm is one of the six notification settings as its form
// shows it: on or off, and the subject and text that replace the built-in
// ones in each language (empty: the built-in one).
type notificationForm struct {
	Key     string
	On      bool
	ES, EN  crm.TemplateOverride
	Version int
	Errors  map[string]string // by the domain's field name (overrides.es.subject)
	Problem string            // a catalog key
}

// notificationsView is the notifications page.
type notificationsView struct {
	Settings []notificationForm
	Saved    string // the key just saved
}

// notificationFormOf is the form of a stored setting.
func notificationFormOf(s crm.NotificationSetting) notificationForm {
	return notificationForm{Key: s.Key, On: s.Enabled, ES: s.Overrides[crm.LangES], EN: s.Overrides[crm.LangEN], Version: s.Version}
}

// notifications shows a form for each of the six notifications, in the
// domain's order.
func (a *app) notifications(w http.ResponseWriter, r *http.Request, p *Page) {
	a.showNotifications(w, r, p, http.StatusOK, notificationsView{Saved: r.URL.Query().Get("saved")}, nil)
}

// showNotifications reads the settings and renders them with status; the
// form of failed (if any) replaces its stored values, with its errors.
func (a *app) showNotifications(w http.ResponseWriter, r *http.Request, p *Page, status int, v notificationsView, failed *notificationForm) {
	p.Nav = "admin"
	all, err := a.svc.ListNotificationSettings(r.Context())
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	for _, s := range all {
		f := notificationFormOf(s)
		if failed != nil && failed.Key == s.Key {
			f = *failed
		}
		v.Settings = append(v.Settings, f)
	}
	if !crm.IsNotificationKey(v.Saved) {
		v.Saved = ""
	}
	a.render(w, r, p, status, "admin_notifications", v)
}

// updateNotification saves one notification's form and goes back to the
// page, at that notification.
func (a *app) updateNotification(w http.ResponseWriter, r *http.Request, p *Page) {
	f := notificationForm{Key: r.PathValue("key"), On: formTicked(r, "enabled"), Version: formVersion(r),
		ES: crm.TemplateOverride{Subject: r.PostFormValue("esSubject"), Body: r.PostFormValue("esBody")},
		EN: crm.TemplateOverride{Subject: r.PostFormValue("enSubject"), Body: r.PostFormValue("enBody")}}
	_, err := a.svc.UpdateNotificationSetting(r.Context(), f.Key, f.Version, func(s *crm.NotificationSetting) error {
		s.Enabled = f.On
		s.Overrides = map[string]crm.TemplateOverride{crm.LangES: f.ES, crm.LangEN: f.EN}
		return nil
	})
	if err != nil {
		af, status, ok := formFailure(p, err, "enabled")
		if !ok || crm.ErrorCode(err) == crm.CodeNotFound {
			a.fail(w, r, p, err)
			return
		}
		f.Errors, f.Problem = af.Errors, af.Problem
		a.showNotifications(w, r, p, status, notificationsView{}, &f)
		return
	}
	http.Redirect(w, r, "/app/admin/notifications?saved="+f.Key+"#"+f.Key, http.StatusSeeOther)
}
