package crm_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/sqlite"
)

// TestSignInLinksWaitingAreCapped: a user has at most MaxPendingSignIns
// unused links at once, so the sign-in page cannot flood an inbox; using
// one, or letting them expire, makes room for a new one.
func TestSignInLinksWaitingAreCapped(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	st, err := sqlite.Open(bg, filepath.Join(t.TempDir(), "embudo.db"), sqlite.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := crm.NewService(st, crm.Config{Now: func() time.Time { return now }})
	if _, err := svc.CreateUser(bg, crm.User{Name: "Ana", Email: "ana@example.es", Active: true}); err != nil {
		t.Fatal(err)
	}
	var links []string
	for i := 0; i < crm.MaxPendingSignIns; i++ {
		_, link, err := svc.RequestSignIn(bg, "Ana@Example.es")
		if err != nil {
			t.Fatalf("link %d: %v", i+1, err)
		}
		links = append(links, link)
	}
	if _, link, err := svc.RequestSignIn(bg, "ana@example.es"); crm.ErrorCode(err) != crm.CodeConflict || link != "" {
		t.Fatalf("a link beyond the %d waiting: %q %v", crm.MaxPendingSignIns, link, err)
	}
	if _, _, _, err := svc.SignIn(bg, links[0]); err != nil {
		t.Fatalf("signing in with a waiting link: %v", err)
	}
	if _, _, err := svc.RequestSignIn(bg, "ana@example.es"); err != nil {
		t.Fatalf("a link after one was used: %v", err)
	}
	if _, _, err := svc.RequestSignIn(bg, "ana@example.es"); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("a link beyond the cap again: %v", err)
	}
	now = now.Add(crm.SignInTTL)
	if _, _, err := svc.RequestSignIn(bg, "ana@example.es"); err != nil {
		t.Fatalf("a link once the others expired: %v", err)
	}
}
