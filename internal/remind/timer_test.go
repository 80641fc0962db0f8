package remind

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// waitLimit only guards against a hung test; nothing is asserted about
// how long a fire takes.
const waitLimit = 10 * time.Second

// firings returns a Timer that sends every Payload it fires to the channel.
func firings(t *testing.T) (*Timer, chan Payload) {
	t.Helper()
	fired := make(chan Payload, 16)
	tm := NewTimer(func(ctx context.Context, p Payload) { fired <- p })
	t.Cleanup(tm.Close)
	return tm, fired
}

func next(t *testing.T, fired <-chan Payload) Payload {
	t.Helper()
	select {
	case p := <-fired:
		return p
	case <-time.After(waitLimit):
		t.Fatal("timer never fired")
		return Payload{}
	}
}

// noMore closes tm (which waits for Fire calls in flight) and checks that
// nothing else fired.
func noMore(t *testing.T, tm *Timer, fired <-chan Payload) {
	t.Helper()
	tm.Close()
	select {
	case p := <-fired:
		t.Errorf("unexpected extra fire %+v", p)
	default:
	}
}

func TestTimerFiresOnce(t *testing.T) {
	tm, fired := firings(t)
	at := time.Now().Add(20 * time.Millisecond)
	if err := tm.Arm(context.Background(), "a", at); err != nil {
		t.Fatal(err)
	}
	p := next(t, fired)
	if p.NoteID != "a" || !p.AvisoAt.Equal(at) || p.AvisoAt.Location() != time.UTC {
		t.Errorf("fired %+v, want note a at %v (UTC)", p, at)
	}
	if time.Now().Before(at) {
		t.Errorf("fired before its time")
	}
	noMore(t, tm, fired)
}

func TestTimerPastTimeFiresAtOnce(t *testing.T) {
	tm, fired := firings(t)
	at := time.Now().Add(-time.Hour)
	if err := tm.Arm(context.Background(), "past", at); err != nil {
		t.Fatal(err)
	}
	if p := next(t, fired); p.NoteID != "past" || !p.AvisoAt.Equal(at) {
		t.Errorf("fired %+v", p)
	}
	noMore(t, tm, fired)
}

func TestTimerRearmMovesIt(t *testing.T) {
	tm, fired := firings(t)
	later := time.Now().Add(time.Hour)
	sooner := time.Now().Add(10 * time.Millisecond)
	if err := tm.Arm(context.Background(), "n", later); err != nil {
		t.Fatal(err)
	}
	if err := tm.Arm(context.Background(), "n", sooner); err != nil {
		t.Fatal(err)
	}
	if p := next(t, fired); p.NoteID != "n" || !p.AvisoAt.Equal(sooner) {
		t.Errorf("fired %+v, want the re-armed time %v", p, sooner)
	}
	noMore(t, tm, fired) // the hour-later timer is gone
}

func TestTimerDisarmStopsIt(t *testing.T) {
	tm, fired := firings(t)
	ctx := context.Background()
	if err := tm.Arm(ctx, "gone", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := tm.Disarm(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if err := tm.Disarm(ctx, "never-armed"); err != nil {
		t.Fatalf("Disarm of an unknown note: %v", err)
	}
	// A later note still fires; the disarmed one does not.
	if err := tm.Arm(ctx, "kept", time.Now()); err != nil {
		t.Fatal(err)
	}
	if p := next(t, fired); p.NoteID != "kept" {
		t.Errorf("fired %+v, want kept", p)
	}
	noMore(t, tm, fired)
}

func TestTimerManyNotes(t *testing.T) {
	tm, fired := firings(t)
	base := time.Now()
	want := map[string]bool{}
	for i, id := range []string{"n1", "n2", "n3", "n4", "n5"} {
		want[id] = true
		if err := tm.Arm(context.Background(), id, base.Add(time.Duration(i)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	for range want {
		p := next(t, fired)
		if !want[p.NoteID] {
			t.Errorf("unexpected or repeated fire %+v", p)
		}
		delete(want, p.NoteID)
	}
	noMore(t, tm, fired)
}

// manualClock stands in for time.AfterFunc: it records each callback so a
// test can run it (or not) exactly when it wants.
type manualClock struct {
	mu    sync.Mutex
	calls []*manualTimer
}

type manualTimer struct {
	f       func()
	stopped bool
}

func (m *manualTimer) Stop() bool { m.stopped = true; return true }

func (c *manualClock) afterFunc(d time.Duration, f func()) stopper {
	c.mu.Lock()
	defer c.mu.Unlock()
	mt := &manualTimer{f: f}
	c.calls = append(c.calls, mt)
	return mt
}

// A timer whose callback was already running when it was replaced or
// disarmed must not fire the stale payload.
func TestTimerStaleCallbackDoesNotFire(t *testing.T) {
	var clock manualClock
	fired := make(chan Payload, 4)
	tm := &Timer{Fire: func(_ context.Context, p Payload) { fired <- p }, afterFunc: clock.afterFunc}
	ctx := context.Background()
	first := time.Now().Add(time.Minute)
	second := time.Now().Add(time.Hour)
	if err := tm.Arm(ctx, "n", first); err != nil {
		t.Fatal(err)
	}
	if err := tm.Arm(ctx, "n", second); err != nil {
		t.Fatal(err)
	}
	if !clock.calls[0].stopped {
		t.Error("re-arm did not stop the first timer")
	}
	clock.calls[0].f() // the first timer went off anyway
	clock.calls[1].f()
	clock.calls[1].f() // and a duplicate callback
	tm.Close()
	close(fired)
	var got []Payload
	for p := range fired {
		got = append(got, p)
	}
	if len(got) != 1 || !got[0].AvisoAt.Equal(second) {
		t.Fatalf("fired %+v, want only the re-armed time %v", got, second)
	}

	// Disarmed, then the callback runs: nothing fires.
	var clock2 manualClock
	tm2 := &Timer{Fire: func(context.Context, Payload) { t.Error("disarmed timer fired") }, afterFunc: clock2.afterFunc}
	if err := tm2.Arm(ctx, "d", first); err != nil {
		t.Fatal(err)
	}
	if err := tm2.Disarm(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	clock2.calls[0].f()
	tm2.Close()
}

func TestTimerCloseCancelsAndWaits(t *testing.T) {
	started := make(chan struct{})
	finished := make(chan struct{})
	tm := NewTimer(func(ctx context.Context, p Payload) {
		close(started)
		<-ctx.Done()
		close(finished)
	})
	if err := tm.Arm(context.Background(), "slow", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := tm.Arm(context.Background(), "pending", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(waitLimit):
		t.Fatal("never fired")
	}
	tm.Close()
	select {
	case <-finished: // Close returned only after Fire saw its context end
	default:
		t.Fatal("Close returned while Fire was still running")
	}
	tm.Close() // twice is fine
	if err := tm.Arm(context.Background(), "late", time.Now()); crm.ErrorCode(err) != crm.CodeInternal {
		t.Errorf("Arm after Close = %v, want internal", err)
	}
	if err := tm.Disarm(context.Background(), "pending"); err != nil {
		t.Errorf("Disarm after Close = %v", err)
	}
}

func TestTimerRejects(t *testing.T) {
	tm, _ := firings(t)
	if err := tm.Arm(context.Background(), "bad id", time.Now()); crm.ErrorCode(err) != crm.CodeInvalid {
		t.Errorf("Arm(bad id) = %v, want invalid", err)
	}
	var noFire Timer
	if err := noFire.Arm(context.Background(), "x", time.Now()); crm.ErrorCode(err) != crm.CodeInternal {
		t.Errorf("Arm without Fire = %v, want internal", err)
	}
	noFire.Close()
}
