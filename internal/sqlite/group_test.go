package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/embudo/embudo/internal/crm"
)

// holdWriter makes the writer run a write that waits until the returned
// function is called, so that the writes queued meanwhile form the next
// group.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, held := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.write(bg, func(*wtx) error { close(started); <-held; return nil })
	}()
	<-started
	return func() {
		close(held)
		if err := <-done; err != nil {
			t.Errorf("the holding write: %v", err)
		}
	}
}

// queued waits until n writes are queued behind the writer.
func queued(t *testing.T, s *Store, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(s.queue) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", len(s.queue), n)
		}
	}
}

// inGroup runs the writes at once, all queued behind a held writer so that
// they commit as one group, and returns each one's error.
func inGroup(t *testing.T, s *Store, writes ...func() error) []error {
	t.Helper()
	release := holdWriter(t, s)
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = w() }()
		queued(t, s, i+1) // in this order
	}
	release()
	wg.Wait()
	return errs
}

// onCommit installs hook on the writer connection: SQLite calls it as each
// transaction commits, before the commit is durable; a result other than
// 0 turns the commit into a rollback.
func onCommit(t *testing.T, s *Store, hook func() int32) {
	t.Helper()
	c, err := s.w.Conn(bg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		h, ok := dc.(interface{ RegisterCommitHook(sqlite.CommitHookFn) })
		if !ok {
			return errors.New("the driver's connection has no commit hook")
		}
		h.RegisterCommitHook(hook)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAFailedWriteOfAGroupFailsOnlyItsCaller(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	held := contact("Ana", "ana@example.com")
	if err := s.CreateContact(bg, held); err != nil {
		t.Fatal(err)
	}
	first, second := contact("Luis", "luis@example.com"), contact("Luisa", "luis@example.com")
	stray := contact("Eva", "eva@example.com")
	stray.AgentID = crm.NewID(time.Now()) // no such agent
	ok1, taken, ok2 := contact("Pilar", "pilar@example.com"), contact("Otra Ana", "ana@example.com"), contact("Juan", "")
	c0, w0 := s.Commits()
	errs := inGroup(t, s,
		func() error { return s.CreateContact(bg, ok1) },
		func() error { return s.CreateContact(bg, taken) },
		func() error { return s.CreateContact(bg, first) },
		func() error { return s.CreateContact(bg, stray) },
		func() error { return s.CreateContact(bg, second) },
		func() error { return s.CreateContact(bg, ok2) },
	)
	c1, w1 := s.Commits()
	if c1-c0 != 2 || w1-w0 != 4 {
		t.Fatalf("%d commits of %d writes, want 2 of 4: the holding write's, and one of the group's 3 good writes", c1-c0, w1-w0)
	}
	for i, want := range []crm.Code{"", crm.CodeConflict, "", crm.CodeInvalid, crm.CodeConflict, ""} {
		if got := crm.ErrorCode(errs[i]); got != want {
			t.Errorf("write %d of the group: %v, want code %q", i, errs[i], want)
		}
	}
	var ce *crm.Error
	if errors.As(errs[1], &ce); ce == nil || ce.ExistingID != held.ID || ce.Fields["email"] == "" {
		t.Errorf("the write of a taken e-mail: %#v, want a conflict naming %s's e-mail", errs[1], held.ID)
	}
	// The e-mail first took earlier in the same group is taken for second.
	if errors.As(errs[4], &ce); ce == nil || ce.ExistingID != first.ID {
		t.Errorf("the second write of an e-mail in one group: %#v, want a conflict naming %s", errs[4], first.ID)
	}
	if errors.As(errs[3], &ce); ce == nil || ce.Fields["agentId"] == "" {
		t.Errorf("the write naming no agent: %#v, want agentId invalid", errs[3])
	}
	for _, c := range []crm.Contact{ok1, first, ok2} {
		if got, err := s.GetContact(bg, c.ID); err != nil || got.Email != c.Email {
			t.Errorf("%s, written in the group: %+v %v", c.Name, got, err)
		}
	}
	for _, c := range []crm.Contact{taken, stray, second} {
		if _, err := s.GetContact(bg, c.ID); crm.ErrorCode(err) != crm.CodeNotFound {
			t.Errorf("%s, refused in the group, is stored: %v", c.Name, err)
		}
	}
	// Only the good writes reached the outbox (the feed sees them alone).
	if n := outboxRows(t, s); n != 4 {
		t.Errorf("%d outbox rows, want 4 (Ana, Pilar, Luis, Juan)", n)
	}
}

func TestNoWriteIsAnsweredBeforeItsGroupCommits(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	const n = 8
	var answered atomic.Int32
	var atCommit []int32 // answers given when each commit began
	var mu sync.Mutex
	onCommit(t, s, func() int32 {
		mu.Lock()
		atCommit = append(atCommit, answered.Load())
		mu.Unlock()
		return 0
	})
	cs := make([]crm.Contact, n)
	writes := make([]func() error, n)
	for i := range cs {
		cs[i] = contact(fmt.Sprintf("Contacto %d", i), fmt.Sprintf("c%d@example.com", i))
		writes[i] = func() error {
			err := s.CreateContact(bg, cs[i])
			answered.Add(1)
			return err
		}
	}
	errs := inGroup(t, s, writes...)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// The holding write's commit, then the group's: when it began, none of
	// the group's callers had its answer.
	if fmt.Sprint(atCommit) != "[0 0]" {
		t.Fatalf("answers given as each commit began: %v, want [0 0]", atCommit)
	}
}

func TestAGroupWhoseCommitFailsAnswersEveryWriteWithTheError(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	var refuse atomic.Bool
	var spare atomic.Int32 // commits let through once refuse is set
	onCommit(t, s, func() int32 {
		if refuse.Load() && spare.Add(-1) < 0 {
			return 1 // the commit becomes a rollback, as a failed fsync fails it
		}
		return 0
	})
	cs := []crm.Contact{contact("Ana", "ana@example.com"), contact("Luis", "luis@example.com"), contact("Eva", "eva@example.com")}
	release := holdWriter(t, s)
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	for i := range cs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = s.CreateContact(bg, cs[i]) }()
		queued(t, s, i+1)
	}
	spare.Store(1) // the holding write's commit
	refuse.Store(true)
	release()
	wg.Wait()
	for i, err := range errs {
		if err == nil {
			t.Errorf("%s was acknowledged, but its commit failed", cs[i].Name)
		}
		if _, err := s.GetContact(bg, cs[i].ID); crm.ErrorCode(err) != crm.CodeNotFound {
			t.Errorf("%s, whose commit failed, is stored: %v", cs[i].Name, err)
		}
	}
	refuse.Store(false)
	if err := s.CreateContact(bg, cs[0]); err != nil {
		t.Fatalf("the same write again: %v", err)
	}
}

func TestAWriteCancelledWhileQueuedIsNotWritten(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	release := holdWriter(t, s)
	ctx, cancel := context.WithCancel(bg)
	c := contact("Ana", "ana@example.com")
	done := make(chan error, 1)
	go func() { done <- s.CreateContact(ctx, c) }()
	queued(t, s, 1)
	cancel()
	// Answered while the writer is still held: it is dropped, not waited for.
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled write: %v", err)
	}
	release()
	if err := s.CreateContact(bg, contact("Luis", "luis@example.com")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetContact(bg, c.ID); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Fatalf("a write cancelled while queued is stored: %v", err)
	}
}

func TestAWriteThatEndsTheTransactionOrPanicsFailsAlone(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "embudo.db"), Options{})
	a, b := contact("Ana", "ana@example.com"), contact("Luis", "luis@example.com")
	errs := inGroup(t, s,
		func() error { return s.CreateContact(bg, a) },
		// As SQLite does on some I/O errors: the whole transaction rolled
		// back under the group, the write's own statements going on.
		func() error { return s.write(bg, func(t *wtx) error { return t.exec("ROLLBACK") }) },
		func() error { return s.CreateContact(bg, b) },
		func() error { return s.write(bg, func(*wtx) error { panic("a bug") }) },
	)
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("the good writes of the group: %v, %v", errs[0], errs[2])
	}
	if errs[1] == nil {
		t.Error("the write that ended the transaction was acknowledged")
	}
	if crm.ErrorCode(errs[3]) != crm.CodeInternal {
		t.Errorf("the write that panicked: %v, want internal", errs[3])
	}
	for _, c := range []crm.Contact{a, b} {
		if _, err := s.GetContact(bg, c.ID); err != nil {
			t.Errorf("%s, acknowledged, is not stored: %v", c.Name, err)
		}
	}
}
