package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

var userTests = []test{
	{"UserLifecycle", testUserLifecycle},
	{"EmailBelongsToOneUser", testUserEmailUnique},
	{"AgentMustExist", testUserAgentRef},
	{"TokensAreFoundByTheirHash", testTokens},
	{"TokensOfAUserOldestFirst", testListTokens},
	{"DeleteOneTokenOfItsUser", testDeleteToken},
	{"TouchTokenRecordsItsLastUse", testTouchToken},
	{"TokenKindAndExpiryRoundTrip", testTokenKinds},
	{"TakeTokenSucceedsOnce", testTakeToken},
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

// testTokens: a token's hash finds it with every field; a hash is one
// token; a token needs a user.
func testTokens(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	u := f.user(crm.User{Email: "ana@example.com", Active: true})
	tk := crm.Token{Hash: crm.HashToken("emb_secret"), UserID: u.ID, Name: "portátil", Prefix: "emb_secr", CreatedAt: now()}
	noErr(t, st.CreateToken(ctx, tk))
	same(t, "token by its hash", must(st.GetToken(ctx, tk.Hash))(t), tk)

	wantCode(t, st.CreateToken(ctx, crm.Token{Hash: tk.Hash, UserID: u.ID, CreatedAt: now()}), crm.CodeConflict)
	_, err := st.GetToken(ctx, crm.HashToken("emb_unknown"))
	wantCode(t, err, crm.CodeNotFound)
	orphan := crm.HashToken("emb_orphan")
	wantCode(t, st.CreateToken(ctx, crm.Token{Hash: orphan, UserID: newID(), CreatedAt: now()}), crm.CodeNotFound)
	_, err = st.GetToken(ctx, orphan)
	wantCode(t, err, crm.CodeNotFound)
}

// userTokens makes n tokens of u, a millisecond apart, oldest first.
func userTokens(t *testing.T, st crm.Store, u crm.User, n int) []crm.Token {
	t.Helper()
	var out []crm.Token
	at := now()
	for i := range n {
		secret := fmt.Sprintf("emb_%s_%02d_%s", u.ID, i, "0123456789abcdef")
		tk := crm.Token{Hash: crm.HashToken(secret), UserID: u.ID, Name: fmt.Sprintf("t%d", i), Prefix: crm.TokenPrefix(secret),
			CreatedAt: at.Add(time.Duration(i) * time.Millisecond)}
		noErr(t, st.CreateToken(t.Context(), tk))
		out = append(out, tk)
	}
	return out
}

func tokenID(tk crm.Token) string { return tk.ID() }

// testListTokens: a user's tokens, oldest first in pages, and none of
// another user's; an unknown user has none; a cursor is one user's.
func testListTokens(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	ana := f.user(crm.User{Email: "ana@example.com", Active: true})
	bea := f.user(crm.User{Email: "bea@example.com", Active: true})
	anas := userTokens(t, st, ana, 5)
	beas := userTokens(t, st, bea, 3)
	lister := func(u string) func(crm.ListOptions) (crm.Page[crm.Token], error) {
		return func(o crm.ListOptions) (crm.Page[crm.Token], error) { return st.ListTokens(ctx, u, o) }
	}
	walk(t, "ana's tokens", tokenID, ids(anas, tokenID), lister(ana.ID))
	walk(t, "bea's tokens", tokenID, ids(beas, tokenID), lister(bea.ID))
	same(t, "a listed token", must(st.ListTokens(ctx, ana.ID, crm.ListOptions{Limit: 1}))(t).Items[0], anas[0])
	if p := must(st.ListTokens(ctx, newID(), crm.ListOptions{Limit: 10}))(t); len(p.Items) != 0 || p.NextCursor != "" {
		t.Errorf("tokens of an unknown user: %+v", p)
	}
	crossCursors(t, map[string]func(crm.ListOptions) (crm.Page[crm.Token], error){"ana": lister(ana.ID), "bea": lister(bea.ID)})
}

// testDeleteToken: a token is deleted by its user and its ID, once; under
// another user it is not found and stays.
func testDeleteToken(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	ana := f.user(crm.User{Email: "ana@example.com", Active: true})
	bea := f.user(crm.User{Email: "bea@example.com", Active: true})
	anas := userTokens(t, st, ana, 3)
	_, err := st.DeleteToken(ctx, bea.ID, anas[1].ID())
	wantCode(t, err, crm.CodeNotFound)
	same(t, "deleted token", must(st.DeleteToken(ctx, ana.ID, anas[1].ID()))(t), anas[1])
	_, err = st.GetToken(ctx, anas[1].Hash)
	wantCode(t, err, crm.CodeNotFound)
	_, err = st.DeleteToken(ctx, ana.ID, anas[1].ID())
	wantCode(t, err, crm.CodeNotFound)
	walk(t, "ana's tokens after one is deleted", tokenID, []string{anas[0].ID(), anas[2].ID()},
		func(o crm.ListOptions) (crm.Page[crm.Token], error) { return st.ListTokens(ctx, ana.ID, o) })
	same(t, "a token left", must(st.GetToken(ctx, anas[0].Hash))(t), anas[0])
}

// testTouchToken: TouchToken records the last use, which reads and lists
// show; it never makes a deleted token again.
func testTouchToken(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	ana := f.user(crm.User{Email: "ana@example.com", Active: true})
	tks := userTokens(t, st, ana, 2)
	used := tks[0]
	used.LastUsedAt = now().Add(time.Minute)
	noErr(t, st.TouchToken(ctx, used.Hash, used.LastUsedAt))
	same(t, "token after a use", must(st.GetToken(ctx, used.Hash))(t), used)
	same(t, "listed after a use", must(st.ListTokens(ctx, ana.ID, crm.ListOptions{Limit: 10}))(t).Items, []crm.Token{used, tks[1]})
	used.LastUsedAt = used.LastUsedAt.Add(time.Hour)
	noErr(t, st.TouchToken(ctx, used.Hash, used.LastUsedAt))
	same(t, "token after a later use", must(st.GetToken(ctx, used.Hash))(t), used)

	must(st.DeleteToken(ctx, ana.ID, tks[1].ID()))(t)
	wantCode(t, st.TouchToken(ctx, tks[1].Hash, now()), crm.CodeNotFound)
	_, err := st.GetToken(ctx, tks[1].Hash)
	wantCode(t, err, crm.CodeNotFound)
	wantCode(t, st.TouchToken(ctx, crm.HashToken("emb_never"), now()), crm.CodeNotFound)
}

// testTokenKinds: a session's and a sign-in link's kind and expiry are
// kept by create, read, list and touch; an API token reads with the zero
// kind and no expiry.
func testTokenKinds(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	ana := f.user(crm.User{Email: "ana@example.com", Active: true})
	at := now()
	api := crm.Token{Hash: crm.HashToken("emb_api_" + ana.ID), UserID: ana.ID, Name: "script", CreatedAt: at}
	session := crm.Token{Hash: crm.HashToken("embs_" + ana.ID), UserID: ana.ID, Name: "web session", Kind: crm.TokenSession,
		CreatedAt: at.Add(time.Millisecond), LastUsedAt: at.Add(time.Millisecond), ExpiresAt: at.Add(7 * 24 * time.Hour)}
	link := crm.Token{Hash: crm.HashToken("embl_" + ana.ID), UserID: ana.ID, Name: "sign-in link", Kind: crm.TokenSignIn,
		CreatedAt: at.Add(2 * time.Millisecond), ExpiresAt: at.Add(15 * time.Minute)}
	for _, tk := range []crm.Token{api, session, link} {
		noErr(t, st.CreateToken(ctx, tk))
		same(t, "token of kind "+string(tk.Kind), must(st.GetToken(ctx, tk.Hash))(t), tk)
	}
	same(t, "listed tokens of every kind", must(st.ListTokens(ctx, ana.ID, crm.ListOptions{Limit: 10}))(t).Items,
		[]crm.Token{api, session, link})
	session.LastUsedAt = at.Add(time.Hour)
	noErr(t, st.TouchToken(ctx, session.Hash, session.LastUsedAt))
	same(t, "session after a use", must(st.GetToken(ctx, session.Hash))(t), session)
}

// testTakeToken: TakeToken deletes a token by its hash and returns it;
// of many takes of one token at the same time exactly one succeeds (a
// sign-in link is used once), and the others find it gone.
func testTakeToken(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	ana := f.user(crm.User{Email: "ana@example.com", Active: true})
	link := crm.Token{Hash: crm.HashToken("embl_take_" + ana.ID), UserID: ana.ID, Name: "sign-in link", Kind: crm.TokenSignIn,
		CreatedAt: now(), ExpiresAt: now().Add(15 * time.Minute)}
	noErr(t, st.CreateToken(ctx, link))
	same(t, "taken token", must(st.TakeToken(ctx, link.Hash))(t), link)
	_, err := st.GetToken(ctx, link.Hash)
	wantCode(t, err, crm.CodeNotFound)
	_, err = st.TakeToken(ctx, link.Hash)
	wantCode(t, err, crm.CodeNotFound)

	raced := link
	raced.Hash = crm.HashToken("embl_race_" + ana.ID)
	noErr(t, st.CreateToken(ctx, raced))
	const racers = 8
	errs := make(chan error, racers)
	for range racers {
		go func() {
			_, err := st.TakeToken(ctx, raced.Hash)
			errs <- err
		}()
	}
	won := 0
	for range racers {
		switch err := <-errs; crm.ErrorCode(err) {
		case "":
			won++
		case crm.CodeNotFound:
		default:
			t.Fatalf("a racing take failed otherwise: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d racing takes of one token succeeded, want exactly 1", won, racers)
	}
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
	same(t, "token of the admin", must(st.GetToken(ctx, t1.Hash))(t), t1)

	u2, t2 := admin("second@example.com")
	wantCode(t, st.CreateAdmin(ctx, u2, t2, false), crm.CodeConflict)
	_, err := st.GetUser(ctx, u2.ID)
	wantCode(t, err, crm.CodeNotFound)
	_, err = st.GetToken(ctx, t2.Hash)
	wantCode(t, err, crm.CodeNotFound)

	u3, t3 := admin("admin@example.com")
	wantTaken(t, st.CreateAdmin(ctx, u3, t3, true), "email", u1.ID)
	noErr(t, st.CreateAdmin(ctx, u2, t2, true))
	same(t, "token of the forced admin", must(st.GetToken(ctx, t2.Hash))(t), t2)
}
