package httpapi

import (
	"sync"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// tokenCache remembers which user a token hash belongs to for a short time,
// so that a warm instance spends no round trip on authentication.
type tokenCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedUser
}

type cachedUser struct {
	user    crm.User
	expires time.Time
}

// maxCachedTokens bounds the cache; past it the cache starts afresh.
const maxCachedTokens = 10000

func newTokenCache(ttl time.Duration) *tokenCache {
	return &tokenCache{ttl: ttl, m: map[string]cachedUser{}}
}

func (c *tokenCache) get(hash string) (crm.User, bool) {
	if c.ttl <= 0 {
		return crm.User{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || time.Now().After(e.expires) {
		delete(c.m, hash)
		return crm.User{}, false
	}
	return e.user, true
}

func (c *tokenCache) put(hash string, u crm.User) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedTokens {
		c.m = map[string]cachedUser{}
	}
	c.m[hash] = cachedUser{u, time.Now().Add(c.ttl)}
}
