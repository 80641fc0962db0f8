package crm

import (
	"errors"
	"testing"
)

// A use case that loses the race for a sequence number starts over, up to
// numberRetries (20) times, and then gives up with the race's error
// instead of trying for ever.
func TestAgainRetriesLostNumberRaces(t *testing.T) {
	t.Parallel()
	if numberRetries != 20 {
		t.Fatalf("numberRetries is %d; the use cases document 20", numberRetries)
	}
	calls := 0
	v, err := again(func() (int, error) {
		calls++
		if calls < 3 {
			return 0, &Error{Code: CodeConflict, Message: "number taken", Err: ErrConcurrentWrite}
		}
		return 7, nil
	})
	if v != 7 || err != nil || calls != 3 {
		t.Errorf("two lost races, then a win: %d, %v after %d calls; want 7, nil after 3", v, err, calls)
	}
	calls = 0
	_, err = again(func() (int, error) { calls++; return 0, ErrConcurrentWrite })
	if !errors.Is(err, ErrConcurrentWrite) || calls != 21 {
		t.Errorf("always losing: %v after %d calls; want the race's error after 21 (1 + 20 retries)", err, calls)
	}
	calls = 0
	other := errors.New("disk full")
	if _, err := again(func() (int, error) { calls++; return 0, other }); err != other || calls != 1 {
		t.Errorf("another error: %v after %d calls; want it at once", err, calls)
	}
}
