package crm

import (
	"context"
	"time"
)

// Page is one page of a list and the cursor of the next one ("" at the end).
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// ListOptions bound a list request: Limit items at most (1..MaxLimit) from the
// opaque Cursor of a previous page.
type ListOptions struct {
	Limit  int
	Cursor string
}

// List limits.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Normalize applies the default limit and checks the bounds.
func (o *ListOptions) Normalize() error {
	if o.Limit == 0 {
		o.Limit = DefaultLimit
	}
	if o.Limit < 1 || o.Limit > MaxLimit {
		return InvalidField("limit", "must be between 1 and 200")
	}
	if len(o.Cursor) > 2048 {
		return InvalidField("cursor", "is not a valid cursor")
	}
	return nil
}

// ContactStore keeps contacts, their e-mail and phone uniqueness and their
// links to interests.
type ContactStore interface {
	// CreateContact writes a new contact with its uniqueness claims and
	// interest links in one transaction. Errors: conflict (e-mail or phone
	// taken; ExistingID and Fields say by whom and which), invalid (sourceId,
	// agentId or interestIds name nothing), internal.
	CreateContact(ctx context.Context, c Contact) error
	// GetContact reads one contact. Errors: not_found, internal.
	GetContact(ctx context.Context, id string) (Contact, error)
	// UpdateContact replaces old with updated (same ID), moving uniqueness
	// claims and interest links, if old.Version is still current. Errors:
	// precondition_failed (stale), not_found, conflict, invalid, internal.
	UpdateContact(ctx context.Context, old, updated Contact) error
	// DeleteContact removes the contact, its claims and links, if c.Version
	// is still current. Errors: precondition_failed, not_found, internal.
	DeleteContact(ctx context.Context, c Contact) error
	// ListContacts lists the contacts matching f, newest first. Errors:
	// invalid (cursor), internal.
	ListContacts(ctx context.Context, f ContactFilter, o ListOptions) (Page[Contact], error)
}

// CatalogStore keeps sources, interests and agents. Create errors: conflict
// (a unique name or code is taken), internal. Get/Update/Delete errors:
// not_found, precondition_failed (stale version), conflict (in use), internal.
type CatalogStore interface {
	CreateSource(ctx context.Context, s Source) error
	GetSource(ctx context.Context, id string) (Source, error)
	UpdateSource(ctx context.Context, old, updated Source) error
	DeleteSource(ctx context.Context, s Source) error
	ListSources(ctx context.Context, o ListOptions) (Page[Source], error)

	CreateInterest(ctx context.Context, i Interest) error
	GetInterest(ctx context.Context, id string) (Interest, error)
	UpdateInterest(ctx context.Context, old, updated Interest) error
	DeleteInterest(ctx context.Context, i Interest) error
	ListInterests(ctx context.Context, o ListOptions) (Page[Interest], error)

	CreateAgent(ctx context.Context, a Agent) error
	GetAgent(ctx context.Context, id string) (Agent, error)
	UpdateAgent(ctx context.Context, old, updated Agent) error
	DeleteAgent(ctx context.Context, a Agent) error
	ListAgents(ctx context.Context, o ListOptions) (Page[Agent], error)

	// CountContactsWith counts the contacts that use a source, agent or
	// interest (field "sourceId", "agentId" or "interestId"). Errors: internal.
	CountContactsWith(ctx context.Context, field, id string) (int, error)
}

// StateStore keeps the pipeline states.
type StateStore interface {
	// ListStates returns every state, in order. Errors: internal.
	ListStates(ctx context.Context) ([]State, error)
	// WriteStates creates (Version 0 in old) or replaces states and deletes
	// others in one transaction, each guarded by its version. Errors:
	// precondition_failed, internal.
	WriteStates(ctx context.Context, writes []StateWrite) error
}

// StateWrite is one change of WriteStates: Old is the state as read (zero
// for a new state), New the state to write, Delete removes Old instead.
type StateWrite struct {
	Old    State
	New    State
	Delete bool
}

// UserStore keeps users and their API tokens.
type UserStore interface {
	// CreateUser writes a new user. Errors: conflict (e-mail taken), internal.
	CreateUser(ctx context.Context, u User) error
	// GetUser reads one user. Errors: not_found, internal.
	GetUser(ctx context.Context, id string) (User, error)
	// UpdateUser replaces old with updated. Errors: precondition_failed,
	// not_found, conflict, internal.
	UpdateUser(ctx context.Context, old, updated User) error
	// ListUsers lists users, oldest first. Errors: invalid (cursor), internal.
	ListUsers(ctx context.Context, o ListOptions) (Page[User], error)
	// CreateToken stores a token (by hash). Errors: conflict, internal.
	CreateToken(ctx context.Context, t Token) error
	// UserByTokenHash finds the user a token hash belongs to. Errors:
	// not_found, internal.
	UserByTokenHash(ctx context.Context, hash string) (User, error)
	// HasAdmin reports whether an admin user exists. Errors: internal.
	HasAdmin(ctx context.Context) (bool, error)
	// CreateAdmin writes the first admin and its token in one transaction,
	// failing with conflict when an admin marker exists and force is false.
	CreateAdmin(ctx context.Context, u User, t Token, force bool) error
}

// SettingsStore keeps the notification settings and the seed marker.
type SettingsStore interface {
	// ListNotificationSettings returns the stored settings. Errors: internal.
	ListNotificationSettings(ctx context.Context) ([]NotificationSetting, error)
	// PutNotificationSetting replaces a setting guarded by old.Version.
	// Errors: precondition_failed, internal.
	PutNotificationSetting(ctx context.Context, old, updated NotificationSetting) error
	// Seed writes the initial states and settings once; it returns false when
	// the store was seeded already. Errors: internal.
	Seed(ctx context.Context, states []State, settings []NotificationSetting) (bool, error)
}

// IdempotencyRecord remembers the response to a POST with an
// Idempotency-Key, so that a retry gets the same response.
type IdempotencyRecord struct {
	UserID      string
	Key         string
	RequestHash string
	Done        bool
	Status      int
	Location    string
	ETag        string
	Body        []byte
	ExpiresAt   time.Time
}

// IdempotencyStore keeps idempotency records.
type IdempotencyStore interface {
	// ClaimIdempotency records a pending claim on (rec.UserID, rec.Key); if
	// one exists already it returns it (and claimed false). Errors: internal.
	ClaimIdempotency(ctx context.Context, rec IdempotencyRecord) (existing IdempotencyRecord, claimed bool, err error)
	// CompleteIdempotency stores the response of a claimed key. Errors: internal.
	CompleteIdempotency(ctx context.Context, rec IdempotencyRecord) error
	// ReleaseIdempotency drops a claim whose request failed. Errors: internal.
	ReleaseIdempotency(ctx context.Context, userID, key string) error
}

// Store is everything the service needs from persistence.
type Store interface {
	ContactStore
	CatalogStore
	StateStore
	UserStore
	SettingsStore
	IdempotencyStore
}
