package local

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/embudo/embudo/internal/sqlite"
)

// Backup writes a consistent copy of the embedded database of the data
// directory dir to dest, a new file, whether a Server runs on it or not
// (`embudo backup`); the copy is a database a Server can use as it is
// (copied to its data directory as DBFile). It returns the path of the
// database copied. Errors: there is no database in dir, dest exists, the
// database is damaged.
func Backup(ctx context.Context, dir, dest string, log *slog.Logger) (string, error) {
	src := filepath.Join(dir, DBFile)
	if _, err := os.Stat(src); err != nil {
		return "", fmt.Errorf("no database to back up: %w", err)
	}
	st, err := sqlite.Open(ctx, src, sqlite.Options{Logger: log})
	if err != nil {
		return "", err
	}
	defer st.Close()
	if err := st.Backup(ctx, dest); err != nil {
		return "", err
	}
	return st.Path(), nil
}
