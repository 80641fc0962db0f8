package crm

// Snapshot is everything a store holds that outlives a request, as domain
// values: what a store exports and another loads to move a whole CRM between
// adapters (a data directory of an earlier version converted at start,
// `embudo copy`). IDs, versions, timestamps, numbers and token hashes are
// kept exactly. Derived data is not in it: uniqueness claims and interest
// links follow from the entities, so the loading store rebuilds them.
// Idempotency records (a day's retries) and the markers of effects already
// done are not carried either.
type Snapshot struct {
	Contacts      []Contact
	Parties       []Party
	Opportunities []Opportunity
	Quotes        []Quote
	Notes         []Note
	Files         []File
	Sources       []Source
	Interests     []Interest
	Agents        []Agent
	States        []State
	Users         []User
	Tokens        []Token
	Settings      []NotificationSetting
	Leads         []KeyedLead
	Timeline      []TimelineItem
	Stats         []SourceMonth
	// Counters are the sequence counters (opportunity and quote numbers,
	// round-robin positions) by name.
	Counters map[string]int64
	// StateCounts are the per-state opportunity counts the tabs show.
	StateCounts map[string]int64
	// Seeded is set once the states and settings were seeded; AdminCreated
	// once the first admin exists.
	Seeded       bool
	AdminCreated bool
}
