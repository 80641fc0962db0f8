package storetest

import (
	"fmt"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

var userTests = []test{
	{"UserLifecycle", testUserLifecycle},
	{"EmailBelongsToOneUser", testUserEmailUnique},
	{"AgentMustExist", testUserAgentRef},
	{"TokensFindTheirUser", testTokens},
	{"HasAdminOnceAnActiveAdminIsWritten", testHasAdmin},
	{"FirstAdminIsCreatedOnceUnlessForced", testCreateAdmin},
}

// testUserLifecycle: every field kept, oldest first in pages, updates
// guarded by version, an unknown user not_found.
func testUserLifecycle(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	ag := f.agent("A1")
	var made []crm.User
	for i := range 5 {
		made = append(made, f.user(crm.User{Name: fmt.Sprintf("Usuario %d", i), Email: fmt.Sprintf("u%d@example.com", i),
			Role: crm.RoleStaff, AgentID: ag.ID, Active: true, Lang: crm.LangEN}))
	}
	same(t, "created user", must(st.GetUser(ctx, made[2].ID))(t), made[2])
	walk(t, "users oldest first", userID, ids(made, userID), func(o crm.ListOptions) (crm.Page[crm.User], error) {
		return st.ListUsers(ctx, o)
	})
	u := made[0]
	next := u
	next.Name, next.Role, next.AgentID, next.Active, next.Lang = "Otro", crm.RoleAdmin, "", false, crm.LangES
	bumped(&next.Version, &next.UpdatedAt)
	noErr(t, st.UpdateUser(ctx, u, next))
	same(t, "updated user", must(st.GetUser(ctx, u.ID))(t), next)
	wantCode(t, st.UpdateUser(ctx, u, next), crm.CodePreconditionFailed)
	missing := crm.User{ID: newID(), Name: "Nadie", Email: "nadie@example.com", Version: 1}
	wantCode(t, st.UpdateUser(ctx, missing, missing), crm.CodeNotFound)
	_, err := st.GetUser(ctx, missing.ID)
	wantCode(t, err, crm.CodeNotFound)
}

// testUserEmailUnique: an e-mail names one user; changing it frees it.
func testUserEmailUnique(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	ana := f.user(crm.User{Email: "ana@example.com"})
	bea := f.user(crm.User{Email: "bea@example.com"})
	dup := crm.User{ID: newID(), Name: "Otra", Email: "ana@example.com", Role: crm.RoleStaff, Version: 1}
	wantTaken(t, st.CreateUser(ctx, dup), "email", ana.ID)
	next := bea
	next.Email = ana.Email
	bumped(&next.Version, &next.UpdatedAt)
	wantTaken(t, st.UpdateUser(ctx, bea, next), "email", ana.ID)
	next.Email = "beatriz@example.com"
	noErr(t, st.UpdateUser(ctx, bea, next))
	f.user(crm.User{Email: "bea@example.com"})
}

// testUserAgentRef: the agent a user is linked to must exist.
func testUserAgentRef(t *testing.T, st crm.Store) {
	ctx := t.Context()
	u := crm.User{ID: newID(), Name: "Ana", Email: "ana@example.com", Role: crm.RoleStaff, AgentID: newID(), Version: 1}
	wantField(t, st.CreateUser(ctx, u), crm.CodeInvalid, "agentId")
	_, err := st.GetUser(ctx, u.ID)
	wantCode(t, err, crm.CodeNotFound)
}

// testTokens: a token's hash finds its user as the user is now; a hash is
// one token; a token needs a user.
func testTokens(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	u := f.user(crm.User{Email: "ana@example.com", Active: true})
	h := crm.HashToken("emb_secret")
	noErr(t, st.CreateToken(ctx, crm.Token{Hash: h, UserID: u.ID, Name: "portátil", CreatedAt: now()}))
	same(t, "user of the token", must(st.UserByTokenHash(ctx, h))(t), u)
	next := u
	next.Active = false
	bumped(&next.Version, &next.UpdatedAt)
	noErr(t, st.UpdateUser(ctx, u, next))
	same(t, "user of the token after a change", must(st.UserByTokenHash(ctx, h))(t), next)

	wantCode(t, st.CreateToken(ctx, crm.Token{Hash: h, UserID: u.ID, CreatedAt: now()}), crm.CodeConflict)
	_, err := st.UserByTokenHash(ctx, crm.HashToken("emb_unknown"))
	wantCode(t, err, crm.CodeNotFound)
	orphan := crm.HashToken("emb_orphan")
	wantCode(t, st.CreateToken(ctx, crm.Token{Hash: orphan, UserID: newID(), CreatedAt: now()}), crm.CodeNotFound)
	_, err = st.UserByTokenHash(ctx, orphan)
	wantCode(t, err, crm.CodeNotFound)
}

// testHasAdmin: an installation has an admin once an active admin user is
// written, by create or update; staff and inactive admins do not count.
func testHasAdmin(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	hasAdmin := func(want bool) {
		t.Helper()
		if got := must(st.HasAdmin(ctx))(t); got != want {
			t.Fatalf("HasAdmin = %v, want %v", got, want)
		}
	}
	hasAdmin(false)
	f.user(crm.User{Email: "staff@example.com", Role: crm.RoleStaff, Active: true})
	f.user(crm.User{Email: "inactive@example.com", Role: crm.RoleAdmin, Active: false})
	hasAdmin(false)
	u := f.user(crm.User{Email: "ana@example.com", Role: crm.RoleStaff, Active: true})
	next := u
	next.Role = crm.RoleAdmin
	bumped(&next.Version, &next.UpdatedAt)
	noErr(t, st.UpdateUser(ctx, u, next))
	hasAdmin(true)
}

// testCreateAdmin: the first admin and its token are written together,
// once; a second needs force; a refused one writes nothing.
func testCreateAdmin(t *testing.T, st crm.Store) {
	ctx := t.Context()
	admin := func(email string) (crm.User, crm.Token) {
		u := crm.User{Name: "Admin", Email: email, Role: crm.RoleAdmin, Active: true, Lang: crm.LangES}
		stamp(&u.ID, &u.CreatedAt, &u.UpdatedAt, &u.Version)
		return u, crm.Token{Hash: crm.HashToken("emb_" + u.ID), UserID: u.ID, Name: "bootstrap", CreatedAt: now()}
	}
	u1, t1 := admin("admin@example.com")
	noErr(t, st.CreateAdmin(ctx, u1, t1, false))
	if !must(st.HasAdmin(ctx))(t) {
		t.Fatal("no admin after CreateAdmin")
	}
	same(t, "admin of the token", must(st.UserByTokenHash(ctx, t1.Hash))(t), u1)

	u2, t2 := admin("second@example.com")
	wantCode(t, st.CreateAdmin(ctx, u2, t2, false), crm.CodeConflict)
	_, err := st.GetUser(ctx, u2.ID)
	wantCode(t, err, crm.CodeNotFound)
	_, err = st.UserByTokenHash(ctx, t2.Hash)
	wantCode(t, err, crm.CodeNotFound)

	u3, t3 := admin("admin@example.com")
	wantTaken(t, st.CreateAdmin(ctx, u3, t3, true), "email", u1.ID)
	noErr(t, st.CreateAdmin(ctx, u2, t2, true))
	same(t, "forced admin of the token", must(st.UserByTokenHash(ctx, t2.Hash))(t), u2)
}
