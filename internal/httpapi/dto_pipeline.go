package httpapi

import (
	"encoding/json"
	"reflect"
	"strconv"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// opportunityFields are the fields of an opportunity a client may write.
type opportunityFields struct {
	ContactID         string `json:"contactId"`
	Description       string `json:"description"`
	Observations      string `json:"observations"`
	StateID           string `json:"stateId"`
	InterestID        string `json:"interestId"`
	AgentID           string `json:"agentId"`
	AssigneeID        string `json:"assigneeId"`
	ApproxAmountCents int64  `json:"approxAmountCents"`
	Currency          string `json:"currency"`
	ExpectedCloseDate string `json:"expectedCloseDate"`
	LostReason        string `json:"lostReason"`
}

type opportunityResponse struct {
	ID     string `json:"id"`
	Number int64  `json:"number"`
	opportunityFields
	SourceID    string     `json:"sourceId"`
	AmountCents int64      `json:"amountCents"`
	ClosedAt    *time.Time `json:"closedAt"`
	QuoteIDs    []string   `json:"quoteIds"`
	CreatedBy   string     `json:"createdBy"`
	meta
}

func opportunityFieldsOf(o crm.Opportunity) opportunityFields {
	return opportunityFields{o.ContactID, o.Description, o.Observations, o.StateID, o.InterestID, o.AgentID,
		o.AssigneeID, o.ApproxAmountCents, o.Currency, o.ExpectedCloseDate, o.LostReason}
}

func (f opportunityFields) applyTo(o *crm.Opportunity) {
	o.ContactID, o.Description, o.Observations, o.StateID = f.ContactID, f.Description, f.Observations, f.StateID
	o.InterestID, o.AgentID, o.AssigneeID, o.ApproxAmountCents = f.InterestID, f.AgentID, f.AssigneeID, f.ApproxAmountCents
	o.Currency, o.ExpectedCloseDate, o.LostReason = f.Currency, f.ExpectedCloseDate, f.LostReason
}

func opportunityToResponse(o crm.Opportunity) opportunityResponse {
	return opportunityResponse{ID: o.ID, Number: o.Number, opportunityFields: opportunityFieldsOf(o), SourceID: o.SourceID,
		AmountCents: o.AmountCents, ClosedAt: o.ClosedAt, QuoteIDs: o.QuoteIDs(), CreatedBy: o.CreatedBy,
		meta: meta{o.CreatedAt, o.UpdatedAt, o.Version}}
}

type tabResponse struct {
	stateResponse
	Count int64 `json:"count"`
}

type bulkStateRequest struct {
	IDs     []string `json:"ids"`
	StateID string   `json:"stateId"`
}

type bulkStateResponse struct {
	Moved int `json:"moved"`
}

// partyFields are the fields of a client or supplier a client may write.
type partyFields struct {
	Name         string `json:"name"`
	LegalName    string `json:"legalName"`
	TaxID        string `json:"taxId"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	Mobile       string `json:"mobile"`
	Web          string `json:"web"`
	AgentID      string `json:"agentId"`
	Observations string `json:"observations"`
}

type partyResponse struct {
	ID   string `json:"id"`
	Code string `json:"code"`
	partyFields
	MainContactID string `json:"mainContactId"`
	meta
}

func partyFieldsOf(p crm.Party) partyFields {
	return partyFields{p.Name, p.LegalName, p.TaxID, p.Email, p.Phone, p.Mobile, p.Web, p.AgentID, p.Observations}
}

func (f partyFields) applyTo(p *crm.Party) {
	p.Name, p.LegalName, p.TaxID, p.Email, p.Phone, p.Mobile = f.Name, f.LegalName, f.TaxID, f.Email, f.Phone, f.Mobile
	p.Web, p.AgentID, p.Observations = f.Web, f.AgentID, f.Observations
}

func partyToResponse(p crm.Party) partyResponse {
	return partyResponse{ID: p.ID, Code: p.Code, partyFields: partyFieldsOf(p), MainContactID: p.MainContactID,
		meta: meta{p.CreatedAt, p.UpdatedAt, p.Version}}
}

type convertRequest struct {
	To string `json:"to"`
}

// quoteLineFields is a quote line as a client writes it: quantity and
// percentages as JSON numbers (3 and 2 decimals at most).
type quoteLineFields struct {
	Description    string  `json:"description"`
	InterestID     string  `json:"interestId"`
	Quantity       decimal `json:"quantity"`
	UnitPriceCents int64   `json:"unitPriceCents"`
	DiscountPct    decimal `json:"discountPct"`
	TaxPct         decimal `json:"taxPct"`
}

type quoteLineResponse struct {
	quoteLineFields
	NetCents   int64 `json:"netCents"`
	TaxCents   int64 `json:"taxCents"`
	TotalCents int64 `json:"totalCents"`
}

// quoteRequest is the body of POST .../quotes and PATCH /v1/quotes/{id}:
// Lines nil means "not given" (pre-fill on create, keep on PATCH).
type quoteRequest struct {
	Lines      *[]quoteLineFields `json:"lines"`
	Status     *string            `json:"status"`
	ValidUntil *string            `json:"validUntil"`
}

type quoteResponse struct {
	ID            string              `json:"id"`
	Number        string              `json:"number"`
	OpportunityID string              `json:"opportunityId"`
	ContactID     string              `json:"contactId"`
	Lines         []quoteLineResponse `json:"lines"`
	SubtotalCents int64               `json:"subtotalCents"`
	TaxCents      int64               `json:"taxCents"`
	TotalCents    int64               `json:"totalCents"`
	Currency      string              `json:"currency"`
	Status        string              `json:"status"`
	ValidUntil    string              `json:"validUntil"`
	CreatedBy     string              `json:"createdBy"`
	meta
}

// applyTo writes the request's given fields onto q. Errors: invalid,
// naming "lines[i].quantity" and the like.
func (r quoteRequest) applyTo(q *crm.Quote) error {
	if r.Status != nil {
		q.Status = crm.QuoteStatus(*r.Status)
	}
	if r.ValidUntil != nil {
		q.ValidUntil = *r.ValidUntil
	}
	if r.Lines == nil {
		return nil
	}
	f := map[string]string{}
	lines := make([]crm.QuoteLine, len(*r.Lines))
	for i, l := range *r.Lines {
		p := "lines[" + strconv.Itoa(i) + "]."
		lines[i] = crm.QuoteLine{Description: l.Description, InterestID: l.InterestID, UnitPriceCents: l.UnitPriceCents}
		var ok bool
		if lines[i].QuantityMilli, ok = decimalOr(l.Quantity, 3, 1000); !ok {
			f[p+"quantity"] = "must be a plain decimal number with at most 3 decimals"
		}
		if lines[i].DiscountBP, ok = decimalOr(l.DiscountPct, 2, 0); !ok {
			f[p+"discountPct"] = "must be a percentage written as a plain decimal with at most 2 decimals"
		}
		if lines[i].TaxBP, ok = decimalOr(l.TaxPct, 2, 0); !ok {
			f[p+"taxPct"] = "must be a percentage written as a plain decimal with at most 2 decimals"
		}
	}
	if len(f) > 0 {
		return crm.Invalid(f)
	}
	q.Lines = lines
	return nil
}

// decimal is a JSON number kept as written, so that no float rounding
// touches a quantity or a percentage. A string is a wrong type.
type decimal string

// UnmarshalJSON accepts a JSON number only.
func (d *decimal) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] == '"' || b[0] == '{' || b[0] == '[' || b[0] == 't' || b[0] == 'f' {
		return &json.UnmarshalTypeError{Value: "non-number", Type: reflect.TypeOf(*d)}
	}
	if string(b) == "null" {
		*d = ""
		return nil
	}
	*d = decimal(b)
	return nil
}

// MarshalJSON writes the number as is.
func (d decimal) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("0"), nil
	}
	return []byte(d), nil
}

// decimalOr parses a number with scale decimals, def when absent.
func decimalOr(n decimal, scale int, def int64) (int64, bool) {
	if n == "" {
		return def, true
	}
	return crm.ParseDecimal(string(n), scale)
}

func quoteToResponse(q crm.Quote) quoteResponse {
	lines := make([]quoteLineResponse, len(q.Lines))
	for i, l := range q.Lines {
		lines[i] = quoteLineResponse{
			quoteLineFields: quoteLineFields{Description: l.Description, InterestID: l.InterestID,
				Quantity: decimal(crm.FormatDecimal(l.QuantityMilli, 3)), UnitPriceCents: l.UnitPriceCents,
				DiscountPct: decimal(crm.FormatDecimal(l.DiscountBP, 2)), TaxPct: decimal(crm.FormatDecimal(l.TaxBP, 2))},
			NetCents: l.NetCents, TaxCents: l.TaxCents, TotalCents: l.TotalCents,
		}
	}
	return quoteResponse{ID: q.ID, Number: q.Number, OpportunityID: q.OpportunityID, ContactID: q.ContactID, Lines: lines,
		SubtotalCents: q.SubtotalCents, TaxCents: q.TaxCents, TotalCents: q.TotalCents, Currency: q.Currency,
		Status: string(q.Status), ValidUntil: q.ValidUntil, CreatedBy: q.CreatedBy, meta: meta{q.CreatedAt, q.UpdatedAt, q.Version}}
}
