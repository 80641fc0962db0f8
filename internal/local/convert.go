package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/sqlite"
)

// legacyLog is the change log of the embedded store of earlier versions.
const legacyLog = "changes.log"

// convertChangeLog loads a data directory written by an earlier version
// (its changes.log) into the database, once: the log is then renamed, never
// deleted. A load that committed but was not followed by the rename (a crash
// between the two) is recognised by the database being seeded already.
// Adapters never import each other, so the conversion lives here: it reads
// with dynamo.ReadChangeLog and writes with sqlite.Store.Load.
func convertChangeLog(ctx context.Context, dir string, st *sqlite.Store, log *slog.Logger) error {
	path := filepath.Join(dir, legacyLog)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	states, err := st.ListStates(ctx)
	if err != nil {
		return err
	}
	if len(states) == 0 { // nothing loaded yet
		snap, err := dynamo.ReadChangeLog(path)
		if err != nil {
			return fmt.Errorf("converting %s: %w (the file is untouched; the earlier version still reads it)", path, err)
		}
		if err := st.Load(ctx, snap); err != nil {
			return fmt.Errorf("converting %s: %w", path, err)
		}
		log.Info("converted the data directory of an earlier version into the database",
			"from", path, "to", st.Path(), "contacts", len(snap.Contacts), "opportunities", len(snap.Opportunities))
	}
	kept := path + ".converted"
	if err := os.Rename(path, kept); err != nil {
		return err
	}
	log.Info("the earlier change log is kept", "file", kept)
	return nil
}
