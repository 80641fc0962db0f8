package crm

import (
	"strings"
	"time"
)

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
	// OutcomeUnchanged: an import row whose contact holds all its data
	// already; nothing is written, not even a record.
	OutcomeUnchanged LeadOutcome = "unchanged"
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
	// ContactID names the contact an import row is (the id column of an
	// export): the row merges into it when it exists. Webhooks leave it
	// empty.
	ContactID string

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
	// Data is what the sender posted for the contact (normalised; an
	// e-mail or phone that was not valid is in Extra instead), kept whether
	// the lead created a contact or was merged into one, so that what a
	// merge did not write is not lost. Empty for spam.
	Data       LeadData
	ReceivedAt time.Time
}

// LeadData is the contact data of a lead as it arrived.
type LeadData struct {
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
	Interests        []string // as sent: names or IDs
	MarketingConsent bool
}

// IsZero reports whether d holds nothing.
func (d LeadData) IsZero() bool {
	return len(d.Interests) == 0 && d.Address == (Address{}) && !d.MarketingConsent &&
		d.Name+d.Surname+d.Email+d.Phone+d.Mobile+d.TaxID+d.Company+d.JobTitle+d.Web == ""
}

// MaxLeadDataLen bounds each text of a record's LeadData, in characters,
// and MaxLeadInterests its interests: a record stays well inside an item.
const (
	MaxLeadDataLen   = 1000
	MaxLeadInterests = 50
)

// leadData is the bounded LeadData of a cleaned lead.
func leadData(l Lead) LeadData {
	t := func(s string) string { return truncate(s, MaxLeadDataLen) }
	d := LeadData{Name: t(l.Name), Surname: t(l.Surname), Email: t(l.Email), Phone: t(l.Phone), Mobile: t(l.Mobile),
		TaxID: t(l.TaxID), Company: t(l.Company), JobTitle: t(l.JobTitle), Web: t(l.Web), MarketingConsent: l.MarketingConsent,
		Address: Address{Street: t(l.Address.Street), PostalCode: t(l.Address.PostalCode), City: t(l.Address.City),
			Province: t(l.Address.Province), Country: t(l.Address.Country)}}
	for _, in := range l.Interests {
		if in = strings.TrimSpace(in); in != "" && len(d.Interests) < MaxLeadInterests {
			d.Interests = append(d.Interests, t(in))
		}
	}
	return d
}
