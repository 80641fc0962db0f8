package sqlite

import (
	"slices"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// The row structs are the JSON documents of the doc columns (and of the
// outbox): the crm types have no tags, so each is converted explicitly with
// a toRow / fromRow pair. Empty values read back as the DynamoDB adapter
// reads them: nil slices and maps, interest IDs sorted, quote lines never nil.

type addressRow struct {
	Street     string `json:"street,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	City       string `json:"city,omitempty"`
	Province   string `json:"province,omitempty"`
	Country    string `json:"country,omitempty"`
}

func addressToRow(a crm.Address) *addressRow {
	if a == (crm.Address{}) {
		return nil
	}
	return &addressRow{a.Street, a.PostalCode, a.City, a.Province, a.Country}
}

func addressFromRow(r *addressRow) crm.Address {
	if r == nil {
		return crm.Address{}
	}
	return crm.Address{Street: r.Street, PostalCode: r.PostalCode, City: r.City, Province: r.Province, Country: r.Country}
}

type attributionRow struct {
	UTMSource   string `json:"utmSource,omitempty"`
	UTMMedium   string `json:"utmMedium,omitempty"`
	UTMCampaign string `json:"utmCampaign,omitempty"`
	UTMTerm     string `json:"utmTerm,omitempty"`
	UTMContent  string `json:"utmContent,omitempty"`
	GCLID       string `json:"gclid,omitempty"`
	FBCLID      string `json:"fbclid,omitempty"`
	LandingPage string `json:"landingPage,omitempty"`
	Referrer    string `json:"referrer,omitempty"`
}

func attributionToRow(a crm.Attribution) *attributionRow {
	if a == (crm.Attribution{}) {
		return nil
	}
	return &attributionRow{a.UTMSource, a.UTMMedium, a.UTMCampaign, a.UTMTerm, a.UTMContent, a.GCLID, a.FBCLID, a.LandingPage, a.Referrer}
}

func attributionFromRow(r *attributionRow) crm.Attribution {
	if r == nil {
		return crm.Attribution{}
	}
	return crm.Attribution{UTMSource: r.UTMSource, UTMMedium: r.UTMMedium, UTMCampaign: r.UTMCampaign, UTMTerm: r.UTMTerm,
		UTMContent: r.UTMContent, GCLID: r.GCLID, FBCLID: r.FBCLID, LandingPage: r.LandingPage, Referrer: r.Referrer}
}

// contactRow is a contact as stored.
type contactRow struct {
	ID               string          `json:"id"`
	Name             string          `json:"name"`
	Surname          string          `json:"surname,omitempty"`
	Company          string          `json:"company,omitempty"`
	JobTitle         string          `json:"jobTitle,omitempty"`
	Email            string          `json:"email,omitempty"`
	Phone            string          `json:"phone,omitempty"`
	Mobile           string          `json:"mobile,omitempty"`
	TaxID            string          `json:"taxId,omitempty"`
	Web              string          `json:"web,omitempty"`
	Address          *addressRow     `json:"address,omitempty"`
	Observations     string          `json:"observations,omitempty"`
	SourceID         string          `json:"sourceId,omitempty"`
	InterestIDs      []string        `json:"interestIds,omitempty"`
	AgentID          string          `json:"agentId,omitempty"`
	ClientID         string          `json:"clientId,omitempty"`
	SupplierID       string          `json:"supplierId,omitempty"`
	MarketingConsent bool            `json:"marketingConsent,omitempty"`
	Lang             string          `json:"lang,omitempty"`
	Attribution      *attributionRow `json:"attribution,omitempty"`
	CreatedBy        string          `json:"createdBy,omitempty"`
	UpdatedBy        string          `json:"updatedBy,omitempty"`
	UpdatedVia       string          `json:"updatedVia,omitempty"`
	CreatedAt        time.Time       `json:"createdAt"`
	UpdatedAt        time.Time       `json:"updatedAt"`
	Version          int             `json:"version"`
}

func contactToRow(c crm.Contact) contactRow {
	return contactRow{
		ID: c.ID, Name: c.Name, Surname: c.Surname, Company: c.Company, JobTitle: c.JobTitle,
		Email: c.Email, Phone: c.Phone, Mobile: c.Mobile, TaxID: c.TaxID, Web: c.Web,
		Address: addressToRow(c.Address), Observations: c.Observations, SourceID: c.SourceID,
		InterestIDs: sortedIDs(c.InterestIDs), AgentID: c.AgentID, ClientID: c.ClientID, SupplierID: c.SupplierID,
		MarketingConsent: c.MarketingConsent, Lang: c.Lang, Attribution: attributionToRow(c.Attribution),
		CreatedBy: c.CreatedBy, UpdatedBy: c.UpdatedBy, UpdatedVia: c.UpdatedVia, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version,
	}
}

func contactFromRow(r contactRow) crm.Contact {
	return crm.Contact{
		ID: r.ID, Name: r.Name, Surname: r.Surname, Company: r.Company, JobTitle: r.JobTitle,
		Email: r.Email, Phone: r.Phone, Mobile: r.Mobile, TaxID: r.TaxID, Web: r.Web,
		Address: addressFromRow(r.Address), Observations: r.Observations, SourceID: r.SourceID,
		InterestIDs: sortedIDs(r.InterestIDs), AgentID: r.AgentID, ClientID: r.ClientID, SupplierID: r.SupplierID,
		MarketingConsent: r.MarketingConsent, Lang: r.Lang, Attribution: attributionFromRow(r.Attribution),
		CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy, UpdatedVia: r.UpdatedVia, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version,
	}
}

// sortedIDs returns a sorted copy of a set of IDs (nil when empty): the
// DynamoDB adapter keeps interests as a string set, which reads back sorted.
func sortedIDs(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

type webhookRow struct {
	Kind               string            `json:"kind"`
	TokenHash          string            `json:"tokenHash"`
	Secret             string            `json:"secret,omitempty"`
	VerifyToken        string            `json:"verifyToken,omitempty"`
	AccessToken        string            `json:"accessToken,omitempty"`
	FieldMap           map[string]string `json:"fieldMap,omitempty"`
	AllowedOrigins     []string          `json:"allowedOrigins,omitempty"`
	RedirectURL        string            `json:"redirectUrl,omitempty"`
	Honeypot           string            `json:"honeypot,omitempty"`
	DefaultAgentID     string            `json:"defaultAgentId,omitempty"`
	Assignment         string            `json:"assignment,omitempty"`
	CreateOpportunity  bool              `json:"createOpportunity,omitempty"`
	OpportunityStateID string            `json:"opportunityStateId,omitempty"`
}

// sourceRow is a source as stored; the webhook's token itself is never
// stored, only its hash.
type sourceRow struct {
	ID           string      `json:"id"`
	Name         string      `json:"name"`
	Observations string      `json:"observations,omitempty"`
	CostCents    int64       `json:"costCents"`
	Webhook      *webhookRow `json:"webhook,omitempty"`
	CreatedAt    time.Time   `json:"createdAt"`
	UpdatedAt    time.Time   `json:"updatedAt"`
	Version      int         `json:"version"`
}

func sourceToRow(s crm.Source) sourceRow {
	r := sourceRow{ID: s.ID, Name: s.Name, Observations: s.Observations, CostCents: s.CostCents,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version}
	if w := s.Webhook; w != nil {
		r.Webhook = &webhookRow{Kind: string(w.Kind), TokenHash: w.TokenHash, Secret: w.Secret, VerifyToken: w.VerifyToken,
			AccessToken: w.AccessToken, FieldMap: w.FieldMap, AllowedOrigins: w.AllowedOrigins, RedirectURL: w.RedirectURL,
			Honeypot: w.Honeypot, DefaultAgentID: w.DefaultAgentID, Assignment: string(w.Assignment),
			CreateOpportunity: w.CreateOpportunity, OpportunityStateID: w.OpportunityStateID}
	}
	return r
}

func sourceFromRow(r sourceRow) crm.Source {
	s := crm.Source{ID: r.ID, Name: r.Name, Observations: r.Observations, CostCents: r.CostCents,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	if w := r.Webhook; w != nil {
		s.Webhook = &crm.Webhook{Kind: crm.LeadFormat(w.Kind), TokenHash: w.TokenHash, Secret: w.Secret, VerifyToken: w.VerifyToken,
			AccessToken: w.AccessToken, FieldMap: w.FieldMap, AllowedOrigins: w.AllowedOrigins, RedirectURL: w.RedirectURL,
			Honeypot: w.Honeypot, DefaultAgentID: w.DefaultAgentID, Assignment: crm.Assignment(w.Assignment),
			CreateOpportunity: w.CreateOpportunity, OpportunityStateID: w.OpportunityStateID}
		if len(w.FieldMap) == 0 {
			s.Webhook.FieldMap = nil
		}
		if len(w.AllowedOrigins) == 0 {
			s.Webhook.AllowedOrigins = nil
		}
	}
	return s
}

type interestRow struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Observations string    `json:"observations,omitempty"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
	Version      int       `json:"version"`
}

func interestToRow(i crm.Interest) interestRow {
	return interestRow{i.ID, i.Name, i.Observations, i.CreatedAt, i.UpdatedAt, i.Version}
}

func interestFromRow(r interestRow) crm.Interest {
	return crm.Interest{ID: r.ID, Name: r.Name, Observations: r.Observations, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

type agentRow struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Active    bool      `json:"active,omitempty"`
	UserID    string    `json:"userId,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int       `json:"version"`
}

func agentToRow(a crm.Agent) agentRow {
	return agentRow{a.ID, a.Code, a.Name, a.Email, a.Active, a.UserID, a.CreatedAt, a.UpdatedAt, a.Version}
}

func agentFromRow(r agentRow) crm.Agent {
	return crm.Agent{ID: r.ID, Code: r.Code, Name: r.Name, Email: r.Email, Active: r.Active, UserID: r.UserID,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

type stateRow struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Order     int       `json:"order"`
	Color     string    `json:"color,omitempty"`
	Default   bool      `json:"default,omitempty"`
	Outcome   string    `json:"outcome"`
	ShowTab   bool      `json:"showTab,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int       `json:"version"`
}

func stateToRow(s crm.State) stateRow {
	return stateRow{s.ID, s.Name, s.Order, s.Color, s.Default, string(s.Outcome), s.ShowTab, s.CreatedAt, s.UpdatedAt, s.Version}
}

func stateFromRow(r stateRow) crm.State {
	return crm.State{ID: r.ID, Name: r.Name, Order: r.Order, Color: r.Color, Default: r.Default, Outcome: crm.Outcome(r.Outcome),
		ShowTab: r.ShowTab, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

type userRow struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	AgentID   string    `json:"agentId,omitempty"`
	Active    bool      `json:"active,omitempty"`
	Lang      string    `json:"lang,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int       `json:"version"`
}

func userToRow(u crm.User) userRow {
	return userRow{u.ID, u.Name, u.Email, string(u.Role), u.AgentID, u.Active, u.Lang, u.CreatedAt, u.UpdatedAt, u.Version}
}

func userFromRow(r userRow) crm.User {
	return crm.User{ID: r.ID, Name: r.Name, Email: r.Email, Role: crm.Role(r.Role), AgentID: r.AgentID, Active: r.Active,
		Lang: r.Lang, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

type tokenRow struct {
	Hash       string     `json:"hash"`
	UserID     string     `json:"userId"`
	Name       string     `json:"name,omitempty"`
	Prefix     string     `json:"prefix,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	Kind       string     `json:"kind,omitempty"` // "": an API token, as every row written before kinds
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
}

func tokenToRow(t crm.Token) tokenRow {
	r := tokenRow{Hash: t.Hash, UserID: t.UserID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt, Kind: string(t.Kind)}
	if !t.LastUsedAt.IsZero() {
		at := t.LastUsedAt
		r.LastUsedAt = &at
	}
	if !t.ExpiresAt.IsZero() {
		at := t.ExpiresAt
		r.ExpiresAt = &at
	}
	return r
}

func tokenFromRow(r tokenRow) crm.Token {
	t := crm.Token{Hash: r.Hash, UserID: r.UserID, Name: r.Name, Prefix: r.Prefix, CreatedAt: r.CreatedAt, Kind: crm.TokenKind(r.Kind)}
	if r.LastUsedAt != nil {
		t.LastUsedAt = *r.LastUsedAt
	}
	if r.ExpiresAt != nil {
		t.ExpiresAt = *r.ExpiresAt
	}
	return t
}

type overrideRow struct {
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body,omitempty"`
}

type settingRow struct {
	Key       string                 `json:"key"`
	Enabled   bool                   `json:"enabled,omitempty"`
	Overrides map[string]overrideRow `json:"overrides,omitempty"`
	UpdatedAt time.Time              `json:"updatedAt"`
	Version   int                    `json:"version"`
}

func settingToRow(s crm.NotificationSetting) settingRow {
	r := settingRow{Key: s.Key, Enabled: s.Enabled, UpdatedAt: s.UpdatedAt, Version: s.Version}
	if len(s.Overrides) > 0 {
		r.Overrides = map[string]overrideRow{}
		for l, o := range s.Overrides {
			r.Overrides[l] = overrideRow{o.Subject, o.Body}
		}
	}
	return r
}

func settingFromRow(r settingRow) crm.NotificationSetting {
	s := crm.NotificationSetting{Key: r.Key, Enabled: r.Enabled, UpdatedAt: r.UpdatedAt, Version: r.Version}
	if len(r.Overrides) > 0 {
		s.Overrides = map[string]crm.TemplateOverride{}
		for l, o := range r.Overrides {
			s.Overrides[l] = crm.TemplateOverride{Subject: o.Subject, Body: o.Body}
		}
	}
	return s
}

type quoteRefRow struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	SubtotalCents int64  `json:"subtotalCents"`
}

// opportunityRow is an opportunity as stored.
type opportunityRow struct {
	ID                string        `json:"id"`
	Number            int64         `json:"number"`
	ContactID         string        `json:"contactId"`
	Description       string        `json:"description"`
	Observations      string        `json:"observations,omitempty"`
	StateID           string        `json:"stateId"`
	InterestID        string        `json:"interestId,omitempty"`
	SourceID          string        `json:"sourceId,omitempty"`
	AgentID           string        `json:"agentId,omitempty"`
	AssigneeID        string        `json:"assigneeId,omitempty"`
	CreatedBy         string        `json:"createdBy,omitempty"`
	UpdatedBy         string        `json:"updatedBy,omitempty"`
	ApproxAmountCents int64         `json:"approxAmountCents"`
	AmountCents       int64         `json:"amountCents"`
	Currency          string        `json:"currency"`
	ExpectedCloseDate string        `json:"expectedCloseDate,omitempty"`
	ClosedAt          *time.Time    `json:"closedAt,omitempty"`
	Outcome           string        `json:"outcome,omitempty"`
	LostReason        string        `json:"lostReason,omitempty"`
	Quotes            []quoteRefRow `json:"quotes,omitempty"`
	CreatedAt         time.Time     `json:"createdAt"`
	UpdatedAt         time.Time     `json:"updatedAt"`
	Version           int           `json:"version"`
}

func opportunityToRow(o crm.Opportunity) opportunityRow {
	var refs []quoteRefRow
	for _, q := range o.Quotes {
		refs = append(refs, quoteRefRow{q.ID, string(q.Status), q.SubtotalCents})
	}
	return opportunityRow{
		ID: o.ID, Number: o.Number, ContactID: o.ContactID, Description: o.Description, Observations: o.Observations,
		StateID: o.StateID, InterestID: o.InterestID, SourceID: o.SourceID, AgentID: o.AgentID, AssigneeID: o.AssigneeID,
		CreatedBy: o.CreatedBy, UpdatedBy: o.UpdatedBy, ApproxAmountCents: o.ApproxAmountCents, AmountCents: o.AmountCents,
		Currency: o.Currency, ExpectedCloseDate: o.ExpectedCloseDate, ClosedAt: o.ClosedAt, Outcome: string(o.Outcome),
		LostReason: o.LostReason, Quotes: refs, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version,
	}
}

func opportunityFromRow(r opportunityRow) crm.Opportunity {
	var refs []crm.QuoteRef
	for _, q := range r.Quotes {
		refs = append(refs, crm.QuoteRef{ID: q.ID, Status: crm.QuoteStatus(q.Status), SubtotalCents: q.SubtotalCents})
	}
	return crm.Opportunity{
		ID: r.ID, Number: r.Number, ContactID: r.ContactID, Description: r.Description, Observations: r.Observations,
		StateID: r.StateID, InterestID: r.InterestID, SourceID: r.SourceID, AgentID: r.AgentID, AssigneeID: r.AssigneeID,
		CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy, ApproxAmountCents: r.ApproxAmountCents, AmountCents: r.AmountCents,
		Currency: r.Currency, ExpectedCloseDate: r.ExpectedCloseDate, ClosedAt: r.ClosedAt, Outcome: crm.Outcome(r.Outcome),
		LostReason: r.LostReason, Quotes: refs, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version,
	}
}

// partyRow is a client or supplier as stored.
type partyRow struct {
	Kind          string    `json:"kind"`
	ID            string    `json:"id"`
	Code          string    `json:"code"`
	Name          string    `json:"name"`
	LegalName     string    `json:"legalName"`
	TaxID         string    `json:"taxId,omitempty"`
	Email         string    `json:"email,omitempty"`
	Phone         string    `json:"phone,omitempty"`
	Mobile        string    `json:"mobile,omitempty"`
	Web           string    `json:"web,omitempty"`
	AgentID       string    `json:"agentId,omitempty"`
	Observations  string    `json:"observations,omitempty"`
	MainContactID string    `json:"mainContactId"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	Version       int       `json:"version"`
}

func partyToRow(p crm.Party) partyRow {
	return partyRow{Kind: string(p.Kind), ID: p.ID, Code: p.Code, Name: p.Name, LegalName: p.LegalName, TaxID: p.TaxID,
		Email: p.Email, Phone: p.Phone, Mobile: p.Mobile, Web: p.Web, AgentID: p.AgentID, Observations: p.Observations,
		MainContactID: p.MainContactID, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

func partyFromRow(r partyRow) crm.Party {
	k := crm.PartyClient
	if r.Kind == string(crm.PartySupplier) {
		k = crm.PartySupplier
	}
	return crm.Party{Kind: k, ID: r.ID, Code: r.Code, Name: r.Name, LegalName: r.LegalName, TaxID: r.TaxID,
		Email: r.Email, Phone: r.Phone, Mobile: r.Mobile, Web: r.Web, AgentID: r.AgentID, Observations: r.Observations,
		MainContactID: r.MainContactID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

type quoteLineRow struct {
	Description    string `json:"description"`
	InterestID     string `json:"interestId,omitempty"`
	QuantityMilli  int64  `json:"quantityMilli"`
	UnitPriceCents int64  `json:"unitPriceCents"`
	DiscountBP     int64  `json:"discountBP"`
	TaxBP          int64  `json:"taxBP"`
	NetCents       int64  `json:"netCents"`
	TaxCents       int64  `json:"taxCents"`
	TotalCents     int64  `json:"totalCents"`
}

// quoteRow is a quote as stored.
type quoteRow struct {
	ID            string         `json:"id"`
	Number        string         `json:"number"`
	OpportunityID string         `json:"opportunityId"`
	ContactID     string         `json:"contactId"`
	Lines         []quoteLineRow `json:"lines"`
	SubtotalCents int64          `json:"subtotalCents"`
	TaxCents      int64          `json:"taxCents"`
	TotalCents    int64          `json:"totalCents"`
	Currency      string         `json:"currency"`
	Status        string         `json:"status"`
	ValidUntil    string         `json:"validUntil,omitempty"`
	CreatedBy     string         `json:"createdBy,omitempty"`
	CreatedAt     time.Time      `json:"createdAt"`
	UpdatedAt     time.Time      `json:"updatedAt"`
	Version       int            `json:"version"`
}

func quoteToRow(q crm.Quote) quoteRow {
	lines := make([]quoteLineRow, len(q.Lines))
	for i, l := range q.Lines {
		lines[i] = quoteLineRow{l.Description, l.InterestID, l.QuantityMilli, l.UnitPriceCents, l.DiscountBP, l.TaxBP, l.NetCents, l.TaxCents, l.TotalCents}
	}
	return quoteRow{ID: q.ID, Number: q.Number, OpportunityID: q.OpportunityID, ContactID: q.ContactID, Lines: lines,
		SubtotalCents: q.SubtotalCents, TaxCents: q.TaxCents, TotalCents: q.TotalCents, Currency: q.Currency,
		Status: string(q.Status), ValidUntil: q.ValidUntil, CreatedBy: q.CreatedBy, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt, Version: q.Version}
}

func quoteFromRow(r quoteRow) crm.Quote {
	lines := make([]crm.QuoteLine, len(r.Lines))
	for i, l := range r.Lines {
		lines[i] = crm.QuoteLine{Description: l.Description, InterestID: l.InterestID, QuantityMilli: l.QuantityMilli,
			UnitPriceCents: l.UnitPriceCents, DiscountBP: l.DiscountBP, TaxBP: l.TaxBP, NetCents: l.NetCents, TaxCents: l.TaxCents, TotalCents: l.TotalCents}
	}
	return crm.Quote{ID: r.ID, Number: r.Number, OpportunityID: r.OpportunityID, ContactID: r.ContactID, Lines: lines,
		SubtotalCents: r.SubtotalCents, TaxCents: r.TaxCents, TotalCents: r.TotalCents, Currency: r.Currency,
		Status: crm.QuoteStatus(r.Status), ValidUntil: r.ValidUntil, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

// noteRow is a note as stored.
type noteRow struct {
	ID         string     `json:"id"`
	ParentKind string     `json:"parentKind"`
	ParentID   string     `json:"parentId"`
	ContactID  string     `json:"contactId,omitempty"`
	Text       string     `json:"text"`
	InterestID string     `json:"interestId,omitempty"`
	Visibility string     `json:"visibility"`
	AvisoAt    *time.Time `json:"avisoAt,omitempty"`
	RemindAll  bool       `json:"remindAll,omitempty"`
	NotifiedAt *time.Time `json:"notifiedAt,omitempty"`
	CreatedBy  string     `json:"createdBy,omitempty"`
	UpdatedBy  string     `json:"updatedBy,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
	UpdatedAt  time.Time  `json:"updatedAt"`
	Version    int        `json:"version"`
}

func noteToRow(n crm.Note) noteRow {
	return noteRow{ID: n.ID, ParentKind: string(n.ParentKind), ParentID: n.ParentID, ContactID: n.ContactID, Text: n.Text,
		InterestID: n.InterestID, Visibility: string(n.Visibility), AvisoAt: n.AvisoAt, RemindAll: n.RemindAll,
		NotifiedAt: n.NotifiedAt, CreatedBy: n.CreatedBy, UpdatedBy: n.UpdatedBy, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, Version: n.Version}
}

func noteFromRow(r noteRow) crm.Note {
	return crm.Note{ID: r.ID, ParentKind: crm.ParentKind(r.ParentKind), ParentID: r.ParentID, ContactID: r.ContactID, Text: r.Text,
		InterestID: r.InterestID, Visibility: crm.Visibility(r.Visibility), AvisoAt: r.AvisoAt, RemindAll: r.RemindAll,
		NotifiedAt: r.NotifiedAt, CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

// fileRow is a file record as stored.
type fileRow struct {
	ID          string    `json:"id"`
	ParentKind  string    `json:"parentKind"`
	ParentID    string    `json:"parentId"`
	ContactID   string    `json:"contactId,omitempty"`
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	Status      string    `json:"status"`
	UploadedBy  string    `json:"uploadedBy,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	Version     int       `json:"version"`
}

func fileToRow(f crm.File) fileRow {
	return fileRow{f.ID, string(f.ParentKind), f.ParentID, f.ContactID, f.Name, f.ContentType, f.Size, string(f.Status),
		f.UploadedBy, f.CreatedAt, f.UpdatedAt, f.Version}
}

func fileFromRow(r fileRow) crm.File {
	return crm.File{ID: r.ID, ParentKind: crm.ParentKind(r.ParentKind), ParentID: r.ParentID, ContactID: r.ContactID, Name: r.Name,
		ContentType: r.ContentType, Size: r.Size, Status: crm.FileStatus(r.Status), UploadedBy: r.UploadedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

// leadRow is a lead record as stored (its deduplication key is a column).
type leadRow struct {
	ID            string            `json:"id"`
	SourceID      string            `json:"sourceId"`
	Format        string            `json:"format"`
	ExternalID    string            `json:"externalId,omitempty"`
	Outcome       string            `json:"outcome"`
	ContactID     string            `json:"contactId,omitempty"`
	OpportunityID string            `json:"opportunityId,omitempty"`
	Attribution   *attributionRow   `json:"attribution,omitempty"`
	Message       string            `json:"message,omitempty"`
	Extra         map[string]string `json:"extra,omitempty"`
	Data          *leadDataRow      `json:"data,omitempty"`
	ReceivedAt    time.Time         `json:"receivedAt"`
}

// leadDataRow is what a lead posted for its contact.
type leadDataRow struct {
	Name             string      `json:"name,omitempty"`
	Surname          string      `json:"surname,omitempty"`
	Email            string      `json:"email,omitempty"`
	Phone            string      `json:"phone,omitempty"`
	Mobile           string      `json:"mobile,omitempty"`
	TaxID            string      `json:"taxId,omitempty"`
	Company          string      `json:"company,omitempty"`
	JobTitle         string      `json:"jobTitle,omitempty"`
	Web              string      `json:"web,omitempty"`
	Address          *addressRow `json:"address,omitempty"`
	Interests        []string    `json:"interests,omitempty"`
	MarketingConsent bool        `json:"marketingConsent,omitempty"`
}

func leadToRow(r crm.LeadRecord) leadRow {
	row := leadRow{ID: r.ID, SourceID: r.SourceID, Format: string(r.Format), ExternalID: r.ExternalID, Outcome: string(r.Outcome),
		ContactID: r.ContactID, OpportunityID: r.OpportunityID, Attribution: attributionToRow(r.Attribution),
		Message: r.Message, Extra: r.Extra, ReceivedAt: r.ReceivedAt}
	if d := r.Data; !d.IsZero() {
		row.Data = &leadDataRow{Name: d.Name, Surname: d.Surname, Email: d.Email, Phone: d.Phone, Mobile: d.Mobile, TaxID: d.TaxID,
			Company: d.Company, JobTitle: d.JobTitle, Web: d.Web, Address: addressToRow(d.Address), Interests: d.Interests,
			MarketingConsent: d.MarketingConsent}
	}
	return row
}

func leadFromRow(r leadRow) crm.LeadRecord {
	rec := crm.LeadRecord{ID: r.ID, SourceID: r.SourceID, Format: crm.LeadFormat(r.Format), ExternalID: r.ExternalID,
		Outcome: crm.LeadOutcome(r.Outcome), ContactID: r.ContactID, OpportunityID: r.OpportunityID,
		Attribution: attributionFromRow(r.Attribution), Message: r.Message, Extra: r.Extra, ReceivedAt: r.ReceivedAt}
	if len(rec.Extra) == 0 {
		rec.Extra = nil
	}
	if d := r.Data; d != nil {
		rec.Data = crm.LeadData{Name: d.Name, Surname: d.Surname, Email: d.Email, Phone: d.Phone, Mobile: d.Mobile, TaxID: d.TaxID,
			Company: d.Company, JobTitle: d.JobTitle, Web: d.Web, Address: addressFromRow(d.Address), Interests: d.Interests,
			MarketingConsent: d.MarketingConsent}
	}
	return rec
}

// timelineRow is a timeline entry as stored.
type timelineRow struct {
	ContactID string    `json:"contactId"`
	At        time.Time `json:"at"`
	EventID   string    `json:"eventId"`
	Kind      string    `json:"kind"`
	Summary   string    `json:"summary,omitempty"`
	RefKind   string    `json:"refKind,omitempty"`
	RefID     string    `json:"refId,omitempty"`
	Actor     string    `json:"actor,omitempty"`
	ActorName string    `json:"actorName,omitempty"`
	PrivateTo string    `json:"privateTo,omitempty"`
}

func timelineToRow(t crm.TimelineItem) timelineRow {
	return timelineRow{t.ContactID, t.At, t.EventID, string(t.Kind), t.Summary, t.RefKind, t.RefID, t.Actor, t.ActorName, t.PrivateTo}
}

func timelineFromRow(r timelineRow) crm.TimelineItem {
	return crm.TimelineItem{ContactID: r.ContactID, At: r.At, EventID: r.EventID, Kind: crm.TimelineKind(r.Kind),
		Summary: r.Summary, RefKind: r.RefKind, RefID: r.RefID, Actor: r.Actor, ActorName: r.ActorName, PrivateTo: r.PrivateTo}
}
