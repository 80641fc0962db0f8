package crm

import "time"

// LeadFormat is the kind of sender a lead came from.
type LeadFormat string

// The lead formats.
const (
	FormatForm      LeadFormat = "form"       // an HTML form (urlencoded or multipart)
	FormatJSON      LeadFormat = "json"       // a JSON sender (generic, Zapier-like), optionally signed
	FormatGoogleAds LeadFormat = "google-ads" // the Google Ads lead form webhook
	FormatMeta      LeadFormat = "meta"       // Meta (Facebook, Instagram) lead ads
	FormatImport    LeadFormat = "import"     // a row of a contacts import (not counted as a lead)
)

// LeadOutcome is what intake did with a lead.
type LeadOutcome string

// The lead outcomes.
const (
	OutcomeCreated LeadOutcome = "created" // a new contact was created
	OutcomeMerged  LeadOutcome = "merged"  // an existing contact (same e-mail or phone) was enriched
	OutcomeTest    LeadOutcome = "test"    // a test delivery: recorded, no contact
	OutcomeSpam    LeadOutcome = "spam"    // caught by the honeypot: recorded without its data, no contact
)

// Lead is one lead as a webhook parser reads it, before normalisation:
// the contact fields in the words of the sender, after the source's field
// map. Parsers fill it; IntakeLead normalises, deduplicates and stores it.
type Lead struct {
	Format LeadFormat
	// ExternalID identifies the delivery for deduplication: Google's
	// lead_id, Meta's leadgen_id, the Standard Webhooks webhook-id, or an
	// Idempotency-Key. Empty when the sender gives none.
	ExternalID string

	Name             string
	Surname          string
	Email            string
	Phone            string
	Mobile           string
	TaxID            string
	Company          string
	JobTitle         string
	Web              string
	Address          Address
	Message          string   // free text: goes to the lead record and, for a new contact, its observations
	Interests        []string // names (matched case- and accent-insensitively) or IDs
	MarketingConsent bool
	Attribution      Attribution
	// Extra holds the fields the parser did not recognise, kept in the lead
	// record (bounded), so that nothing the sender sent is lost.
	Extra map[string]string

	IsTest bool // a test delivery (Google's is_test)
	Spam   bool // the honeypot was filled
}

// LeadRecord is what Embudo keeps of every lead it acknowledged.
type LeadRecord struct {
	ID            string
	SourceID      string
	Format        LeadFormat
	ExternalID    string
	Outcome       LeadOutcome
	ContactID     string
	OpportunityID string
	Attribution   Attribution
	Message       string
	Extra         map[string]string
	ReceivedAt    time.Time
}
