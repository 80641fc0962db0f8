package crm

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"time"
)

// Config is the company-wide configuration the service needs.
type Config struct {
	PhoneRegion string         // default country for phones without a prefix; "ES" when empty
	TimeZone    *time.Location // company time zone; Europe/Madrid when nil
	Now         func() time.Time
	// Blobs keeps file contents; files are refused (internal) without it.
	Blobs Blobs
	// NumberBlock is the largest block of opportunity numbers (and of a
	// round-robin source's turns) the service reserves at once, for an
	// instance that shares its store with others taking numbers at the
	// same time (the Lambda functions over one DynamoDB table): a block
	// of n writes the counter once for n numbers, at the price of gaps
	// (numbers an instance held when it stopped) and of numbers out of
	// order across instances; blocks grow with the rate numbers are taken
	// (numberPool).
	// 0 or 1: every number is reserved as it is taken, in order.
	NumberBlock int
}

// Service is the CRM's use cases over a Store: validation, defaults and
// rules live here; persistence and transport do not.
type Service struct {
	store    Store
	cfg      Config
	states   *Cache[struct{}, []State]
	cat      *Cache[struct{}, leadCatalog]
	settings *Cache[struct{}, []NotificationSetting]
	numbers  numberPool
}

// statesTTL is how long the pipeline decisions of one instance trust the
// states they read: an admin's change of states reaches other instances
// within it (the instance that made it sees it at once). Every write that
// names a state still checks, in its transaction, that the state exists.
const statesTTL = 5 * time.Second

// NewService returns a Service over store, filling configuration defaults.
func NewService(store Store, cfg Config) *Service {
	if cfg.PhoneRegion == "" {
		cfg.PhoneRegion = "ES"
	}
	if cfg.TimeZone == nil {
		if loc, err := time.LoadLocation("Europe/Madrid"); err == nil {
			cfg.TimeZone = loc
		} else {
			cfg.TimeZone = time.UTC
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{store: store, cfg: cfg,
		states:   NewCache[struct{}, []State](statesTTL, 1, cfg.Now),
		cat:      NewCache[struct{}, leadCatalog](catalogTTL, 1, cfg.Now),
		settings: NewCache[struct{}, []NotificationSetting](statesTTL, 1, cfg.Now)}
}

// Clock returns the service's clock (Config.Now), for the caches and
// times of the layers around it.
func (s *Service) Clock() func() time.Time { return s.cfg.Now }

// PhoneRegion is the default region for phone numbers.
func (s *Service) PhoneRegion() string { return s.cfg.PhoneRegion }

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }

// checkVersion compares the version the caller last saw (0: not given) with
// the current one.
func checkVersion(kind string, ifMatch, current int) error {
	if ifMatch != 0 && ifMatch != current {
		return Stale(kind)
	}
	return nil
}

// modify is the read-check-apply-write cycle of every PATCH: it reads the
// entity, checks If-Match, applies the change, normalises and writes it
// guarded by the version read.
func modify[T any](ctx context.Context, kind string, id string, ifMatch int,
	get func(context.Context, string) (T, error),
	version func(*T) *int,
	apply func(*T) error,
	prepare func(old T, next *T) error,
	put func(context.Context, T, T) error,
) (T, error) {
	var zero T
	if err := CheckID("id", id); err != nil {
		return zero, err
	}
	old, err := get(ctx, id)
	if err != nil {
		return zero, err
	}
	if err := checkVersion(kind, ifMatch, *version(&old)); err != nil {
		return zero, err
	}
	next := old
	if err := apply(&next); err != nil {
		return zero, err
	}
	if err := prepare(old, &next); err != nil {
		return zero, err
	}
	*version(&next) = *version(&old) + 1
	if err := put(ctx, old, next); err != nil {
		return zero, err
	}
	return next, nil
}

// pipelineStates returns the states in order, from the cache while it is
// fresh. Errors: internal.
func (s *Service) pipelineStates(ctx context.Context) ([]State, error) {
	states, err := s.states.Load(struct{}{}, func() ([]State, error) { return s.ListStates(ctx) })
	return slices.Clone(states), err
}

// forgetStates drops the cached states after this instance changed them.
func (s *Service) forgetStates() { s.states.Delete(struct{}{}) }

// takeNumber reads counter and adds to b the step that takes its next
// number, returning that number. Errors: internal.
func (s *Service) takeNumber(ctx context.Context, b *Batch, counter string) (int64, error) {
	n, err := s.store.PeekNumber(ctx, counter)
	if err != nil {
		return 0, err
	}
	b.Counters = append(b.Counters, CounterStep{Name: counter, From: n})
	return n + 1, nil
}

// counterRace reports whether err is a lost race for a sequence number (or
// any item a concurrent transaction wrote).
func counterRace(err error) bool { return errors.Is(err, ErrConcurrentWrite) }

// numberRetries is how often a use case that takes a number starts over
// after losing the number to a concurrent one.
const numberRetries = 20

// again runs f, starting over after a lost race for a sequence number
// (with a short random pause, so that racers spread out).
func again[T any](f func() (T, error)) (T, error) {
	for i := 0; ; i++ {
		v, err := f()
		if !counterRace(err) || i >= numberRetries {
			return v, err
		}
		time.Sleep(time.Duration(rand.IntN(1000*(i+1))) * time.Microsecond)
	}
}

// PipelineStates returns the pipeline states in order, read at most every
// few seconds per instance. Errors: internal.
func (s *Service) PipelineStates(ctx context.Context) ([]State, error) { return s.pipelineStates(ctx) }
