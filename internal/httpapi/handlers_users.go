package httpapi

import (
	"context"
	"net/http"

	"github.com/embudo/embudo/internal/crm"
)

var userRes = resource[crm.User, userFields, userResponse]{
	path: "/v1/users", defaults: func() crm.User { return crm.User{Active: true, Role: crm.RoleStaff} },
	fields: userFieldsOf, apply: func(f userFields, v *crm.User) { f.applyTo(v) },
	response: userToResponse, id: func(v crm.User) string { return v.ID }, version: func(v crm.User) int { return v.Version },
}

var settingRes = resource[crm.NotificationSetting, settingFields, settingResponse]{
	path: "/v1/notification-settings", defaults: func() crm.NotificationSetting { return crm.NotificationSetting{} },
	fields: settingFieldsOf, apply: func(f settingFields, v *crm.NotificationSetting) { f.applyTo(v) },
	response: settingToResponse, id: func(v crm.NotificationSetting) string { return v.Key },
	version: func(v crm.NotificationSetting) int { return v.Version },
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return userRes.create(w, r, a.svc.CreateUser)
}
func (a *API) getUser(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return userRes.get(w, r, a.svc.GetUser)
}

// patchUser changes a user; a change of role or active flag holds from
// the user's next request on this instance (forgetUser).
func (a *API) patchUser(w http.ResponseWriter, r *http.Request, u crm.User) error {
	return userRes.patch(w, r, func(ctx context.Context, id string, m int, change func(*crm.User) error) (crm.User, error) {
		next, err := a.svc.UpdateUser(ctx, u, id, m, change)
		a.forgetUser(id)
		return next, err
	})
}

// deleteUser deactivates the user: their history stays, their tokens stop,
// from their next request on this instance.
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, u crm.User) error {
	return userRes.remove(w, r, func(ctx context.Context, id string, m int) error {
		_, err := a.svc.DeactivateUser(ctx, u, id, m)
		a.forgetUser(id)
		return err
	})
}
func (a *API) listUsers(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	o, err := listOptions(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.svc.ListUsers(r.Context(), o)
	if err != nil {
		return err
	}
	userRes.list(w, p)
	return nil
}

func (a *API) listSettings(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	if _, err := listOptions(r.URL.Query()); err != nil {
		return err
	}
	all, err := a.svc.ListNotificationSettings(r.Context())
	if err != nil {
		return err
	}
	settingRes.list(w, crm.Page[crm.NotificationSetting]{Items: all})
	return nil
}

func (a *API) getSetting(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return settingRes.get(w, r, func(ctx context.Context, key string) (crm.NotificationSetting, error) {
		all, err := a.svc.ListNotificationSettings(ctx)
		if err != nil {
			return crm.NotificationSetting{}, err
		}
		for _, s := range all {
			if s.Key == key {
				return s, nil
			}
		}
		return crm.NotificationSetting{}, crm.NotFound("notification setting")
	})
}

func (a *API) patchSetting(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	return settingRes.patch(w, r, a.svc.UpdateNotificationSetting)
}
