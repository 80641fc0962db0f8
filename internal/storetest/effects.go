package storetest

import (
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

var effectTests = []test{
	{"ApplyOnceAppliesARecordOnce", testApplyOnce},
	{"TimelineNewestFirstThroughAccept", testTimeline},
	{"StatsSumDeltasOverAMonthRange", testStats},
	{"ClaimOnceUntilReleased", testClaimOnce},
}

// entry returns a timeline entry of contact at base plus minutes.
func entry(contactID string, base time.Time, minutes int, kind crm.TimelineKind) crm.TimelineItem {
	return crm.TimelineItem{ContactID: contactID, At: base.Add(time.Duration(minutes) * time.Minute), EventID: newID(), Kind: kind,
		Summary: "Resumen", RefKind: "contact", RefID: contactID, Actor: actor.ID, ActorName: actor.Name}
}

// timeline returns a contact's whole timeline as actor sees it.
func timeline(t *testing.T, st crm.Store, contactID string) []crm.TimelineItem {
	t.Helper()
	visible := func(i crm.TimelineItem) bool { return i.VisibleTo(actor) }
	return must(st.Timeline(t.Context(), contactID, crm.ListOptions{Limit: crm.MaxLimit}, visible))(t).Items
}

// stats returns the rows of from..to in a fixed order (the port leaves it
// open).
func stats(t *testing.T, st crm.Store, from, to string) []crm.SourceMonth {
	t.Helper()
	return sortedBy(must(st.Stats(t.Context(), from, to))(t), func(m crm.SourceMonth) string { return m.Month + "#" + m.SourceID })
}

func applyOnce(t *testing.T, st crm.Store, key string, items []crm.TimelineItem, deltas []crm.StatDelta, want bool) {
	t.Helper()
	if applied := must(st.ApplyOnce(t.Context(), key, items, deltas))(t); applied != want {
		t.Fatalf("ApplyOnce(%s) applied %v, want %v", key, applied, want)
	}
}

// testApplyOnce: a change record applied again (the stream delivers at
// least once) applies nothing: no entry twice, no count doubled.
func testApplyOnce(t *testing.T, st crm.Store) {
	c := fixtures(t, st).contact(crm.Contact{})
	base := now()
	items := []crm.TimelineItem{entry(c.ID, base, 0, crm.TimelineCreated), entry(c.ID, base, 1, crm.TimelineLead)}
	deltas := []crm.StatDelta{{Month: "2026-01", Field: "contacts", Delta: 1}, {Month: "2026-01", Field: "leads", Delta: 1}}
	applyOnce(t, st, "rec#1", items, deltas, true)
	want := []crm.TimelineItem{items[1], items[0]}
	same(t, "timeline", timeline(t, st, c.ID), want)
	wantStats := []crm.SourceMonth{{Month: "2026-01", Contacts: 1, Leads: 1}}
	same(t, "stats", stats(t, st, "2026-01", "2026-01"), wantStats)

	applyOnce(t, st, "rec#1", items, deltas, false)
	applyOnce(t, st, "rec#1", []crm.TimelineItem{entry(c.ID, base, 2, crm.TimelineNote)}, deltas, false)
	same(t, "timeline after a repeated record", timeline(t, st, c.ID), want)
	same(t, "stats after a repeated record", stats(t, st, "2026-01", "2026-01"), wantStats)

	applyOnce(t, st, "rec#2", nil, deltas, true)
	same(t, "stats after another record", stats(t, st, "2026-01", "2026-01"), []crm.SourceMonth{{Month: "2026-01", Contacts: 2, Leads: 2}})
}

// testTimeline: a contact's history is listed newest first, only what
// accept likes (another user's private notes), in pages; a removed entry
// (a deleted note) is gone.
func testTimeline(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	c, other := f.contact(crm.Contact{Name: "Ana"}), f.contact(crm.Contact{Name: "Bea"})
	base := now().Add(-time.Hour)
	var items []crm.TimelineItem
	for i, kind := range []crm.TimelineKind{crm.TimelineCreated, crm.TimelineLead, crm.TimelineNote, crm.TimelineOpportunity, crm.TimelineNote, crm.TimelineFile, crm.TimelineQuote} {
		it := entry(c.ID, base, i, kind)
		if i == 2 {
			it.PrivateTo = newID() // another user's private note
		}
		if i == 4 {
			it.PrivateTo, it.Summary, it.RefKind, it.Actor = actor.ID, "Mi nota privada", "note", ""
		}
		items = append(items, it)
	}
	applyOnce(t, st, "rec#1", items[:4], nil, true)
	applyOnce(t, st, "rec#2", items[4:], nil, true)
	applyOnce(t, st, "rec#3", []crm.TimelineItem{entry(other.ID, base, 30, crm.TimelineCreated)}, nil, true)

	list := func(o crm.ListOptions) (crm.Page[crm.TimelineItem], error) {
		return st.Timeline(ctx, c.ID, o, func(i crm.TimelineItem) bool { return i.VisibleTo(actor) })
	}
	it := items
	walk(t, "timeline", timelineID, ids([]crm.TimelineItem{it[6], it[5], it[4], it[3], it[1], it[0]}, timelineID), list)
	same(t, "private entry", timeline(t, st, c.ID)[2], it[4])

	removed := it[4]
	removed.Removed = true
	applyOnce(t, st, "rec#4", []crm.TimelineItem{removed}, nil, true)
	walk(t, "timeline after a removal", timelineID, ids([]crm.TimelineItem{it[6], it[5], it[3], it[1], it[0]}, timelineID), list)

	refusesCursor(t, "a timeline cursor on the notes", firstCursor(t, "timeline", list), func(o crm.ListOptions) (crm.Page[crm.Note], error) {
		return st.ListNotes(ctx, crm.ParentContact, c.ID, o, nil)
	})
	for _, bad := range badCursors {
		refusesCursor(t, "timeline", bad, list)
	}
}

// testStats: the counters of each source and month sum every delta
// applied to them; a range reads its months, both ends included.
func testStats(t *testing.T, st crm.Store) {
	src := newID()
	applyOnce(t, st, "rec#1", nil, []crm.StatDelta{
		{Month: "2026-01", Field: "leads", Delta: 1},
		{Month: "2026-01", Field: "contacts", Delta: 1},
		{SourceID: src, Month: "2026-01", Field: "leads", Delta: 2},
		{SourceID: src, Month: "2026-01", Field: "won", Delta: 1},
		{SourceID: src, Month: "2026-01", Field: "wonAmountCents", Delta: 5000},
		{SourceID: src, Month: "2026-02", Field: "opportunities", Delta: 1},
		{SourceID: src, Month: "2026-02", Field: "opportunities", Delta: 2},
		{SourceID: src, Month: "2026-03", Field: "lost", Delta: 1},
		{SourceID: src, Month: "2025-12", Field: "contacts", Delta: 1},
		{SourceID: src, Month: "2026-04", Field: "contacts", Delta: 1},
	}, true)
	applyOnce(t, st, "rec#2", nil, []crm.StatDelta{
		{SourceID: src, Month: "2026-01", Field: "leads", Delta: 1},
		{Month: "2026-01", Field: "contacts", Delta: -1},
		{SourceID: src, Month: "2026-03", Field: "lost", Delta: -1},
		{SourceID: src, Month: "2026-03", Field: "won", Delta: 1},
		{SourceID: src, Month: "2026-03", Field: "wonAmountCents", Delta: 7000},
	}, true)
	same(t, "stats of 2026-01..2026-03", stats(t, st, "2026-01", "2026-03"), []crm.SourceMonth{
		{Month: "2026-01", Leads: 1},
		{SourceID: src, Month: "2026-01", Leads: 3, Won: 1, WonAmountCents: 5000},
		{SourceID: src, Month: "2026-02", Opportunities: 3},
		{SourceID: src, Month: "2026-03", Won: 1, WonAmountCents: 7000},
	})
	same(t, "stats of 2026-02", stats(t, st, "2026-02", "2026-02"), []crm.SourceMonth{{SourceID: src, Month: "2026-02", Opportunities: 3}})
	same(t, "stats of 2025", stats(t, st, "2025-01", "2025-12"), []crm.SourceMonth{{SourceID: src, Month: "2025-12", Contacts: 1}})
	same(t, "stats of a month without activity", stats(t, st, "2024-01", "2024-12"), []crm.SourceMonth(nil))
}

// testClaimOnce: a key (an e-mail about to be sent) is claimed once until
// released, when a retry may claim it again.
func testClaimOnce(t *testing.T, st crm.Store) {
	ctx := t.Context()
	claimOnce := func(key string, want bool) {
		t.Helper()
		if got := must(st.ClaimOnce(ctx, key))(t); got != want {
			t.Fatalf("ClaimOnce(%s) = %v, want %v", key, got, want)
		}
	}
	claimOnce("mail#1", true)
	claimOnce("mail#1", false)
	claimOnce("mail#2", true)
	noErr(t, st.Release(ctx, "mail#1"))
	claimOnce("mail#1", true)
	claimOnce("mail#1", false)
	claimOnce("mail#2", false)
	noErr(t, st.Release(ctx, "mail#never"))
}
