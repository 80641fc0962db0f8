package dynamo

import (
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// keys holds the key attributes every item has.
type keys struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	Type   string `dynamodbav:"type"`
	GSI1PK string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK string `dynamodbav:"GSI1SK,omitempty"`
	GSI2PK string `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK string `dynamodbav:"GSI2SK,omitempty"`
	GSI3PK string `dynamodbav:"GSI3PK,omitempty"`
	GSI3SK string `dynamodbav:"GSI3SK,omitempty"`
	GSI4PK string `dynamodbav:"GSI4PK,omitempty"`
	GSI4SK string `dynamodbav:"GSI4SK,omitempty"`
	GSI5PK string `dynamodbav:"GSI5PK,omitempty"` // GSI5 to GSI7 sort on GSI1SK
	GSI6PK string `dynamodbav:"GSI6PK,omitempty"`
	GSI7PK string `dynamodbav:"GSI7PK,omitempty"`
}

func entityKeys(kind, id string) keys {
	return keys{PK: kind + "#" + id, SK: kind, Type: kind, GSI1PK: kind, GSI1SK: id}
}

type addressItem struct {
	Street     string `dynamodbav:"street,omitempty"`
	PostalCode string `dynamodbav:"postalCode,omitempty"`
	City       string `dynamodbav:"city,omitempty"`
	Province   string `dynamodbav:"province,omitempty"`
	Country    string `dynamodbav:"country,omitempty"`
}

type attributionItem struct {
	UTMSource   string `dynamodbav:"utmSource,omitempty"`
	UTMMedium   string `dynamodbav:"utmMedium,omitempty"`
	UTMCampaign string `dynamodbav:"utmCampaign,omitempty"`
	UTMTerm     string `dynamodbav:"utmTerm,omitempty"`
	UTMContent  string `dynamodbav:"utmContent,omitempty"`
	GCLID       string `dynamodbav:"gclid,omitempty"`
	FBCLID      string `dynamodbav:"fbclid,omitempty"`
	LandingPage string `dynamodbav:"landingPage,omitempty"`
	Referrer    string `dynamodbav:"referrer,omitempty"`
}

// contactItem is a contact as stored.
type contactItem struct {
	keys
	ID               string           `dynamodbav:"id"`
	Name             string           `dynamodbav:"name"`
	Surname          string           `dynamodbav:"surname,omitempty"`
	Company          string           `dynamodbav:"company,omitempty"`
	JobTitle         string           `dynamodbav:"jobTitle,omitempty"`
	Email            string           `dynamodbav:"email,omitempty"`
	Phone            string           `dynamodbav:"phone,omitempty"`
	Mobile           string           `dynamodbav:"mobile,omitempty"`
	TaxID            string           `dynamodbav:"taxId,omitempty"`
	Web              string           `dynamodbav:"web,omitempty"`
	Address          *addressItem     `dynamodbav:"address,omitempty"`
	Observations     string           `dynamodbav:"observations,omitempty"`
	SourceID         string           `dynamodbav:"sourceId,omitempty"`
	InterestIDs      []string         `dynamodbav:"interestIds,omitempty,stringset"`
	AgentID          string           `dynamodbav:"agentId,omitempty"`
	ClientID         string           `dynamodbav:"clientId,omitempty"`
	SupplierID       string           `dynamodbav:"supplierId,omitempty"`
	MarketingConsent bool             `dynamodbav:"marketingConsent"`
	Lang             string           `dynamodbav:"lang,omitempty"`
	Attribution      *attributionItem `dynamodbav:"attribution,omitempty"`
	CreatedBy        string           `dynamodbav:"createdBy,omitempty"`
	UpdatedBy        string           `dynamodbav:"updatedBy,omitempty"`
	UpdatedVia       string           `dynamodbav:"updatedVia,omitempty"`
	CreatedAt        time.Time        `dynamodbav:"createdAt"`
	UpdatedAt        time.Time        `dynamodbav:"updatedAt"`
	Version          int              `dynamodbav:"version"`
}

func contactToItem(c crm.Contact) contactItem {
	k := entityKeys(kindContact, c.ID)
	if c.AgentID != "" {
		k.GSI2PK, k.GSI2SK = kindContact+"#AGENT#"+c.AgentID, c.ID
	}
	if c.SourceID != "" {
		k.GSI3PK, k.GSI3SK = kindContact+"#SOURCE#"+c.SourceID, c.ID
	}
	a, t := c.Address, c.Attribution
	var addr *addressItem
	if a != (crm.Address{}) {
		addr = &addressItem{a.Street, a.PostalCode, a.City, a.Province, a.Country}
	}
	var attr *attributionItem
	if t != (crm.Attribution{}) {
		attr = &attributionItem{t.UTMSource, t.UTMMedium, t.UTMCampaign, t.UTMTerm,
			t.UTMContent, t.GCLID, t.FBCLID, t.LandingPage, t.Referrer}
	}
	return contactItem{
		keys: k, ID: c.ID, Name: c.Name, Surname: c.Surname, Company: c.Company,
		JobTitle: c.JobTitle, Email: c.Email, Phone: c.Phone, Mobile: c.Mobile,
		TaxID: c.TaxID, Web: c.Web,
		Address:      addr,
		Observations: c.Observations, SourceID: c.SourceID, InterestIDs: c.InterestIDs,
		AgentID: c.AgentID, ClientID: c.ClientID, SupplierID: c.SupplierID,
		MarketingConsent: c.MarketingConsent, Lang: c.Lang,
		Attribution: attr,
		CreatedBy:   c.CreatedBy, UpdatedBy: c.UpdatedBy, UpdatedVia: c.UpdatedVia, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version,
	}
}

func contactFromItem(it contactItem) crm.Contact {
	var a addressItem
	if it.Address != nil {
		a = *it.Address
	}
	var t attributionItem
	if it.Attribution != nil {
		t = *it.Attribution
	}
	return crm.Contact{
		ID: it.ID, Name: it.Name, Surname: it.Surname, Company: it.Company,
		JobTitle: it.JobTitle, Email: it.Email, Phone: it.Phone, Mobile: it.Mobile,
		TaxID: it.TaxID, Web: it.Web,
		Address:      crm.Address{Street: a.Street, PostalCode: a.PostalCode, City: a.City, Province: a.Province, Country: a.Country},
		Observations: it.Observations, SourceID: it.SourceID, InterestIDs: sortedIDs(it.InterestIDs),
		AgentID: it.AgentID, ClientID: it.ClientID, SupplierID: it.SupplierID,
		MarketingConsent: it.MarketingConsent, Lang: it.Lang,
		Attribution: crm.Attribution{UTMSource: t.UTMSource, UTMMedium: t.UTMMedium,
			UTMCampaign: t.UTMCampaign, UTMTerm: t.UTMTerm, UTMContent: t.UTMContent,
			GCLID: t.GCLID, FBCLID: t.FBCLID, LandingPage: t.LandingPage, Referrer: t.Referrer},
		CreatedBy: it.CreatedBy, UpdatedBy: it.UpdatedBy, UpdatedVia: it.UpdatedVia, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version,
	}
}

type webhookItem struct {
	Kind               string            `dynamodbav:"kind"`
	TokenHash          string            `dynamodbav:"tokenHash"`
	Secret             string            `dynamodbav:"secret,omitempty"`
	VerifyToken        string            `dynamodbav:"verifyToken,omitempty"`
	AccessToken        string            `dynamodbav:"accessToken,omitempty"`
	FieldMap           map[string]string `dynamodbav:"fieldMap,omitempty"`
	AllowedOrigins     []string          `dynamodbav:"allowedOrigins,omitempty"`
	RedirectURL        string            `dynamodbav:"redirectUrl,omitempty"`
	Honeypot           string            `dynamodbav:"honeypot,omitempty"`
	DefaultAgentID     string            `dynamodbav:"defaultAgentId,omitempty"`
	Assignment         string            `dynamodbav:"assignment,omitempty"`
	CreateOpportunity  bool              `dynamodbav:"createOpportunity"`
	OpportunityStateID string            `dynamodbav:"opportunityStateId,omitempty"`
}

type sourceItem struct {
	keys
	ID           string       `dynamodbav:"id"`
	Name         string       `dynamodbav:"name"`
	Observations string       `dynamodbav:"observations,omitempty"`
	CostCents    int64        `dynamodbav:"costCents"`
	Webhook      *webhookItem `dynamodbav:"webhook,omitempty"`
	CreatedAt    time.Time    `dynamodbav:"createdAt"`
	UpdatedAt    time.Time    `dynamodbav:"updatedAt"`
	Version      int          `dynamodbav:"version"`
}

func sourceToItem(s crm.Source) sourceItem {
	it := sourceItem{keys: entityKeys(kindSource, s.ID), ID: s.ID, Name: s.Name, Observations: s.Observations,
		CostCents: s.CostCents, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version}
	if w := s.Webhook; w != nil {
		it.Webhook = &webhookItem{Kind: string(w.Kind), TokenHash: w.TokenHash, Secret: w.Secret, VerifyToken: w.VerifyToken,
			AccessToken: w.AccessToken, FieldMap: w.FieldMap, RedirectURL: w.RedirectURL, Honeypot: w.Honeypot,
			DefaultAgentID: w.DefaultAgentID, Assignment: string(w.Assignment), CreateOpportunity: w.CreateOpportunity,
			OpportunityStateID: w.OpportunityStateID}
		if len(w.AllowedOrigins) > 0 {
			it.Webhook.AllowedOrigins = w.AllowedOrigins
		}
		if len(w.FieldMap) == 0 {
			it.Webhook.FieldMap = nil
		}
	}
	return it
}

func sourceFromItem(it sourceItem) crm.Source {
	s := crm.Source{ID: it.ID, Name: it.Name, Observations: it.Observations, CostCents: it.CostCents,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version}
	if w := it.Webhook; w != nil {
		s.Webhook = &crm.Webhook{Kind: crm.LeadFormat(w.Kind), TokenHash: w.TokenHash, Secret: w.Secret, VerifyToken: w.VerifyToken,
			AccessToken: w.AccessToken, FieldMap: w.FieldMap, AllowedOrigins: w.AllowedOrigins, RedirectURL: w.RedirectURL,
			Honeypot: w.Honeypot, DefaultAgentID: w.DefaultAgentID, Assignment: crm.Assignment(w.Assignment),
			CreateOpportunity: w.CreateOpportunity, OpportunityStateID: w.OpportunityStateID}
	}
	return s
}

type interestItem struct {
	keys
	ID           string    `dynamodbav:"id"`
	Name         string    `dynamodbav:"name"`
	Observations string    `dynamodbav:"observations,omitempty"`
	CreatedAt    time.Time `dynamodbav:"createdAt"`
	UpdatedAt    time.Time `dynamodbav:"updatedAt"`
	Version      int       `dynamodbav:"version"`
}

func interestToItem(i crm.Interest) interestItem {
	return interestItem{entityKeys(kindInterest, i.ID), i.ID, i.Name, i.Observations, i.CreatedAt, i.UpdatedAt, i.Version}
}

func interestFromItem(it interestItem) crm.Interest {
	return crm.Interest{ID: it.ID, Name: it.Name, Observations: it.Observations,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version}
}

type agentItem struct {
	keys
	ID        string    `dynamodbav:"id"`
	Code      string    `dynamodbav:"code"`
	Name      string    `dynamodbav:"name"`
	Email     string    `dynamodbav:"email,omitempty"`
	Active    bool      `dynamodbav:"active"`
	UserID    string    `dynamodbav:"userId,omitempty"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
	UpdatedAt time.Time `dynamodbav:"updatedAt"`
	Version   int       `dynamodbav:"version"`
}

func agentToItem(a crm.Agent) agentItem {
	return agentItem{entityKeys(kindAgent, a.ID), a.ID, a.Code, a.Name, a.Email, a.Active, a.UserID, a.CreatedAt, a.UpdatedAt, a.Version}
}

func agentFromItem(it agentItem) crm.Agent {
	return crm.Agent{ID: it.ID, Code: it.Code, Name: it.Name, Email: it.Email, Active: it.Active,
		UserID: it.UserID, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version}
}

type stateItem struct {
	keys
	ID        string    `dynamodbav:"id"`
	Name      string    `dynamodbav:"name"`
	Order     int       `dynamodbav:"order"`
	Color     string    `dynamodbav:"color,omitempty"`
	Default   bool      `dynamodbav:"default"`
	Outcome   string    `dynamodbav:"outcome"`
	ShowTab   bool      `dynamodbav:"showTab"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
	UpdatedAt time.Time `dynamodbav:"updatedAt"`
	Version   int       `dynamodbav:"version"`
}

func stateToItem(s crm.State) stateItem {
	return stateItem{entityKeys(kindState, s.ID), s.ID, s.Name, s.Order, s.Color, s.Default, string(s.Outcome), s.ShowTab, s.CreatedAt, s.UpdatedAt, s.Version}
}

func stateFromItem(it stateItem) crm.State {
	return crm.State{ID: it.ID, Name: it.Name, Order: it.Order, Color: it.Color, Default: it.Default,
		Outcome: crm.Outcome(it.Outcome), ShowTab: it.ShowTab, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version}
}

type userItem struct {
	keys
	ID        string    `dynamodbav:"id"`
	Name      string    `dynamodbav:"name"`
	Email     string    `dynamodbav:"email"`
	Role      string    `dynamodbav:"role"`
	AgentID   string    `dynamodbav:"agentId,omitempty"`
	Active    bool      `dynamodbav:"active"`
	Lang      string    `dynamodbav:"lang,omitempty"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
	UpdatedAt time.Time `dynamodbav:"updatedAt"`
	Version   int       `dynamodbav:"version"`
}

func userToItem(u crm.User) userItem {
	return userItem{entityKeys(kindUser, u.ID), u.ID, u.Name, u.Email, string(u.Role), u.AgentID, u.Active, u.Lang, u.CreatedAt, u.UpdatedAt, u.Version}
}

func userFromItem(it userItem) crm.User {
	return crm.User{ID: it.ID, Name: it.Name, Email: it.Email, Role: crm.Role(it.Role), AgentID: it.AgentID,
		Active: it.Active, Lang: it.Lang, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version}
}

type overrideItem struct {
	Subject string `dynamodbav:"subject,omitempty"`
	Body    string `dynamodbav:"body,omitempty"`
}

type settingItem struct {
	keys
	Key       string                  `dynamodbav:"key"`
	Enabled   bool                    `dynamodbav:"enabled"`
	Overrides map[string]overrideItem `dynamodbav:"overrides,omitempty"`
	UpdatedAt time.Time               `dynamodbav:"updatedAt"`
	Version   int                     `dynamodbav:"version"`
}

func settingToItem(s crm.NotificationSetting) settingItem {
	it := settingItem{keys: entityKeys(kindSetting, s.Key), Key: s.Key, Enabled: s.Enabled, UpdatedAt: s.UpdatedAt, Version: s.Version}
	if len(s.Overrides) > 0 {
		it.Overrides = map[string]overrideItem{}
		for l, o := range s.Overrides {
			it.Overrides[l] = overrideItem{o.Subject, o.Body}
		}
	}
	return it
}

func settingFromItem(it settingItem) crm.NotificationSetting {
	s := crm.NotificationSetting{Key: it.Key, Enabled: it.Enabled, UpdatedAt: it.UpdatedAt, Version: it.Version}
	if len(it.Overrides) > 0 {
		s.Overrides = map[string]crm.TemplateOverride{}
		for l, o := range it.Overrides {
			s.Overrides[l] = crm.TemplateOverride{Subject: o.Subject, Body: o.Body}
		}
	}
	return s
}

// uniqueItem claims a value (an e-mail, a phone, a code) for its owner.
type uniqueItem struct {
	keys
	Owner string `dynamodbav:"owner"`
}

// linkItem links an interest to a contact.
type linkItem struct {
	keys
	InterestID string `dynamodbav:"interestId"`
	ContactID  string `dynamodbav:"contactId"`
}

type idemItem struct {
	keys
	UserID      string `dynamodbav:"userId"`
	Key         string `dynamodbav:"key"`
	RequestHash string `dynamodbav:"requestHash"`
	Done        bool   `dynamodbav:"done"`
	Status      int    `dynamodbav:"status,omitempty"`
	Location    string `dynamodbav:"location,omitempty"`
	ETag        string `dynamodbav:"etag,omitempty"`
	Body        []byte `dynamodbav:"body,omitempty"`
	TTL         int64  `dynamodbav:"ttl"`
}

// marshal encodes an item struct; the structs here always encode.
func marshal(v any) map[string]types.AttributeValue {
	m, err := attributevalue.MarshalMap(v)
	if err != nil {
		panic("dynamo: cannot marshal item: " + err.Error())
	}
	return m
}

// unmarshal decodes an item into one of the item structs.
func unmarshal[T any](m map[string]types.AttributeValue) (T, error) {
	var v T
	if err := attributevalue.UnmarshalMap(m, &v); err != nil {
		return v, crm.Internal(err)
	}
	return v, nil
}

// sortedIDs orders a string set read back (sets have no order; ULIDs sort
// by creation).
func sortedIDs(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := append([]string{}, ids...)
	sort.Strings(out)
	return out
}
