package transfer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/sqlite"
)

// readSource reads the whole source as one snapshot, without writing it:
// an SQLite file opened read-only and read in one transaction, or a table
// scanned whole.
func readSource(ctx context.Context, o Options, prog *progress) (crm.Snapshot, error) {
	if o.From.DynamoDB() {
		prog.begin("reading", 0, "items")
		defer prog.end()
		return dynamo.Export(ctx, o.DynamoDB, o.From.Table, segments(o), prog.add)
	}
	st, err := sqlite.Open(ctx, o.From.DB, sqlite.Options{Logger: o.Log, ReadOnly: true})
	if errors.Is(err, fs.ErrNotExist) {
		return crm.Snapshot{}, fmt.Errorf("no database to copy at %s", o.From.DB)
	}
	if err != nil && strings.Contains(err.Error(), "schema migration") {
		// Read-only, the source cannot be brought up to this version.
		return crm.Snapshot{}, fmt.Errorf("the source %s is of an earlier version: start this version's embudo serve on it once, then copy (%w)", o.From.DB, err)
	}
	if err != nil {
		return crm.Snapshot{}, fmt.Errorf("the source %s: %w", o.From.DB, err)
	}
	defer st.Close()
	return st.Snapshot(ctx)
}

func segments(o Options) int {
	if o.Segments <= 0 {
		return 4
	}
	return o.Segments
}
