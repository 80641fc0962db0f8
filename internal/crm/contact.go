package crm

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits on contact fields, so that no item can approach DynamoDB's 400 KB.
const (
	MaxNameLen        = 200
	MaxShortTextLen   = 200
	MaxObservationLen = 10000
	MaxURLLen         = 2000
	MaxInterests      = 20
)

// Address is a postal address.
type Address struct {
	Street     string
	PostalCode string
	City       string
	Province   string
	Country    string // ISO 3166 alpha-2, upper case
}

// Attribution is where a contact first came from (first touch).
type Attribution struct {
	UTMSource   string
	UTMMedium   string
	UTMCampaign string
	UTMTerm     string
	UTMContent  string
	GCLID       string
	FBCLID      string
	LandingPage string
	Referrer    string
}

// Contact is a person or company the business deals with that may not (yet)
// be a client or supplier.
type Contact struct {
	ID               string
	Name             string
	Surname          string
	Company          string
	JobTitle         string
	Email            string // normalised: trimmed, lower case
	Phone            string // E.164
	Mobile           string // E.164
	TaxID            string
	Web              string
	Address          Address
	Observations     string
	SourceID         string
	InterestIDs      []string
	AgentID          string
	ClientID         string
	SupplierID       string
	MarketingConsent bool
	Lang             string
	Attribution      Attribution
	CreatedBy        string
	UpdatedBy        string // who made the last change ("" for a web form or the system)
	// UpdatedVia is the source whose lead made the last change when no
	// user did (UpdatedBy ""): the webhook the timeline names. Internal;
	// not shown by the API.
	UpdatedVia string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// FullName is the name and surname joined by a space.
func (c Contact) FullName() string {
	return strings.TrimSpace(c.Name + " " + c.Surname)
}

// Phones returns the distinct normalised phone numbers of the contact.
func (c Contact) Phones() []string {
	var out []string
	for _, p := range []string{c.Phone, c.Mobile} {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// Normalize cleans every field of the contact (trimming, e-mail in lower case,
// phones in E.164 read with region as the default country, deduplicated
// interest IDs) and validates it. It returns a CodeInvalid error naming each
// bad field.
func (c *Contact) Normalize(region string) error {
	f := fieldErrors{}
	requireText(f, "name", &c.Name, MaxNameLen)
	cleanText(f, "surname", &c.Surname, MaxNameLen)
	cleanText(f, "company", &c.Company, MaxShortTextLen)
	cleanText(f, "jobTitle", &c.JobTitle, MaxShortTextLen)
	cleanText(f, "taxId", &c.TaxID, 32)
	c.TaxID = strings.ToUpper(c.TaxID)
	checkURL(f, "web", &c.Web, MaxURLLen)
	cleanText(f, "observations", &c.Observations, MaxObservationLen)
	normalizeReach(f, &c.Email, &c.Phone, &c.Mobile, region)
	c.Address.normalize(f, "address")
	checkRef(f, "sourceId", &c.SourceID)
	checkRef(f, "agentId", &c.AgentID)
	checkRef(f, "clientId", &c.ClientID)
	checkRef(f, "supplierId", &c.SupplierID)
	c.InterestIDs = normalizeIDs(f, "interestIds", c.InterestIDs, MaxInterests)
	checkLang(f, "lang", &c.Lang)
	c.Attribution.normalize(f, "attribution")
	return f.err()
}

func (a *Address) normalize(f fieldErrors, prefix string) {
	cleanText(f, prefix+".street", &a.Street, MaxShortTextLen)
	cleanText(f, prefix+".postalCode", &a.PostalCode, 20)
	cleanText(f, prefix+".city", &a.City, MaxShortTextLen)
	cleanText(f, prefix+".province", &a.Province, MaxShortTextLen)
	cleanText(f, prefix+".country", &a.Country, 2)
	a.Country = strings.ToUpper(a.Country)
	if a.Country != "" && (len(a.Country) != 2 || a.Country[0] < 'A' || a.Country[0] > 'Z' || a.Country[1] < 'A' || a.Country[1] > 'Z') {
		f.add(prefix+".country", "must be a two-letter ISO 3166 country code")
	}
}

func (a *Attribution) normalize(f fieldErrors, prefix string) {
	for _, fld := range []struct {
		name string
		v    *string
		max  int
	}{
		{"utmSource", &a.UTMSource, 200}, {"utmMedium", &a.UTMMedium, 200},
		{"utmCampaign", &a.UTMCampaign, 200}, {"utmTerm", &a.UTMTerm, 200},
		{"utmContent", &a.UTMContent, 200}, {"gclid", &a.GCLID, 200},
		{"fbclid", &a.FBCLID, 500}, {"landingPage", &a.LandingPage, MaxURLLen},
		{"referrer", &a.Referrer, MaxURLLen},
	} {
		cleanText(f, prefix+"."+fld.name, fld.v, fld.max)
	}
}

// normalizeIDs trims, checks and deduplicates a list of IDs, keeping order.
func normalizeIDs(f fieldErrors, field string, ids []string, max int) []string {
	if len(ids) > max {
		f.add(field, "must have at most "+strconv.Itoa(max)+" items")
		return ids
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if !ValidID(id) {
			f.add(field, "has an item that is not a valid ID")
			return ids
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ContactKind filters contacts by what they have become.
type ContactKind string

// The contact kinds of the list filter.
const (
	KindAny      ContactKind = ""
	KindClient   ContactKind = "client"
	KindSupplier ContactKind = "supplier"
	KindNone     ContactKind = "none"
)

// ContactFilter selects contacts in a list. Every set field must match.
type ContactFilter struct {
	SourceID   string
	AgentID    string
	InterestID string
	Kind       ContactKind
	Email      string // normalised
	Phone      string // E.164; matches phone or mobile
	// Query is the name search: the folded words (Words) of what was
	// asked, joined by spaces, each of which must start a search word of
	// the contact (SearchWords: its name, surname and company).
	Query string
}

// Normalize validates the filter and normalises its e-mail, phone and query.
// It returns CodeInvalid naming the query parameter at fault.
func (q *ContactFilter) Normalize(region string) error {
	f := fieldErrors{}
	checkRef(f, "sourceId", &q.SourceID)
	checkRef(f, "agentId", &q.AgentID)
	checkRef(f, "interestId", &q.InterestID)
	switch q.Kind {
	case KindAny, KindClient, KindSupplier, KindNone:
	default:
		f.add("kind", "must be client, supplier or none")
	}
	if e, ok := NormalizeEmail(q.Email); ok {
		q.Email = e
	} else {
		f.add("email", "is not a valid e-mail address")
	}
	if p, ok := NormalizePhone(q.Phone, region); ok {
		q.Phone = p
	} else {
		f.add("phone", "is not a valid phone number")
	}
	if len(q.Query) > MaxNameLen {
		f.add("q", "must be at most "+strconv.Itoa(MaxNameLen)+" characters")
	}
	q.Query = strings.Join(Words(q.Query), " ") // a query without letters or digits filters nothing
	return f.err()
}

// Matches reports whether c passes every condition of the filter.
func (q ContactFilter) Matches(c Contact) bool {
	switch {
	case q.SourceID != "" && c.SourceID != q.SourceID,
		q.AgentID != "" && c.AgentID != q.AgentID,
		q.InterestID != "" && !slices.Contains(c.InterestIDs, q.InterestID),
		q.Email != "" && c.Email != q.Email,
		q.Phone != "" && c.Phone != q.Phone && c.Mobile != q.Phone,
		q.Query != "" && !matchesTerms(c.SearchWords(), q.Terms()):
		return false
	}
	switch q.Kind {
	case KindClient:
		return c.ClientID != ""
	case KindSupplier:
		return c.SupplierID != ""
	case KindNone:
		return c.ClientID == "" && c.SupplierID == ""
	}
	return true
}
