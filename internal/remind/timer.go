package remind

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Timer is the local runtime's reminder scheduler: an in-process timer per
// note. When a note's time comes (at once for a time already past) it calls
// Fire with the Payload in a goroutine of its own; the context Fire receives
// is cancelled by Close. Arm replaces the note's timer, Disarm stops it, Close
// stops them all. Timers live in memory only: the caller re-arms pending
// reminders after a restart (its sweep). Make one with NewTimer; it is safe
// for concurrent use.
type Timer struct {
	// Fire is called once per armed timer that comes due. It must be set
	// before the first Arm and not changed after.
	Fire func(ctx context.Context, p Payload)

	// afterFunc starts a timer; tests replace it to drive time by hand.
	afterFunc func(d time.Duration, f func()) stopper

	mu      sync.Mutex
	pending map[string]*timerEntry
	closed  bool
	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup // Fire calls in flight
}

// stopper is the part of *time.Timer the Timer uses.
type stopper interface{ Stop() bool }

// timerEntry is one armed note; its identity tells a timer that fired after
// being replaced or stopped that it is stale.
type timerEntry struct {
	payload Payload
	timer   stopper
}

// NewTimer returns a Timer that calls fire when a note's time comes.
func NewTimer(fire func(context.Context, Payload)) *Timer {
	t := &Timer{Fire: fire}
	t.init()
	return t
}

// init fills in what NewTimer sets up; t.mu must be held or t unshared.
func (t *Timer) init() {
	if t.pending != nil {
		return
	}
	t.pending = make(map[string]*timerEntry)
	t.ctx, t.cancel = context.WithCancel(context.Background())
	if t.afterFunc == nil {
		t.afterFunc = func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }
	}
}

// Arm sets the note's timer to fire at `at` with Payload{noteID, at (UTC)},
// replacing any timer the note had; a time already past fires at once. ctx
// is not kept: Fire gets the Timer's own context. Errors: CodeInvalid when
// noteID is not a valid schedule-name part (the same rule as eventbridge.Scheduler);
// CodeInternal when Fire is nil or the Timer is closed.
func (t *Timer) Arm(ctx context.Context, noteID string, at time.Time) error {
	if _, err := ScheduleName(noteID); err != nil {
		return err
	}
	if t.Fire == nil {
		return crm.Internal(errors.New("remind: Timer has no Fire function"))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	if t.closed {
		return crm.Internal(errors.New("remind: Timer is closed"))
	}
	if old := t.pending[noteID]; old != nil {
		old.timer.Stop()
	}
	e := &timerEntry{payload: Payload{NoteID: noteID, AvisoAt: at.UTC()}}
	t.pending[noteID] = e
	// Assigned under t.mu, which the callback takes before reading e.timer.
	e.timer = t.afterFunc(time.Until(at), func() { t.fire(noteID, e) })
	return nil
}

// Disarm stops the note's timer; a note with no timer (never armed, fired
// already, or the Timer closed) is success. Errors: CodeInvalid when noteID
// is not a valid schedule-name part.
func (t *Timer) Disarm(ctx context.Context, noteID string) error {
	if _, err := ScheduleName(noteID); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.pending[noteID]; e != nil {
		e.timer.Stop()
		delete(t.pending, noteID)
	}
	return nil
}

// Close stops every timer, cancels the context of Fire calls in flight and
// waits for them to return. Arm fails after Close; Close may be called more
// than once.
func (t *Timer) Close() {
	t.mu.Lock()
	t.init()
	t.closed = true
	for id, e := range t.pending {
		e.timer.Stop()
		delete(t.pending, id)
	}
	t.mu.Unlock()
	t.cancel()
	t.running.Wait()
}

// fire runs in the timer's goroutine: it calls Fire unless e was replaced,
// disarmed or closed while the timer was going off.
func (t *Timer) fire(noteID string, e *timerEntry) {
	t.mu.Lock()
	if t.closed || t.pending[noteID] != e {
		t.mu.Unlock()
		return
	}
	delete(t.pending, noteID)
	// Added under t.mu after the closed check, so Close's Wait sees it.
	t.running.Add(1)
	t.mu.Unlock()
	defer t.running.Done()
	t.Fire(t.ctx, e.payload)
}
