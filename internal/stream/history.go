package stream

import (
	"context"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// history returns the timeline entries and counter changes of a change.
// Each entry names who did it (ActorName): the user, or, for what a lead
// did (no user), the source whose webhook brought it; an assignment names
// the agent.
func (h *Handler) history(ctx context.Context, eventID string, old, new crm.Entity) ([]crm.TimelineItem, []crm.StatDelta, error) {
	items, stats, via, err := h.entries(ctx, eventID, old, new)
	if err != nil {
		return nil, nil, err
	}
	return items, stats, h.names(ctx).actors(items, via)
}

// entries returns the timeline entries and counter changes of a change,
// and for each entry a lead made (by its index) the source of that lead.
func (h *Handler) entries(ctx context.Context, eventID string, old, new crm.Entity) ([]crm.TimelineItem, []crm.StatDelta, map[int]string, error) {
	month := func(t time.Time) string { return t.In(h.svc.TimeZone()).Format("2006-01") }
	at := changedAt(new, h.now)
	var items []crm.TimelineItem
	var stats []crm.StatDelta
	via := map[int]string{}
	// add adds an entry; src is the lead's source when a lead did it (the
	// actor is then "").
	add := func(contactID string, k crm.TimelineKind, summary, refKind, refID, actor, src string) {
		if contactID != "" {
			if actor == "" && src != "" {
				via[len(items)] = src
			}
			items = append(items, crm.TimelineItem{ContactID: contactID, At: at, EventID: eventID, Kind: k, Summary: summary,
				RefKind: refKind, RefID: refID, Actor: actor})
		}
	}
	// leadSource is the source of a contact's change that no user made.
	leadSource := func(c crm.Contact) string { return firstOf(c.UpdatedVia, c.SourceID) }
	count := func(src string, t time.Time, field string, d int64) {
		if d != 0 {
			stats = append(stats, crm.StatDelta{SourceID: src, Month: month(t), Field: field, Delta: d})
		}
	}
	switch n := new.(type) {
	case crm.Contact:
		o, had := old.(crm.Contact)
		if !had {
			add(n.ID, crm.TimelineCreated, n.FullName(), "contact", n.ID, n.CreatedBy, leadSource(n))
			count(n.SourceID, n.CreatedAt, "contacts", 1)
			break
		}
		if n.AgentID != o.AgentID && n.AgentID != "" {
			agent, err := h.names(ctx).of("agent", n.AgentID)
			if err != nil {
				return nil, nil, nil, err
			}
			add(n.ID, crm.TimelineAssigned, firstOf(agent, n.AgentID), "agent", n.AgentID, n.UpdatedBy, n.UpdatedVia)
		}
		if n.ClientID != "" && o.ClientID == "" {
			add(n.ID, crm.TimelineConverted, "client", "client", n.ClientID, n.UpdatedBy, n.UpdatedVia)
		}
		if n.SupplierID != "" && o.SupplierID == "" {
			add(n.ID, crm.TimelineConverted, "supplier", "supplier", n.SupplierID, n.UpdatedBy, n.UpdatedVia)
		}
		if n.SourceID != o.SourceID {
			count(o.SourceID, o.CreatedAt, "contacts", -1)
			count(n.SourceID, n.CreatedAt, "contacts", 1)
		}
	case crm.LeadRecord:
		if old == nil && n.Format != crm.FormatImport && (n.Outcome == crm.OutcomeCreated || n.Outcome == crm.OutcomeMerged) {
			add(n.ContactID, crm.TimelineLead, string(n.Format), "lead", n.ID, "", n.SourceID)
			count(n.SourceID, n.ReceivedAt, "leads", 1)
		}
	case crm.Opportunity:
		states, err := h.svc.PipelineStates(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		o, had := old.(crm.Opportunity)
		if !had {
			add(n.ContactID, crm.TimelineOpportunity, n.Description, "opportunity", n.ID, n.CreatedBy, n.SourceID) // a lead's opportunity: its source
			count(n.SourceID, n.CreatedAt, "opportunities", 1)
			outcomeCounts(states, crm.Opportunity{}, n, count)
			break
		}
		if n.StateID != o.StateID {
			name := n.StateID
			if st, ok := stateOf(states, n.StateID); ok {
				name = st.Name
			}
			add(n.ContactID, crm.TimelineState, name, "opportunity", n.ID, n.UpdatedBy, "")
		}
		outcomeCounts(states, o, n, count)
	case crm.Note:
		// A note's entry is keyed by the note, not the record, so that
		// making it private, editing or deleting it updates its one entry.
		o, had := old.(crm.Note)
		if !had || o.Visibility != n.Visibility || o.Text != n.Text {
			items = append(items, noteEntry(n, false))
		}
	case crm.File:
		o, had := old.(crm.File)
		if n.Status == crm.FileComplete && (!had || o.Status != crm.FileComplete) {
			add(n.ContactID, crm.TimelineFile, n.Name, "file", n.ID, n.UploadedBy, "")
		}
	case crm.Quote:
		if old == nil {
			add(n.ContactID, crm.TimelineQuote, n.Number, "quote", n.ID, n.CreatedBy, "")
		}
	case nil:
		switch o := old.(type) {
		case crm.Note:
			items = append(items, noteEntry(o, true))
		case crm.Contact:
			count(o.SourceID, o.CreatedAt, "contacts", -1)
		case crm.Opportunity:
			states, err := h.svc.PipelineStates(ctx)
			if err != nil {
				return nil, nil, nil, err
			}
			count(o.SourceID, o.CreatedAt, "opportunities", -1)
			outcomeCounts(states, o, crm.Opportunity{}, count)
		}
	}
	return items, stats, via, nil
}

// changedAt is when a change was made: the time its new image records
// (its last update; a lead record's arrival). Its entries carry that time,
// not the time the change is handled, so that a change delivered again
// makes the same entries, under the same keys: a store can recognise a
// change applied before by its entry (the DynamoDB stream batches do,
// internal/dynamo/effects_batch.go). now only for an image without a time.
func changedAt(e crm.Entity, now func() time.Time) time.Time {
	var t time.Time
	switch n := e.(type) {
	case crm.Contact:
		t = n.UpdatedAt
	case crm.Opportunity:
		t = n.UpdatedAt
	case crm.LeadRecord:
		t = n.ReceivedAt
	case crm.File:
		t = n.UpdatedAt
	case crm.Quote:
		t = n.UpdatedAt
	}
	if t.IsZero() {
		t = now()
	}
	return t.UTC()
}

// firstOf returns the first of vs that is not "".
func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// outcomeCounts counts an opportunity leaving old's outcome and entering
// new's (a zero Opportunity is "none"): won and lost by the month they
// closed, and the won amount.
func outcomeCounts(states []crm.State, old, new crm.Opportunity, count func(src string, t time.Time, field string, d int64)) {
	was, is := outcome(states, old), outcome(states, new)
	if was == is && (is != crm.OutcomeWon || old.AmountCents == new.AmountCents) {
		return
	}
	switch was {
	case crm.OutcomeWon:
		count(old.SourceID, *old.ClosedAt, "won", -1)
		count(old.SourceID, *old.ClosedAt, "wonAmountCents", -old.AmountCents)
	case crm.OutcomeLost:
		count(old.SourceID, *old.ClosedAt, "lost", -1)
	}
	switch is {
	case crm.OutcomeWon:
		count(new.SourceID, *new.ClosedAt, "won", 1)
		count(new.SourceID, *new.ClosedAt, "wonAmountCents", new.AmountCents)
	case crm.OutcomeLost:
		count(new.SourceID, *new.ClosedAt, "lost", 1)
	}
}

// outcome is where an opportunity stands: "" for none (zero value), else
// the outcome it recorded when it entered its state (an item written
// before it recorded one falls back to its state's outcome today).
func outcome(states []crm.State, o crm.Opportunity) crm.Outcome {
	if o.ID == "" {
		return ""
	}
	if o.Outcome != "" {
		if o.Outcome != crm.OutcomeOpen && o.ClosedAt == nil {
			return crm.OutcomeOpen
		}
		return o.Outcome
	}
	if o.ClosedAt == nil {
		return crm.OutcomeOpen
	}
	if st, ok := stateOf(states, o.StateID); ok && st.Closed() {
		return st.Outcome
	}
	return crm.OutcomeOpen
}

func stateOf(states []crm.State, id string) (crm.State, bool) {
	for _, s := range states {
		if s.ID == id {
			return s, true
		}
	}
	return crm.State{}, false
}

func excerpt(s string) string {
	r := []rune(s)
	if len(r) > 140 {
		return string(r[:140]) + "…"
	}
	return s
}

// noteEntry is a note's timeline entry (removed: delete it).
func noteEntry(n crm.Note, removed bool) crm.TimelineItem {
	private := ""
	if n.Visibility == crm.VisibilityPrivate {
		private = n.CreatedBy
	}
	return crm.TimelineItem{ContactID: n.ContactID, At: n.CreatedAt, EventID: "note-" + n.ID, Kind: crm.TimelineNote,
		Summary: excerpt(n.Text), RefKind: "note", RefID: n.ID, Actor: n.CreatedBy, PrivateTo: private, Removed: removed}
}
