package httpapi

import (
	"time"

	"github.com/embudo/embudo/internal/crm"
)

type addressDTO struct {
	Street     string `json:"street"`
	PostalCode string `json:"postalCode"`
	City       string `json:"city"`
	Province   string `json:"province"`
	Country    string `json:"country"`
}

type attributionDTO struct {
	UTMSource   string `json:"utmSource"`
	UTMMedium   string `json:"utmMedium"`
	UTMCampaign string `json:"utmCampaign"`
	UTMTerm     string `json:"utmTerm"`
	UTMContent  string `json:"utmContent"`
	GCLID       string `json:"gclid"`
	FBCLID      string `json:"fbclid"`
	LandingPage string `json:"landingPage"`
	Referrer    string `json:"referrer"`
}

// contactFields are the fields of a contact a client may write.
type contactFields struct {
	Name             string         `json:"name"`
	Surname          string         `json:"surname"`
	Company          string         `json:"company"`
	JobTitle         string         `json:"jobTitle"`
	Email            string         `json:"email"`
	Phone            string         `json:"phone"`
	Mobile           string         `json:"mobile"`
	TaxID            string         `json:"taxId"`
	Web              string         `json:"web"`
	Address          addressDTO     `json:"address"`
	Observations     string         `json:"observations"`
	SourceID         string         `json:"sourceId"`
	InterestIDs      []string       `json:"interestIds"`
	AgentID          string         `json:"agentId"`
	MarketingConsent bool           `json:"marketingConsent"`
	Lang             string         `json:"lang"`
	Attribution      attributionDTO `json:"attribution"`
}

// contactResponse is a contact as the API shows it.
type contactResponse struct {
	ID string `json:"id"`
	contactFields
	ClientID   string    `json:"clientId"`
	SupplierID string    `json:"supplierId"`
	CreatedBy  string    `json:"createdBy"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	Version    int       `json:"version"`
}

func contactFieldsOf(c crm.Contact) contactFields {
	a, t := c.Address, c.Attribution
	// A copy: a PATCH decodes onto these fields, and encoding/json reuses a
	// slice's array, which would change the contact as read.
	ids := append([]string{}, c.InterestIDs...)
	return contactFields{
		Name: c.Name, Surname: c.Surname, Company: c.Company, JobTitle: c.JobTitle,
		Email: c.Email, Phone: c.Phone, Mobile: c.Mobile, TaxID: c.TaxID, Web: c.Web,
		Address:      addressDTO{a.Street, a.PostalCode, a.City, a.Province, a.Country},
		Observations: c.Observations, SourceID: c.SourceID, InterestIDs: ids, AgentID: c.AgentID,
		MarketingConsent: c.MarketingConsent, Lang: c.Lang,
		Attribution: attributionDTO{t.UTMSource, t.UTMMedium, t.UTMCampaign, t.UTMTerm, t.UTMContent,
			t.GCLID, t.FBCLID, t.LandingPage, t.Referrer},
	}
}

func (f contactFields) applyTo(c *crm.Contact) {
	a, t := f.Address, f.Attribution
	c.Name, c.Surname, c.Company, c.JobTitle = f.Name, f.Surname, f.Company, f.JobTitle
	c.Email, c.Phone, c.Mobile, c.TaxID, c.Web = f.Email, f.Phone, f.Mobile, f.TaxID, f.Web
	c.Address = crm.Address{Street: a.Street, PostalCode: a.PostalCode, City: a.City, Province: a.Province, Country: a.Country}
	c.Observations, c.SourceID, c.InterestIDs, c.AgentID = f.Observations, f.SourceID, f.InterestIDs, f.AgentID
	c.MarketingConsent, c.Lang = f.MarketingConsent, f.Lang
	c.Attribution = crm.Attribution{UTMSource: t.UTMSource, UTMMedium: t.UTMMedium, UTMCampaign: t.UTMCampaign,
		UTMTerm: t.UTMTerm, UTMContent: t.UTMContent, GCLID: t.GCLID, FBCLID: t.FBCLID,
		LandingPage: t.LandingPage, Referrer: t.Referrer}
}

func contactToResponse(c crm.Contact) contactResponse {
	return contactResponse{ID: c.ID, contactFields: contactFieldsOf(c), ClientID: c.ClientID, SupplierID: c.SupplierID,
		CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}
