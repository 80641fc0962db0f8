package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

var bg = context.Background()

// openAt opens the store at path with o, closed at the end of the test.
func openAt(t testing.TB, path string, o Options) *Store {
	t.Helper()
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := Open(bg, path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// slogTo is a logger writing to w.
func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// contact is a valid new contact.
func contact(name, email string) crm.Contact {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return crm.Contact{ID: crm.NewID(now), Name: name, Email: email, CreatedAt: now, UpdatedAt: now, Version: 1}
}

// syncBuffer is a log destination tests read while the store writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func TestOpenMakesAPrivateFileMigratesAndReopens(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "sub")
	path := filepath.Join(dir, "embudo.db")
	s := openAt(t, path, Options{})
	if s.Path() != path {
		t.Fatalf("Path() = %q, want %q", s.Path(), path)
	}
	c := contact("Ana", "ana@example.com")
	if err := s.CreateContact(bg, c); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory: %v %v, want mode 0700", fi.Mode(), err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v, want mode 0600", f, fi, err)
		}
	}
	var version int
	var mode string
	if err := s.r.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("user_version %d (%v), want %d", version, err, len(migrations))
	}
	if err := s.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q (%v)", mode, err)
	}
	var sync int
	if err := s.w.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Fatalf("synchronous %d (%v), want 2 (FULL)", sync, err)
	}
	s.Close()

	again := openAt(t, path, Options{})
	if got, err := again.GetContact(bg, c.ID); err != nil || got.Email != c.Email {
		t.Fatalf("after reopening: %+v %v", got, err)
	}
	if err := again.r.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("user_version after reopening %d (%v)", version, err)
	}
}

func TestOpenRefusesANewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "embudo.db")
	s := openAt(t, path, Options{})
	if _, err := s.w.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(bg, path, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opened a database of a newer schema: %v", err)
	}
}

func TestOpenRefusesADamagedFile(t *testing.T) {
	for name, damage := range map[string]func(f *os.File, size int64) error{
		"pages": func(f *os.File, size int64) error {
			junk := bytes.Repeat([]byte{0xA5}, 3*4096)
			_, err := f.WriteAt(junk, size/2/4096*4096)
			return err
		},
		"header": func(f *os.File, _ int64) error {
			_, err := f.WriteAt([]byte("this is no database at all"), 0)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "embudo.db")
			s := openAt(t, path, Options{})
			for i := range 300 {
				c := contact(strings.Repeat("Nombre ", 20), "")
				c.Observations = strings.Repeat("texto ", 50+i%10)
				if err := s.CreateContact(bg, c); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := f.Stat()
			if err := damage(f, fi.Size()); err != nil {
				t.Fatal(err)
			}
			f.Close()
			_, err = Open(bg, path, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "embudo backup") {
				t.Fatalf("a damaged file was not refused with the file and what to do: %v", err)
			}
		})
	}
}

func TestAReadOnlyDatabaseIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "embudo.db")
	s := openAt(t, path, Options{})
	c := contact("Ana", "ana@example.com")
	if err := s.CreateContact(bg, c); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// The file as an operator leaves it read-only; root may write any file,
	// so there the test opens it read-only as SQLite would.
	o := Options{}
	if os.Geteuid() == 0 {
		o.ReadOnly = true
	} else {
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(path, 0o600) })
	}
	var log syncBuffer
	o.Logger = slog.New(slog.NewTextHandler(&log, nil))
	ro := openAt(t, path, o)
	if got, err := ro.GetContact(bg, c.ID); err != nil || got.ID != c.ID {
		t.Fatalf("reads must go on: %+v %v", got, err)
	}
	before := len(log.String())
	err := ro.CreateContact(bg, contact("Luis", "luis@example.com"))
	if crm.ErrorCode(err) != crm.CodeUnavailable {
		t.Fatalf("a write to a read-only database: %v, want unavailable", err)
	}
	if line := log.String()[before:]; !strings.Contains(line, path) || !strings.Contains(line, "read-only") {
		t.Fatalf("the log does not name the file and the cause: %s", line)
	}
	if p, err := ro.ListContacts(bg, crm.ContactFilter{}, crm.ListOptions{}); err != nil || len(p.Items) != 1 {
		t.Fatalf("a refused write left something: %v %v", p.Items, err)
	}
}

func TestBackupIsAConsistentPrivateCopy(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, filepath.Join(dir, "embudo.db"), Options{})
	var ids []string
	for i := range 20 {
		c := contact("Contacto", "")
		c.Name += " " + string(rune('A'+i))
		if err := s.CreateContact(bg, c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	dest := filepath.Join(dir, "copia.db")
	if err := s.Backup(bg, dest); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dest); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 0600", fi, err)
	}
	if err := s.Backup(bg, dest); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a backup over an existing file: %v", err)
	}
	// Writes go on after a backup, and the copy opens as a database.
	if err := s.CreateContact(bg, contact("Después", "")); err != nil {
		t.Fatal(err)
	}
	b := openAt(t, dest, Options{})
	p, err := b.ListContacts(bg, crm.ContactFilter{}, crm.ListOptions{Limit: 100})
	if err != nil || len(p.Items) != len(ids) {
		t.Fatalf("the copy holds %d contacts (%v), want %d", len(p.Items), err, len(ids))
	}
}

func TestReadsDoNotWaitForAWrite(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	c := contact("Ana", "ana@example.com")
	if err := s.CreateContact(bg, c); err != nil {
		t.Fatal(err)
	}
	// A write transaction holds the write lock (and the one writer).
	tx, err := s.w.BeginTx(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("UPDATE contacts SET version = 9 WHERE id = ?", c.ID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, time.Second)
	defer cancel()
	got, err := s.GetContact(ctx, c.ID)
	if err != nil || got.Version != 1 {
		t.Fatalf("a read during a write: %+v %v", got, err)
	}
	if p, err := s.ListContacts(ctx, crm.ContactFilter{}, crm.ListOptions{}); err != nil || len(p.Items) != 1 {
		t.Fatalf("a list during a write: %v %v", p.Items, err)
	}
}

func TestADatabaseBusyBeyondTheTimeoutIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "embudo.db")
	a := openAt(t, path, Options{})
	var log syncBuffer
	b := openAt(t, path, Options{BusyTimeout: 100 * time.Millisecond, Logger: slogTo(&log)})
	// Another process holds the write lock.
	tx, err := a.w.BeginTx(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("INSERT INTO config (name) VALUES ('x')"); err != nil {
		t.Fatal(err)
	}
	c := contact("Ana", "ana@example.com")
	err = b.CreateContact(bg, c)
	if crm.ErrorCode(err) != crm.CodeUnavailable || !strings.Contains(log.String(), path) {
		t.Fatalf("a write while another holds the lock: %v, log %s", err, log.String())
	}
	tx.Rollback()
	if err := b.CreateContact(bg, c); err != nil {
		t.Fatalf("the same write once the lock is free: %v", err)
	}
}

func TestAFullDiskIsUnavailableAndWritesNothing(t *testing.T) {
	var log syncBuffer
	path := filepath.Join(t.TempDir(), "embudo.db")
	s := openAt(t, path, Options{Logger: slogTo(&log)})
	// The database may not grow: as a full disk does, SQLite answers
	// SQLITE_FULL once a write needs a new page.
	var pages int
	if err := s.w.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	var b crm.Batch
	for i := range 50 {
		c := contact("Contacto", fmt.Sprintf("c%d@example.com", i))
		c.Observations = strings.Repeat("x", 5000)
		b.Contacts = append(b.Contacts, crm.Write[crm.Contact]{New: c})
	}
	err := s.Commit(bg, b)
	if crm.ErrorCode(err) != crm.CodeUnavailable || !strings.Contains(log.String(), path) {
		t.Fatalf("a write to a full disk: %v, log %s", err, log.String())
	}
	if _, err := s.w.Exec("PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if p, err := s.ListContacts(bg, crm.ContactFilter{}, crm.ListOptions{}); err != nil || len(p.Items) != 0 {
		t.Fatalf("a failed write left %d contacts (%v)", len(p.Items), err)
	}
	if err := s.Commit(bg, b); err != nil {
		t.Fatalf("the same write with room: %v", err)
	}
}
