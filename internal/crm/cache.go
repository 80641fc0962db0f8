package crm

import (
	"sync"
	"time"
)

// Cache is the one small in-process cache of Embudo: a map whose entries
// expire ttl after they were put, by the clock it is given (never
// time.Now behind the caller's back, so that tests move time by hand).
// It holds at most max entries: when full, expired entries go first, and
// if none has expired it starts afresh. A ttl of zero or less disables it:
// Get always misses and Put keeps nothing. It is safe for concurrent use.
//
// A value that is one thing, not one per key (the pipeline states, the
// notification settings), is a Cache keyed by struct{}.
type Cache[K comparable, V any] struct {
	ttl time.Duration
	max int
	now func() time.Time
	mu  sync.Mutex
	m   map[K]cached[V]
}

type cached[V any] struct {
	v       V
	expires time.Time
}

// NewCache returns an empty cache of entries kept for ttl, at most size of
// them (1 when size is less), by the clock now (time.Now when nil).
func NewCache[K comparable, V any](ttl time.Duration, size int, now func() time.Time) *Cache[K, V] {
	if now == nil {
		now = time.Now
	}
	return &Cache[K, V]{ttl: ttl, max: max(size, 1), now: now, m: map[K]cached[V]{}}
}

// Get returns the value under k while it is fresh.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	var zero V
	if c.ttl <= 0 {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		return zero, false
	}
	if !c.now().Before(e.expires) {
		delete(c.m, k)
		return zero, false
	}
	return e.v, true
}

// Put keeps v under k for the cache's ttl from now.
func (c *Cache[K, V]) Put(k K, v V) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		for key, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, key)
			}
		}
		if len(c.m) >= c.max {
			c.m = map[K]cached[V]{}
		}
	}
	c.m[k] = cached[V]{v, now.Add(c.ttl)}
}

// Load returns the fresh value under k, or calls load and keeps what it
// returns. A load that fails keeps nothing and returns its error. Two
// callers that miss at once both load; the later value stays.
func (c *Cache[K, V]) Load(k K, load func() (V, error)) (V, error) {
	if v, ok := c.Get(k); ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.Put(k, v)
	return v, nil
}

// Delete drops the entry under k.
func (c *Cache[K, V]) Delete(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

// DeleteFunc drops every entry for which del returns true.
func (c *Cache[K, V]) DeleteFunc(del func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if del(k, e.v) {
			delete(c.m, k)
		}
	}
}

// Len returns how many entries the cache holds, fresh or not.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
