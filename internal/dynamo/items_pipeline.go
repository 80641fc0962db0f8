package dynamo

import (
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

const (
	kindOpportunity = "OPPORTUNITY"
	kindClient      = "CLIENT"
	kindSupplier    = "SUPPLIER"
	kindQuote       = "QUOTE"
	kindCounter     = "COUNTER"
)

type quoteRefItem struct {
	ID            string `dynamodbav:"id"`
	Status        string `dynamodbav:"status"`
	SubtotalCents int64  `dynamodbav:"subtotalCents"`
}

// opportunityItem is an opportunity as stored. Its index keys sort by last
// activity, so every list shows the most recently changed first. It is
// kept under a write unit's KB as long as its texts are short: its ID is
// read from PK (items written before kept it in id too), amounts of 0 are
// left out, and GSI5 to GSI7 share GSI1SK.
type opportunityItem struct {
	keys
	ID                string         `dynamodbav:"id,omitempty"`
	Number            int64          `dynamodbav:"number"`
	ContactID         string         `dynamodbav:"contactId"`
	Description       string         `dynamodbav:"description"`
	Observations      string         `dynamodbav:"observations,omitempty"`
	StateID           string         `dynamodbav:"stateId"`
	InterestID        string         `dynamodbav:"interestId,omitempty"`
	SourceID          string         `dynamodbav:"sourceId,omitempty"`
	AgentID           string         `dynamodbav:"agentId,omitempty"`
	AssigneeID        string         `dynamodbav:"assigneeId,omitempty"`
	CreatedBy         string         `dynamodbav:"createdBy,omitempty"`
	UpdatedBy         string         `dynamodbav:"updatedBy,omitempty"`
	ApproxAmountCents int64          `dynamodbav:"approxAmountCents,omitempty"`
	AmountCents       int64          `dynamodbav:"amountCents,omitempty"`
	Currency          string         `dynamodbav:"currency"`
	ExpectedCloseDate string         `dynamodbav:"expectedCloseDate,omitempty"`
	ClosedAt          *time.Time     `dynamodbav:"closedAt,omitempty"`
	Outcome           string         `dynamodbav:"outcome,omitempty"`
	LostReason        string         `dynamodbav:"lostReason,omitempty"`
	Quotes            []quoteRefItem `dynamodbav:"quotes,omitempty"`
	CreatedAt         time.Time      `dynamodbav:"createdAt"`
	UpdatedAt         time.Time      `dynamodbav:"updatedAt"`
	Version           int            `dynamodbav:"version"`
}

// activityKey sorts by last change, newest last, unique by ID.
func activityKey(t time.Time, id string) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + id
}

func opportunityToItem(o crm.Opportunity) opportunityItem {
	k := entityKeys(kindOpportunity, o.ID)
	sk := activityKey(o.UpdatedAt, o.ID)
	k.GSI1SK = sk
	k.GSI2PK, k.GSI2SK = kindOpportunity+"#STATE#"+o.StateID, sk
	k.GSI4PK, k.GSI4SK = kindOpportunity+"#CONTACT#"+o.ContactID, sk
	if o.AgentID != "" {
		k.GSI3PK, k.GSI3SK = kindOpportunity+"#AGENT#"+o.AgentID, sk
	}
	if o.AssigneeID != "" {
		k.GSI5PK = kindOpportunity + "#ASSIGNEE#" + o.AssigneeID
	}
	if o.InterestID != "" {
		k.GSI6PK = kindOpportunity + "#INTEREST#" + o.InterestID
	}
	if o.SourceID != "" {
		k.GSI7PK = kindOpportunity + "#SOURCE#" + o.SourceID
	}
	// nil, not empty: an empty list does not survive the embedded server.
	var refs []quoteRefItem
	for _, q := range o.Quotes {
		refs = append(refs, quoteRefItem{q.ID, string(q.Status), q.SubtotalCents})
	}
	return opportunityItem{
		keys: k, Number: o.Number, ContactID: o.ContactID, Description: o.Description,
		Observations: o.Observations, StateID: o.StateID, InterestID: o.InterestID, SourceID: o.SourceID,
		AgentID: o.AgentID, AssigneeID: o.AssigneeID, CreatedBy: o.CreatedBy, UpdatedBy: o.UpdatedBy,
		ApproxAmountCents: o.ApproxAmountCents, AmountCents: o.AmountCents, Currency: o.Currency,
		ExpectedCloseDate: o.ExpectedCloseDate, ClosedAt: o.ClosedAt, Outcome: string(o.Outcome), LostReason: o.LostReason, Quotes: refs,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version,
	}
}

func opportunityFromItem(it opportunityItem) crm.Opportunity {
	var refs []crm.QuoteRef
	for _, q := range it.Quotes {
		refs = append(refs, crm.QuoteRef{ID: q.ID, Status: crm.QuoteStatus(q.Status), SubtotalCents: q.SubtotalCents})
	}
	id := it.ID
	if id == "" {
		id = strings.TrimPrefix(it.PK, kindOpportunity+"#")
	}
	return crm.Opportunity{
		ID: id, Number: it.Number, ContactID: it.ContactID, Description: it.Description,
		Observations: it.Observations, StateID: it.StateID, InterestID: it.InterestID, SourceID: it.SourceID,
		AgentID: it.AgentID, AssigneeID: it.AssigneeID, CreatedBy: it.CreatedBy, UpdatedBy: it.UpdatedBy,
		ApproxAmountCents: it.ApproxAmountCents, AmountCents: it.AmountCents, Currency: it.Currency,
		ExpectedCloseDate: it.ExpectedCloseDate, ClosedAt: it.ClosedAt, Outcome: crm.Outcome(it.Outcome), LostReason: it.LostReason, Quotes: refs,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version,
	}
}

// partyItem is a client or supplier as stored.
type partyItem struct {
	keys
	ID            string    `dynamodbav:"id"`
	Code          string    `dynamodbav:"code"`
	Name          string    `dynamodbav:"name"`
	LegalName     string    `dynamodbav:"legalName"`
	TaxID         string    `dynamodbav:"taxId,omitempty"`
	Email         string    `dynamodbav:"email,omitempty"`
	Phone         string    `dynamodbav:"phone,omitempty"`
	Mobile        string    `dynamodbav:"mobile,omitempty"`
	Web           string    `dynamodbav:"web,omitempty"`
	AgentID       string    `dynamodbav:"agentId,omitempty"`
	Observations  string    `dynamodbav:"observations,omitempty"`
	MainContactID string    `dynamodbav:"mainContactId"`
	CreatedAt     time.Time `dynamodbav:"createdAt"`
	UpdatedAt     time.Time `dynamodbav:"updatedAt"`
	Version       int       `dynamodbav:"version"`
}

func partyKind(k crm.PartyKind) string {
	if k == crm.PartySupplier {
		return kindSupplier
	}
	return kindClient
}

func partyToItem(p crm.Party) partyItem {
	return partyItem{
		keys: entityKeys(partyKind(p.Kind), p.ID), ID: p.ID, Code: p.Code, Name: p.Name, LegalName: p.LegalName,
		TaxID: p.TaxID, Email: p.Email, Phone: p.Phone, Mobile: p.Mobile, Web: p.Web, AgentID: p.AgentID,
		Observations: p.Observations, MainContactID: p.MainContactID, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version,
	}
}

func partyFromItem(it partyItem) crm.Party {
	k := crm.PartyClient
	if it.Type == kindSupplier {
		k = crm.PartySupplier
	}
	return crm.Party{
		Kind: k, ID: it.ID, Code: it.Code, Name: it.Name, LegalName: it.LegalName, TaxID: it.TaxID,
		Email: it.Email, Phone: it.Phone, Mobile: it.Mobile, Web: it.Web, AgentID: it.AgentID,
		Observations: it.Observations, MainContactID: it.MainContactID, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version,
	}
}

type quoteLineItem struct {
	Description    string `dynamodbav:"description"`
	InterestID     string `dynamodbav:"interestId,omitempty"`
	QuantityMilli  int64  `dynamodbav:"quantityMilli"`
	UnitPriceCents int64  `dynamodbav:"unitPriceCents"`
	DiscountBP     int64  `dynamodbav:"discountBP"`
	TaxBP          int64  `dynamodbav:"taxBP"`
	NetCents       int64  `dynamodbav:"netCents"`
	TaxCents       int64  `dynamodbav:"taxCents"`
	TotalCents     int64  `dynamodbav:"totalCents"`
}

// quoteItem is a quote as stored.
type quoteItem struct {
	keys
	ID            string          `dynamodbav:"id"`
	Number        string          `dynamodbav:"number"`
	OpportunityID string          `dynamodbav:"opportunityId"`
	ContactID     string          `dynamodbav:"contactId"`
	Lines         []quoteLineItem `dynamodbav:"lines"`
	SubtotalCents int64           `dynamodbav:"subtotalCents"`
	TaxCents      int64           `dynamodbav:"taxCents"`
	TotalCents    int64           `dynamodbav:"totalCents"`
	Currency      string          `dynamodbav:"currency"`
	Status        string          `dynamodbav:"status"`
	ValidUntil    string          `dynamodbav:"validUntil,omitempty"`
	CreatedBy     string          `dynamodbav:"createdBy,omitempty"`
	CreatedAt     time.Time       `dynamodbav:"createdAt"`
	UpdatedAt     time.Time       `dynamodbav:"updatedAt"`
	Version       int             `dynamodbav:"version"`
}

func quoteToItem(q crm.Quote) quoteItem {
	lines := make([]quoteLineItem, len(q.Lines))
	for i, l := range q.Lines {
		lines[i] = quoteLineItem{l.Description, l.InterestID, l.QuantityMilli, l.UnitPriceCents, l.DiscountBP, l.TaxBP, l.NetCents, l.TaxCents, l.TotalCents}
	}
	return quoteItem{
		keys: entityKeys(kindQuote, q.ID), ID: q.ID, Number: q.Number, OpportunityID: q.OpportunityID, ContactID: q.ContactID,
		Lines: lines, SubtotalCents: q.SubtotalCents, TaxCents: q.TaxCents, TotalCents: q.TotalCents, Currency: q.Currency,
		Status: string(q.Status), ValidUntil: q.ValidUntil, CreatedBy: q.CreatedBy, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt, Version: q.Version,
	}
}

func quoteFromItem(it quoteItem) crm.Quote {
	lines := make([]crm.QuoteLine, len(it.Lines))
	for i, l := range it.Lines {
		lines[i] = crm.QuoteLine{Description: l.Description, InterestID: l.InterestID, QuantityMilli: l.QuantityMilli,
			UnitPriceCents: l.UnitPriceCents, DiscountBP: l.DiscountBP, TaxBP: l.TaxBP, NetCents: l.NetCents, TaxCents: l.TaxCents, TotalCents: l.TotalCents}
	}
	return crm.Quote{
		ID: it.ID, Number: it.Number, OpportunityID: it.OpportunityID, ContactID: it.ContactID, Lines: lines,
		SubtotalCents: it.SubtotalCents, TaxCents: it.TaxCents, TotalCents: it.TotalCents, Currency: it.Currency,
		Status: crm.QuoteStatus(it.Status), ValidUntil: it.ValidUntil, CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version,
	}
}
