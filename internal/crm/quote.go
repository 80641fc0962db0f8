package crm

import (
	"errors"
	"strings"
	"time"
)

// QuoteStatus is where a quote stands with the customer.
type QuoteStatus string

// The statuses of a quote.
const (
	QuoteDraft    QuoteStatus = "draft"
	QuoteSent     QuoteStatus = "sent"
	QuoteAccepted QuoteStatus = "accepted"
	QuoteRejected QuoteStatus = "rejected"
)

// Quote (presupuesto) is an offer generated from an opportunity.
type Quote struct {
	ID            string
	Number        string // per year: 2026-0001
	OpportunityID string
	ContactID     string
	Lines         []QuoteLine
	SubtotalCents int64
	TaxCents      int64
	TotalCents    int64
	Currency      string
	Status        QuoteStatus
	ValidUntil    string // YYYY-MM-DD, or ""
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

// Normalize validates the quote, computes its lines and totals; CodeInvalid
// names each bad field.
func (q *Quote) Normalize() error {
	f := fieldErrors{}
	switch q.Status {
	case "":
		q.Status = QuoteDraft
	case QuoteDraft, QuoteSent, QuoteAccepted, QuoteRejected:
	default:
		f.add("status", "must be draft, sent, accepted or rejected")
	}
	q.ValidUntil = strings.TrimSpace(q.ValidUntil)
	if q.ValidUntil != "" {
		if _, err := time.Parse(time.DateOnly, q.ValidUntil); err != nil {
			f.add("validUntil", "must be a date like 2026-12-31")
		}
	}
	if err := NormalizeQuoteLines(q.Lines); err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return err
		}
		for k, v := range e.Fields {
			f.add(k, v)
		}
	}
	if err := f.err(); err != nil {
		return err
	}
	q.SubtotalCents, q.TaxCents, q.TotalCents = QuoteTotals(q.Lines)
	return nil
}

// Ref is what the quote's opportunity keeps of it.
func (q Quote) Ref() QuoteRef {
	return QuoteRef{ID: q.ID, Status: q.Status, SubtotalCents: q.SubtotalCents}
}

// DefaultTaxBP is the tax of a line pre-filled from an opportunity: 21 %,
// Spain's general VAT, which the product we replace assumes too.
const DefaultTaxBP = 2100

// PrefillLines returns the line a quote starts with when none is given: the
// opportunity's interest (or its description), one unit at its approximate
// amount.
func PrefillLines(o Opportunity, interestName string) []QuoteLine {
	d := interestName
	if d == "" {
		d = o.Description
	}
	return []QuoteLine{{Description: d, InterestID: o.InterestID, QuantityMilli: 1000,
		UnitPriceCents: o.ApproxAmountCents, TaxBP: DefaultTaxBP}}
}
