package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/sqlite"
	"github.com/embudo/embudo/internal/storetest"
)

var ctx = context.Background()

// TestConformance runs the store port's conformance suite on a new
// database in a temporary directory for every test.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) crm.Store {
		st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "embudo.db"), sqlite.Options{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}
