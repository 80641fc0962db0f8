package crm

import (
	"context"
	"slices"
	"testing"
	"time"
)

// reserver is a Store that only reserves numbers, recording the sizes.
type reserver struct {
	Store
	n     int64
	sizes []int
}

func (r *reserver) ReserveNumbers(_ context.Context, _ string, n int) (int64, error) {
	r.sizes = append(r.sizes, n)
	first := r.n + 1
	r.n += int64(n)
	return first, nil
}

// A pool reserves one number while numbers are taken seldom, blocks that
// last about blockSpan (up to the limit) while they are taken fast, and
// gives a number back before the rest of its block.
func TestNumberPool(t *testing.T) {
	ctx := context.Background()
	st := &reserver{}
	var p numberPool
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	take := func(limit int, after time.Duration) int64 {
		t.Helper()
		at = at.Add(after)
		n, err := p.take(ctx, st, "opportunity", limit, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	var got []int64
	got = append(got, take(16, 0))              // first: a block of 1
	got = append(got, take(16, 30*time.Second)) // the block lasted 30 s: 1
	got = append(got, take(16, 2*time.Second))  // 2 s: 5 numbers in 10 s
	for range 4 {
		got = append(got, take(16, 100*time.Millisecond))
	}
	got = append(got, take(16, 100*time.Millisecond)) // 5 used in 0.5 s: the limit
	if !slices.Equal(st.sizes, []int{1, 1, 5, 16}) || !slices.Equal(got, []int64{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Fatalf("sizes %v, numbers %v", st.sizes, got)
	}
	p.giveBack([]pooledNumber{{"opportunity", 8}, {"opportunity", 7}})
	if n := take(16, 0); n != 7 {
		t.Fatalf("after giving 7 and 8 back, the next is %d", n)
	}
	if n := take(16, 0); n != 8 {
		t.Fatalf("then %d, want 8", n)
	}
	if n := take(16, 0); n != 9 {
		t.Fatalf("then %d, want 9", n)
	}
	// Without blocks every number is reserved as it is taken.
	var one numberPool
	st1 := &reserver{}
	for range 3 {
		if _, err := one.take(ctx, st1, "opportunity", 0, at); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(st1.sizes, []int{1, 1, 1}) {
		t.Fatalf("limit 0: sizes %v", st1.sizes)
	}
}
