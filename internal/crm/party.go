package crm

import (
	"strings"
	"time"
)

// PartyKind says whether a party is a client or a supplier.
type PartyKind string

// The two kinds of party.
const (
	PartyClient   PartyKind = "client"
	PartySupplier PartyKind = "supplier"
)

// Party is a client (buys from the business) or a supplier (sells to it):
// the commercial record a contact is converted into.
type Party struct {
	Kind          PartyKind
	ID            string
	Code          string // sequential: C00001 for clients, P00001 for suppliers
	Name          string
	LegalName     string // falls back to Name
	TaxID         string
	Email         string
	Phone         string
	Mobile        string
	Web           string
	AgentID       string
	Observations  string
	MainContactID string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

// CodePrefix is the letter a party's code starts with.
func (k PartyKind) CodePrefix() string {
	if k == PartySupplier {
		return "P"
	}
	return "C"
}

// Valid reports whether k is client or supplier.
func (k PartyKind) Valid() bool { return k == PartyClient || k == PartySupplier }

// Normalize validates the party's fields (phones read with region);
// CodeInvalid names each bad one.
func (p *Party) Normalize(region string) error {
	f := fieldErrors{}
	requireText(f, "name", &p.Name, MaxNameLen)
	cleanText(f, "legalName", &p.LegalName, MaxNameLen)
	if p.LegalName == "" {
		p.LegalName = p.Name
	}
	cleanText(f, "taxId", &p.TaxID, 32)
	p.TaxID = strings.ToUpper(p.TaxID)
	normalizeReach(f, &p.Email, &p.Phone, &p.Mobile, region)
	checkURL(f, "web", &p.Web, MaxURLLen)
	checkRef(f, "agentId", &p.AgentID)
	cleanText(f, "observations", &p.Observations, MaxObservationLen)
	return f.err()
}

// PartyFromContact copies a contact's data into a new party of kind k, as
// converting it does: name = full name, legal name = company or full name,
// tax ID, e-mail, phones, web, agent (clients only, as the product we
// replace does) and observations.
func PartyFromContact(c Contact, k PartyKind) Party {
	p := Party{
		Kind: k, Name: c.FullName(), LegalName: c.Company, TaxID: c.TaxID, Email: c.Email,
		Phone: c.Phone, Mobile: c.Mobile, Web: c.Web, Observations: c.Observations, MainContactID: c.ID,
	}
	if p.LegalName == "" {
		p.LegalName = p.Name
	}
	if k == PartyClient {
		p.AgentID = c.AgentID
	}
	return p
}

// MainContact returns the contact a new party gets as its main address.
func (p Party) MainContact() Contact {
	c := Contact{Name: p.Name, Company: p.LegalName, Email: p.Email, Phone: p.Phone, Mobile: p.Mobile,
		TaxID: p.TaxID, Web: p.Web, AgentID: p.AgentID}
	if c.Company == c.Name {
		c.Company = ""
	}
	if p.Kind == PartySupplier {
		c.SupplierID = p.ID
	} else {
		c.ClientID = p.ID
	}
	return c
}
