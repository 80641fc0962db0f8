package crm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// clock is a fake clock that moves only when told.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func wantHit(t *testing.T, ok bool) {
	t.Helper()
	if !ok {
		t.Error("miss, want a hit")
	}
}

func wantMiss(t *testing.T, ok bool) {
	t.Helper()
	if ok {
		t.Error("hit, want a miss")
	}
}

func TestCacheEntriesExpireByTheInjectedClock(t *testing.T) {
	c := newClock()
	cache := crm.NewCache[string, int](30*time.Second, 10, c.now)
	cache.Put("a", 1)
	c.add(29 * time.Second)
	v, ok := cache.Get("a")
	wantHit(t, ok)
	if v != 1 {
		t.Errorf("got %d, want 1", v)
	}
	c.add(time.Second)
	_, ok = cache.Get("a")
	wantMiss(t, ok)
	if cache.Len() != 0 {
		t.Errorf("an expired entry read stays: %d entries", cache.Len())
	}
	// A new Put starts the entry's time again.
	cache.Put("a", 2)
	c.add(20 * time.Second)
	cache.Put("a", 3)
	c.add(20 * time.Second)
	if v, ok := cache.Get("a"); !ok || v != 3 {
		t.Errorf("got %d, %v; want 3 from the second put", v, ok)
	}
}

func TestCacheWithoutTTLKeepsNothing(t *testing.T) {
	for _, ttl := range []time.Duration{0, -1} {
		cache := crm.NewCache[string, int](ttl, 10, newClock().now)
		cache.Put("a", 1)
		_, ok := cache.Get("a")
		wantMiss(t, ok)
		loads := 0
		for range 2 {
			if _, err := cache.Load("a", func() (int, error) { loads++; return 1, nil }); err != nil {
				t.Fatal(err)
			}
		}
		if loads != 2 {
			t.Errorf("ttl %v: %d loads, want 2 (nothing kept)", ttl, loads)
		}
	}
}

func TestCacheLoadKeepsWhatItLoadedUntilItExpires(t *testing.T) {
	c := newClock()
	cache := crm.NewCache[struct{}, []string](5*time.Second, 1, c.now)
	loads := 0
	load := func() ([]string, error) { loads++; return []string{"Nuevo"}, nil }
	for range 3 {
		if v, err := cache.Load(struct{}{}, load); err != nil || len(v) != 1 {
			t.Fatalf("Load = %v, %v", v, err)
		}
	}
	if loads != 1 {
		t.Errorf("%d loads within the ttl, want 1", loads)
	}
	c.add(5 * time.Second)
	if _, err := cache.Load(struct{}{}, load); err != nil || loads != 2 {
		t.Errorf("after the ttl: %d loads (err %v), want 2", loads, err)
	}
	// A failed load keeps nothing: the next one tries again.
	c.add(5 * time.Second)
	boom := errors.New("boom")
	if _, err := cache.Load(struct{}{}, func() ([]string, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("Load = %v, want the load's error", err)
	}
	if _, err := cache.Load(struct{}{}, load); err != nil || loads != 3 {
		t.Errorf("after a failed load: %d loads (err %v), want 3", loads, err)
	}
}

func TestCacheDeletes(t *testing.T) {
	cache := crm.NewCache[string, string](time.Minute, 10, newClock().now)
	cache.Put("t1", "ana")
	cache.Put("t2", "ana")
	cache.Put("t3", "beto")
	cache.Delete("t3")
	_, ok := cache.Get("t3")
	wantMiss(t, ok)
	cache.DeleteFunc(func(_ string, user string) bool { return user == "ana" })
	if cache.Len() != 0 {
		t.Errorf("%d entries after deleting ana's, want 0", cache.Len())
	}
}

func TestCacheIsBounded(t *testing.T) {
	c := newClock()
	cache := crm.NewCache[int, int](time.Minute, 3, c.now)
	cache.Put(1, 1)
	c.add(time.Minute) // 1 expires
	cache.Put(2, 2)
	cache.Put(3, 3)
	cache.Put(4, 4) // full: the expired 1 goes
	if cache.Len() != 3 {
		t.Fatalf("%d entries, want 3", cache.Len())
	}
	for _, k := range []int{2, 3, 4} {
		_, ok := cache.Get(k)
		wantHit(t, ok)
	}
	cache.Put(3, 30) // an existing key is replaced, nothing dropped
	if v, _ := cache.Get(2); v != 2 {
		t.Errorf("replacing a key dropped another")
	}
	cache.Put(5, 5) // full, none expired: it starts afresh
	if cache.Len() != 1 {
		t.Errorf("%d entries, want 1 after starting afresh", cache.Len())
	}
	if v, ok := cache.Get(5); !ok || v != 5 {
		t.Errorf("the new entry is not kept")
	}
}
