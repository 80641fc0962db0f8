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
	// SourceByWebhookHash finds the source whose webhook token has this
	// SHA-256. Errors: not_found, internal.
	SourceByWebhookHash(ctx context.Context, hash string) (Source, error)
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
	// ListStates returns every state, in no particular order (the service
	// sorts them). Errors: internal.
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
	// CreateToken stores a token (by hash). Errors: conflict (the hash
	// exists), not_found (the user), internal.
	CreateToken(ctx context.Context, t Token) error
	// GetToken reads the token of a hash. Errors: not_found, internal.
	GetToken(ctx context.Context, hash string) (Token, error)
	// ListTokens lists a user's tokens, oldest first (by Token.ID); none for
	// an unknown user. Errors: invalid (cursor), internal.
	ListTokens(ctx context.Context, userID string, o ListOptions) (Page[Token], error)
	// DeleteToken deletes the token of userID whose Token.ID is tokenID and
	// returns it. Errors: not_found (no such token of that user), internal.
	DeleteToken(ctx context.Context, userID, tokenID string) (Token, error)
	// TouchToken sets the LastUsedAt of the token of a hash, never making a
	// deleted token again. Errors: not_found, internal.
	TouchToken(ctx context.Context, hash string, at time.Time) error
	// TakeToken deletes the token of a hash and returns it as it was: of
	// two takes of one token, even at the same time, exactly one succeeds
	// (a sign-in link is used once). Errors: not_found (no such token, or
	// taken already), internal.
	TakeToken(ctx context.Context, hash string) (Token, error)
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
	PipelineStore
	LeadStore
	NoteStore
	EffectStore
}

// Write is one entity change of a Batch: New alone (Old zero, version 0)
// creates; Old and New replace Old guarded by its version; Delete removes
// Old guarded by its version.
type Write[T any] struct {
	Old    T
	New    T
	Delete bool
}

// Batch is a set of changes written all or nothing, in one transaction:
// the unit of work of the pipeline's use cases (creating an opportunity
// with its contact's new interest, accepting a quote, which also moves the
// opportunity and converts the contact, ...).
type Batch struct {
	Contacts      []Write[Contact]
	Opportunities []Write[Opportunity]
	Parties       []Write[Party]
	Quotes        []Write[Quote]
	// StateCounts are changes of the per-state opportunity counts the tabs
	// show.
	StateCounts map[string]int64
	// Counters advance sequence counters by one, each guarded by the value
	// read: a concurrent use of the same number fails the batch with a
	// conflict caused by ErrConcurrentWrite, and the use case starts over. A failed
	// batch takes no number, so numbers have no gaps from refused requests.
	Counters []CounterStep
	Notes    []Write[Note]
	Files    []Write[File]
	// Merges enrich existing contacts with lead data (see ContactMerge).
	Merges []ContactMerge
	// Leads are new lead records, each stored under its Key, which must be
	// new (a second delivery of the same lead fails the batch with a
	// conflict caused by ErrDuplicateLead).
	Leads []KeyedLead

	// TrustRefs says that what the writes refer to comes from the use
	// case's own reads (lead intake: the source it was called for, the
	// interests and agents it matched against, cached for seconds), so the
	// store may leave out its checks that they exist: otherwise every lead
	// of a source would check, and conflict on, the same few items. The
	// state an opportunity is counted in is checked all the same.
	TrustRefs bool

	// pooled are the numbers the use case took from the service's pool
	// (not stored: given back if the batch is not committed).
	pooled []pooledNumber
}

// CounterStep advances counter Name from From to From+1.
type CounterStep struct {
	Name string
	From int64
}

// KeyedLead is a lead record and the key that deduplicates it.
type KeyedLead struct {
	Key    string
	Record LeadRecord
}

// PipelineStore keeps opportunities, clients and suppliers, and quotes.
type PipelineStore interface {
	// Commit writes a batch in one transaction; it checks that every entity
	// a written opportunity, party or contact refers to exists. Errors:
	// precondition_failed (a version moved), not_found, conflict (a unique
	// value taken; caused by ErrConcurrentWrite for a lost race, by
	// ErrDuplicateLead for a redelivered lead), invalid (a reference to
	// nothing, naming the field), internal.
	Commit(ctx context.Context, b Batch) error
	// PeekNumber returns the named counter's current value (0 before its
	// first use). A use case takes the next number by adding a CounterStep
	// to its batch. Errors: internal.
	PeekNumber(ctx context.Context, counter string) (int64, error)
	// ReserveNumbers advances the named counter by n (at least 1) at once,
	// outside any batch, and returns the first of the n numbers it
	// reserved: first..first+n-1, which no other reservation or
	// CounterStep gets (a block the service hands out itself: numberPool).
	// Errors: internal.
	ReserveNumbers(ctx context.Context, counter string, n int) (first int64, err error)
	// GetOpportunity reads one opportunity. Errors: not_found, internal.
	GetOpportunity(ctx context.Context, id string) (Opportunity, error)
	// GetOpportunities reads several, by ID; missing ones are absent from
	// the map. Errors: internal.
	GetOpportunities(ctx context.Context, ids []string) (map[string]Opportunity, error)
	// ListOpportunities lists opportunities matching f, most recently
	// changed first. Errors: invalid (cursor), internal.
	ListOpportunities(ctx context.Context, f OpportunityFilter, o ListOptions) (Page[Opportunity], error)
	// CountOpportunitiesOf counts a contact's opportunities. Errors: internal.
	CountOpportunitiesOf(ctx context.Context, contactID string) (int, error)
	// StateCounts returns how many opportunities each state holds. Errors: internal.
	StateCounts(ctx context.Context) (map[string]int64, error)
	// GetParty reads a client or supplier. Errors: not_found, internal.
	GetParty(ctx context.Context, kind PartyKind, id string) (Party, error)
	// ListParties lists clients or suppliers, newest first. Errors: invalid, internal.
	ListParties(ctx context.Context, kind PartyKind, o ListOptions) (Page[Party], error)
	// GetQuote reads one quote. Errors: not_found, internal.
	GetQuote(ctx context.Context, id string) (Quote, error)
	// GetQuotes reads the quotes with the given IDs, in that order, skipping
	// missing ones. Errors: internal.
	GetQuotes(ctx context.Context, ids []string) ([]Quote, error)
}

// ContactMerge enriches an existing contact with a lead's data without
// reading it first: every field of Fill that is set is written only where
// the contact has none (never overwriting), interests are added,
// marketing consent is only ever turned on. AddEmail / AddPhone also claim
// the lead's e-mail / phone for the contact, on condition that the contact
// has none yet (else the batch fails with precondition_failed and the
// caller merges again without them).
type ContactMerge struct {
	ContactID   string
	Fill        Contact
	InterestIDs []string
	AddEmail    bool
	AddPhone    bool
	UpdatedAt   time.Time
	// UpdatedBy is who merges (the user running an import; "" for a
	// webhook) and Via the source of a webhook's lead: they become the
	// contact's UpdatedBy and UpdatedVia.
	UpdatedBy string
	Via       string
}

// LeadLookup is what intake reads in its one read round trip.
type LeadLookup struct {
	Existing   *LeadRecord // the record of the same delivery, if one exists
	EmailOwner string      // the contact holding the lead's e-mail
	PhoneOwner string      // the contact holding one of the lead's phones
}

// LeadStore keeps lead records.
type LeadStore interface {
	// LookupLead reads, in one BatchGetItem, the record under key (if key is
	// set) and the owners of the e-mail and phones. Errors: internal.
	LookupLead(ctx context.Context, key, email string, phones []string) (LeadLookup, error)
	// GetLeadRecord reads the record under key. Errors: not_found, internal.
	GetLeadRecord(ctx context.Context, key string) (LeadRecord, error)
	// ListContactLeads lists the lead records of a contact (ContactID),
	// newest first. Errors: invalid (cursor), internal.
	ListContactLeads(ctx context.Context, contactID string, o ListOptions) (Page[LeadRecord], error)
	// ListRejectedEmails lists the records of refused inbound e-mail
	// (format email, outcome rejected), newest first. Errors: invalid
	// (cursor), internal.
	ListRejectedEmails(ctx context.Context, o ListOptions) (Page[LeadRecord], error)
}

// NoteStore keeps notes (written through Commit).
type NoteStore interface {
	// GetNote reads one note. Errors: not_found, internal.
	GetNote(ctx context.Context, id string) (Note, error)
	// ListNotes lists a parent's notes, newest first, those accept likes.
	// Errors: invalid (cursor), internal.
	ListNotes(ctx context.Context, k ParentKind, parentID string, o ListOptions, accept func(Note) bool) (Page[Note], error)
	// PendingReminders lists pending reminders soonest first: owner is a
	// user ID, "ALL" (remind-everyone notes) or "PENDING" (every pending
	// one); until (if not zero) keeps those due by then. Errors: internal.
	PendingReminders(ctx context.Context, owner string, until time.Time, limit int) ([]Note, error)
	// GetFile reads one file record. Errors: not_found, internal.
	GetFile(ctx context.Context, id string) (File, error)
	// ListFiles lists a parent's complete files, newest first. Errors: invalid, internal.
	ListFiles(ctx context.Context, k ParentKind, parentID string, o ListOptions) (Page[File], error)
}
