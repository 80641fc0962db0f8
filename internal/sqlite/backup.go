package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the running database to dest (mode
// 0600) with VACUUM INTO, without stopping writes for longer than SQLite's
// read of one snapshot. It refuses a dest that exists. Errors: plain
// errors naming the file (it is an operator's command, not a request).
func (s *Store) Backup(ctx context.Context, dest string) error {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// Made empty first, so that it exists with mode 0600 before SQLite
	// writes to it (VACUUM INTO accepts an empty file), and so that an
	// existing file is refused whatever races.
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("backup: %s exists; choose a new file name", abs)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	// A connection of its own: the readers are query_only, which refuses
	// VACUUM INTO, and the writer would hold the writes up. VACUUM INTO
	// reads one snapshot, which in WAL mode blocks no writer.
	db, err := sql.Open("sqlite", dsn(s.path, fmt.Sprintf("_pragma=busy_timeout(%d)", s.busy.Milliseconds())))
	if err == nil {
		_, err = db.ExecContext(ctx, "VACUUM INTO ?", abs)
		db.Close()
	}
	if err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup of %s to %s: %w", s.path, abs, s.fail(err))
	}
	if err := os.Chmod(abs, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
