package crm_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// A page holds 1 to 200 items, 50 by default (docs/api.md): both ends are
// accepted as asked, one past either is invalid, naming limit.
func TestListLimitBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ limit, want int }{{0, 50}, {1, 1}, {200, 200}} {
		o := crm.ListOptions{Limit: tc.limit}
		if err := o.Normalize(); err != nil || o.Limit != tc.want {
			t.Errorf("limit %d: %d, %v; want %d", tc.limit, o.Limit, err, tc.want)
		}
	}
	for _, limit := range []int{-1, 201} {
		o := crm.ListOptions{Limit: limit}
		if e, ok := errors.AsType[*crm.Error](o.Normalize()); !ok || e.Code != crm.CodeInvalid || e.Fields["limit"] == "" {
			t.Errorf("limit %d: %v, want invalid limit", limit, e)
		}
	}
}

// A user's missing e-mail and a bad one are told apart in the error the
// API returns for the field.
func TestUserEmailMessages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ email, want string }{
		{"", "is required"},
		{"ana.example.com", "is not a valid e-mail address"},
	} {
		u := crm.User{Name: "Ana", Email: tc.email, Role: crm.RoleStaff}
		e, ok := errors.AsType[*crm.Error](u.Normalize())
		if !ok || e.Code != crm.CodeInvalid || e.Fields["email"] != tc.want {
			t.Errorf("e-mail %q: %v, want email %q", tc.email, e, tc.want)
		}
	}
	u := crm.User{Name: "Ana", Email: " Ana@Example.COM ", Role: crm.RoleStaff}
	if err := u.Normalize(); err != nil || u.Email != "ana@example.com" {
		t.Errorf("a good e-mail: %q, %v", u.Email, err)
	}
}

// A token's kept prefix is its first 8 characters from 32 characters on
// (every secret Embudo makes), and nothing of a shorter secret.
func TestTokenPrefixFrom32Characters(t *testing.T) {
	t.Parallel()
	s32 := "emb_" + strings.Repeat("a", 28)
	if got := crm.TokenPrefix(s32); got != "emb_aaaa" {
		t.Errorf("prefix of a 32-character secret: %q, want emb_aaaa", got)
	}
	if got := crm.TokenPrefix(s32[:31]); got != "" {
		t.Errorf("prefix of a 31-character secret: %q, want none", got)
	}
	secret, err := crm.NewTokenSecret()
	if err != nil {
		t.Fatal(err)
	}
	if got := crm.TokenPrefix(secret); got != secret[:8] {
		t.Errorf("prefix of a new secret %q: %q", secret, got)
	}
}

// A webhook maps at most 100 form fields and accepts at most 20 origins,
// as its errors say: exactly that many are accepted, one more is not.
func TestWebhookMapAndOriginsAtTheirEdges(t *testing.T) {
	t.Parallel()
	hook := func(fields, origins int) crm.Webhook {
		w := crm.Webhook{Kind: crm.FormatForm, FieldMap: map[string]string{}}
		for i := range fields {
			w.FieldMap[fmt.Sprint("campo", i)] = "name"
		}
		for i := range origins {
			w.AllowedOrigins = append(w.AllowedOrigins, fmt.Sprintf("https://www%d.example.com", i))
		}
		return w
	}
	for _, tc := range []struct {
		fields, origins int
		bad             string // the field named invalid, "" for none
	}{
		{100, 20, ""},
		{101, 20, "webhook.fieldMap"},
		{100, 21, "webhook.allowedOrigins"},
	} {
		w := hook(tc.fields, tc.origins)
		err := w.Normalize()
		e, _ := errors.AsType[*crm.Error](err)
		switch {
		case tc.bad == "" && err != nil:
			t.Errorf("%d fields, %d origins: %v", tc.fields, tc.origins, err)
		case tc.bad != "" && (e == nil || e.Fields[tc.bad] == ""):
			t.Errorf("%d fields, %d origins: %v, want %s invalid", tc.fields, tc.origins, err, tc.bad)
		}
	}
}
