package crm

import (
	"regexp"
	"strings"
	"time"
)

// Opportunity is a possible sale to a contact, moving through the pipeline
// states until it is won or lost.
type Opportunity struct {
	ID                string
	Number            int64 // sequential, human, never reused
	ContactID         string
	Description       string
	Observations      string
	StateID           string
	InterestID        string
	SourceID          string // copied from the contact at creation, for attribution
	AgentID           string
	AssigneeID        string // a user
	CreatedBy         string
	UpdatedBy         string // who made the last change ("" for a web form or the system)
	ApproxAmountCents int64
	AmountCents       int64 // from its quotes: the accepted one, else the latest not rejected
	Currency          string
	ExpectedCloseDate string // YYYY-MM-DD, or ""
	ClosedAt          *time.Time
	// Outcome is the outcome of its state when it entered it: the counters
	// count by it, so a later change of the state's outcome, or its
	// deletion, cannot make them disagree with what happened.
	Outcome    Outcome
	LostReason string
	Quotes     []QuoteRef // newest last
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// QuoteRef is what an opportunity keeps of each of its quotes, enough to
// derive its amount without reading them.
type QuoteRef struct {
	ID            string
	Status        QuoteStatus
	SubtotalCents int64
}

// QuoteIDs lists the opportunity's quotes, oldest first.
func (o Opportunity) QuoteIDs() []string {
	ids := make([]string, len(o.Quotes))
	for i, q := range o.Quotes {
		ids[i] = q.ID
	}
	return ids
}

// MaxQuotesPerOpportunity bounds the quote references an opportunity holds.
const MaxQuotesPerOpportunity = 50

// Won reports whether the opportunity is closed as won.
func (o Opportunity) Won() bool { return o.Outcome == OutcomeWon && o.ClosedAt != nil }

// AcceptedQuote returns the ID of the opportunity's accepted quote ("" if
// none): an opportunity has one at most.
func (o Opportunity) AcceptedQuote() string {
	for _, q := range o.Quotes {
		if q.Status == QuoteAccepted {
			return q.ID
		}
	}
	return ""
}

// DeriveAmount sets AmountCents from the quotes: the accepted one, else the
// latest that is not rejected, else 0. A won opportunity keeps the amount
// it was won with: no quote written after changes it.
func (o *Opportunity) DeriveAmount() {
	if o.Won() {
		return
	}
	o.AmountCents = 0
	for i := len(o.Quotes) - 1; i >= 0; i-- {
		if o.Quotes[i].Status == QuoteAccepted {
			o.AmountCents = o.Quotes[i].SubtotalCents
			return
		}
	}
	for i := len(o.Quotes) - 1; i >= 0; i-- {
		if o.Quotes[i].Status != QuoteRejected {
			o.AmountCents = o.Quotes[i].SubtotalCents
			return
		}
	}
}

var isoCurrency = regexp.MustCompile(`^[A-Z]{3}$`)

// DefaultCurrency is the currency of amounts that name none.
const DefaultCurrency = "EUR"

// Normalize validates the opportunity's own fields; CodeInvalid names each
// bad one. Pipeline rules (closed states, lost reasons) are in ApplyState
// and CheckLocked.
func (o *Opportunity) Normalize() error {
	f := fieldErrors{}
	o.ContactID = strings.TrimSpace(o.ContactID)
	if o.ContactID == "" {
		f.add("contactId", "is required")
	}
	checkRef(f, "contactId", &o.ContactID)
	requireText(f, "description", &o.Description, 500)
	cleanText(f, "observations", &o.Observations, MaxObservationLen)
	checkRef(f, "stateId", &o.StateID)
	checkRef(f, "interestId", &o.InterestID)
	checkRef(f, "agentId", &o.AgentID)
	checkRef(f, "assigneeId", &o.AssigneeID)
	cleanText(f, "lostReason", &o.LostReason, 500)
	if o.ApproxAmountCents < 0 || o.ApproxAmountCents > 1e13 {
		f.add("approxAmountCents", "must be between 0 and 10000000000000")
	}
	o.Currency = strings.ToUpper(strings.TrimSpace(o.Currency))
	if o.Currency == "" {
		o.Currency = DefaultCurrency
	}
	if !isoCurrency.MatchString(o.Currency) {
		f.add("currency", "must be a three-letter ISO 4217 code")
	}
	o.ExpectedCloseDate = strings.TrimSpace(o.ExpectedCloseDate)
	if o.ExpectedCloseDate != "" {
		if _, err := time.Parse(time.DateOnly, o.ExpectedCloseDate); err != nil {
			f.add("expectedCloseDate", "must be a date like 2026-12-31")
		}
	}
	return f.err()
}

// ApplyState moves the opportunity into state st at now: entering a won or
// lost state sets ClosedAt (kept when moving between closed states),
// entering an open one clears it and the lost reason; a lost reason is kept
// only in a lost state.
func (o *Opportunity) ApplyState(st State, now time.Time) {
	o.StateID, o.Outcome = st.ID, st.Outcome
	switch {
	case !st.Closed():
		o.ClosedAt, o.LostReason = nil, ""
	case o.ClosedAt == nil:
		t := now
		o.ClosedAt = &t
	}
	if st.Outcome != OutcomeLost {
		o.LostReason = ""
	}
}

// CheckLocked refuses changes to the main fields of an opportunity that was
// closed (won or lost) before the change and stays closed: only its state
// (to reopen it or move it between closed states) and lost reason may
// change. It returns CodeConflict naming the fields.
func CheckLocked(old, next Opportunity, wasClosed, staysClosed bool) error {
	if !wasClosed || !staysClosed {
		return nil
	}
	f := map[string]string{}
	lock := func(name string, changed bool) {
		if changed {
			f[name] = "cannot change while the opportunity is closed; move it to an open state first"
		}
	}
	lock("contactId", old.ContactID != next.ContactID)
	lock("description", old.Description != next.Description)
	lock("observations", old.Observations != next.Observations)
	lock("interestId", old.InterestID != next.InterestID)
	lock("agentId", old.AgentID != next.AgentID)
	lock("assigneeId", old.AssigneeID != next.AssigneeID)
	lock("approxAmountCents", old.ApproxAmountCents != next.ApproxAmountCents)
	lock("currency", old.Currency != next.Currency)
	lock("expectedCloseDate", old.ExpectedCloseDate != next.ExpectedCloseDate)
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeConflict, Message: "a closed opportunity's main fields are locked until it is moved back to an open state", Fields: f}
}

// movePipeline applies the pipeline's rules to an update of an opportunity
// from old, in state oldSt, to next, in state newSt, at now: a closed
// opportunity that stays closed keeps its main fields (CheckLocked); a new
// lost reason is refused outside a lost state; moving to another state, or
// any update in an open state, applies the state (ApplyState: closedAt set
// on closing, kept between closed states, cleared with the lost reason on
// reopening); in a lost state the lost reason given is kept. Errors:
// conflict (locked fields), invalid (lostReason).
func movePipeline(old, next Opportunity, oldSt, newSt State, now time.Time) (Opportunity, error) {
	if err := CheckLocked(old, next, oldSt.Closed(), newSt.Closed()); err != nil {
		return Opportunity{}, err
	}
	if newSt.Outcome != OutcomeLost && next.LostReason != "" && next.LostReason != old.LostReason {
		return Opportunity{}, InvalidField("lostReason", "only a lost opportunity has a lost reason")
	}
	reason := next.LostReason
	if next.StateID != old.StateID || !newSt.Closed() {
		next.ApplyState(newSt, now)
	}
	if newSt.Outcome == OutcomeLost {
		next.LostReason = reason
	}
	return next, nil
}

// OpportunityFilter selects opportunities in a list. Every set field must
// match.
type OpportunityFilter struct {
	StateID    string
	AgentID    string
	AssigneeID string
	ContactID  string
	InterestID string
	SourceID   string
}

// Normalize validates the filter; CodeInvalid names the parameter.
func (q *OpportunityFilter) Normalize() error {
	f := fieldErrors{}
	checkRef(f, "stateId", &q.StateID)
	checkRef(f, "agentId", &q.AgentID)
	checkRef(f, "assigneeId", &q.AssigneeID)
	checkRef(f, "contactId", &q.ContactID)
	checkRef(f, "interestId", &q.InterestID)
	checkRef(f, "sourceId", &q.SourceID)
	return f.err()
}

// Matches reports whether o passes every condition of the filter.
func (q OpportunityFilter) Matches(o Opportunity) bool {
	return (q.StateID == "" || o.StateID == q.StateID) &&
		(q.AgentID == "" || o.AgentID == q.AgentID) &&
		(q.AssigneeID == "" || o.AssigneeID == q.AssigneeID) &&
		(q.ContactID == "" || o.ContactID == q.ContactID) &&
		(q.InterestID == "" || o.InterestID == q.InterestID) &&
		(q.SourceID == "" || o.SourceID == q.SourceID)
}

// Tab is a pipeline state shown as a tab, with how many opportunities it holds.
type Tab struct {
	State State
	Count int64
}

// MaxBulkMove is how many opportunities one bulk state change may move: a
// transaction holds 100 actions, and the tab counters take one.
const MaxBulkMove = 99

// MoveFailure says why one opportunity of a bulk move could not move.
type MoveFailure struct {
	ID     string
	Reason string
}
