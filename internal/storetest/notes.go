package storetest

import (
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

var noteTests = []test{
	{"ReadBackAsWrittenAndMissingIsNotFound", testNoteRoundTrip},
	{"ListNotesNewestFirstThroughAccept", testListNotes},
	{"PendingRemindersSoonestFirst", testPendingReminders},
}

// testNoteRoundTrip: every field of a note is kept.
func testNoteRoundTrip(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	c, in := f.contact(crm.Contact{}), f.interest("Hosting")
	aviso, sent := now().Add(time.Hour).Truncate(time.Second), now()
	n := f.note(crm.Note{ParentKind: crm.ParentContact, ParentID: c.ID, ContactID: c.ID, Text: "Llamar el lunes", InterestID: in.ID,
		Visibility: crm.VisibilityPrivate, AvisoAt: &aviso, NotifiedAt: &sent, CreatedBy: actor.ID, UpdatedBy: actor.ID})
	same(t, "note", must(st.GetNote(ctx, n.ID))(t), n)
	next := n
	next.Text, next.InterestID, next.Visibility, next.AvisoAt, next.NotifiedAt, next.RemindAll, next.UpdatedBy = "Hecho", "", crm.VisibilityTeam, nil, nil, true, ""
	bumped(&next.Version, &next.UpdatedAt)
	f.commit(crm.Batch{Notes: []crm.Write[crm.Note]{{Old: n, New: next}}})
	same(t, "updated note", must(st.GetNote(ctx, n.ID))(t), next)
	_, err := st.GetNote(ctx, newID())
	wantCode(t, err, crm.CodeNotFound)
}

// testListNotes: a parent's notes are listed newest first, only those
// accept likes (another user's private notes), in pages; a deleted note
// is gone.
func testListNotes(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	s, c := f.state(crm.State{}), f.contact(crm.Contact{})
	o := f.opportunity(crm.Opportunity{ContactID: c.ID, StateID: s.ID})
	other := newID()
	var notes []crm.Note
	for i := range 7 {
		n := crm.Note{ParentKind: crm.ParentContact, ParentID: c.ID, ContactID: c.ID, CreatedBy: actor.ID}
		if i == 1 || i == 4 {
			n.Visibility, n.CreatedBy = crm.VisibilityPrivate, other
		}
		notes = append(notes, f.note(n))
	}
	onOpp := f.note(crm.Note{ParentKind: crm.ParentOpportunity, ParentID: o.ID, ContactID: c.ID})
	list := func(k crm.ParentKind, id string) func(crm.ListOptions) (crm.Page[crm.Note], error) {
		return func(opts crm.ListOptions) (crm.Page[crm.Note], error) {
			return st.ListNotes(ctx, k, id, opts, func(n crm.Note) bool { return n.VisibleTo(actor) })
		}
	}
	n := notes
	walk(t, "notes on the contact", noteID, ids([]crm.Note{n[6], n[5], n[3], n[2], n[0]}, noteID), list(crm.ParentContact, c.ID))
	walk(t, "notes on the opportunity", noteID, []string{onOpp.ID}, list(crm.ParentOpportunity, o.ID))
	walk(t, "notes on a contact without notes", noteID, nil, list(crm.ParentContact, newID()))
	f.commit(crm.Batch{Notes: []crm.Write[crm.Note]{{Old: n[5], Delete: true}}})
	walk(t, "notes after a delete", noteID, ids([]crm.Note{n[6], n[3], n[2], n[0]}, noteID), list(crm.ParentContact, c.ID))

	cursor := firstCursor(t, "notes", list(crm.ParentContact, c.ID))
	refusesCursor(t, "a notes cursor on the files", cursor, func(o crm.ListOptions) (crm.Page[crm.File], error) {
		return st.ListFiles(ctx, crm.ParentContact, c.ID, o)
	})
	refusesCursor(t, "a notes cursor on the timeline", cursor, func(o crm.ListOptions) (crm.Page[crm.TimelineItem], error) {
		return st.Timeline(ctx, c.ID, o, nil)
	})
	for _, bad := range badCursors {
		refusesCursor(t, "notes", bad, list(crm.ParentContact, c.ID))
	}
}

// testPendingReminders: pending reminders are listed soonest first by
// recipient: a user (the author's own notes), "ALL" (the notes that
// remind everyone, which are in no user's list) or "PENDING" (all of
// them); until keeps those due by then, limit bounds them; a sent or
// cleared reminder is gone, and one set again is back.
func testPendingReminders(t *testing.T, st crm.Store) {
	ctx, f := t.Context(), fixtures(t, st)
	c := f.contact(crm.Contact{})
	u1, u2 := newID(), newID()
	base := now().Truncate(time.Second)
	at := func(minutes int) *time.Time {
		v := base.Add(time.Duration(minutes) * time.Minute)
		return &v
	}
	note := func(author string, aviso int, all bool, vis crm.Visibility) crm.Note {
		n := crm.Note{ParentKind: crm.ParentContact, ParentID: c.ID, ContactID: c.ID, CreatedBy: author, RemindAll: all, Visibility: vis}
		if aviso != 0 {
			n.AvisoAt = at(aviso)
		}
		return f.note(n)
	}
	a := note(u1, 30, false, crm.VisibilityTeam)
	b := note(u1, 10, false, crm.VisibilityPrivate)
	cc := note(u2, 20, false, crm.VisibilityTeam)
	d := note(u1, 5, true, crm.VisibilityTeam)
	note(u1, 0, false, crm.VisibilityTeam) // no reminder
	sent := note(u1, 40, false, crm.VisibilityTeam)
	cleared := note(u1, 15, false, crm.VisibilityTeam)
	j := note(u2, 50, true, crm.VisibilityTeam)
	sentNext, clearedNext := sent, cleared
	sentNext.NotifiedAt = at(41)
	clearedNext.AvisoAt = nil
	bumped(&sentNext.Version, &sentNext.UpdatedAt)
	bumped(&clearedNext.Version, &clearedNext.UpdatedAt)
	f.commit(crm.Batch{Notes: []crm.Write[crm.Note]{{Old: sent, New: sentNext}, {Old: cleared, New: clearedNext}}})
	f.note(crm.Note{ParentKind: crm.ParentContact, ParentID: c.ID, CreatedBy: u1, AvisoAt: at(1), NotifiedAt: at(2)}) // sent at once

	check := func(what, owner string, until time.Time, limit int, want ...crm.Note) {
		t.Helper()
		got := must(st.PendingReminders(ctx, owner, until, limit))(t)
		sameIDs(t, what, ids(got, noteID), ids(want, noteID))
		if len(want) > 0 {
			same(t, what+": first", got[0], want[0])
		}
	}
	check("u1", u1, time.Time{}, 10, b, a)
	check("u2", u2, time.Time{}, 10, cc)
	check("everyone", "ALL", time.Time{}, 10, d, j)
	check("pending", "PENDING", time.Time{}, 10, d, b, cc, a, j)
	check("pending until 20 minutes, included", "PENDING", *at(20), 10, d, b, cc)
	check("pending, two", "PENDING", time.Time{}, 2, d, b)
	check("u1 until 10 minutes", u1, *at(10), 10, b)
	check("nobody", newID(), time.Time{}, 10)

	again := sentNext
	again.AvisoAt, again.NotifiedAt = at(35), nil
	bumped(&again.Version, &again.UpdatedAt)
	f.commit(crm.Batch{Notes: []crm.Write[crm.Note]{{Old: sentNext, New: again}, {Old: b, Delete: true}}})
	check("u1 after a reminder set again and one deleted", u1, time.Time{}, 10, a, again)
}
