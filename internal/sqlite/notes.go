package sqlite

import (
	"context"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

var notes = newEntity(entity[crm.Note, noteRow]{
	table: "notes", label: "note", change: "note", toRow: noteToRow, fromRow: noteFromRow,
	id: func(v crm.Note) string { return v.ID }, version: func(v crm.Note) int { return v.Version },
	cols: []string{"parent_kind", "parent_id", "aviso_owner", "aviso_sk"},
	vals: func(n crm.Note) []any {
		owner, sk := avisoKeys(n)
		return []any{string(n.ParentKind), n.ParentID, owner, sk}
	},
})

// avisoKeys are the columns that list a pending reminder: its recipients
// (the author, or ALL) and its aviso time; NULL while none is pending.
func avisoKeys(n crm.Note) (owner, sk any) {
	if !n.Pending() {
		return nil, nil
	}
	o := n.CreatedBy
	if n.RemindAll {
		o = "ALL"
	}
	return o, n.AvisoAt.UTC().Format(time.RFC3339) + "#" + n.ID
}

// GetNote implements crm.NoteStore. Errors: not_found, unavailable,
// internal.
func (s *Store) GetNote(ctx context.Context, id string) (crm.Note, error) {
	return notes.get(ctx, s, s.reads, id)
}

// ListNotes implements crm.NoteStore: a parent's notes, newest first,
// those accept likes. Errors: invalid (cursor), unavailable, internal.
func (s *Store) ListNotes(ctx context.Context, k crm.ParentKind, parentID string, o crm.ListOptions, accept func(crm.Note) bool) (crm.Page[crm.Note], error) {
	return page(ctx, s, noteListing(k, parentID), o, notes.decode, accept)
}

// noteListing is the access path of a parent's notes.
func noteListing(k crm.ParentKind, parentID string) listing {
	return listing{path: "notes:" + string(k) + ":" + parentID, from: "notes INDEXED BY notes_by_parent", key: "id",
		where: "parent_kind = ? AND parent_id = ?", args: []any{string(k), parentID}}
}

// PendingReminders implements crm.NoteStore: the pending reminders of one
// recipient (a user ID, or "ALL"), or every one ("PENDING"), soonest first,
// up to those due by until (zero: all). Errors: unavailable, internal.
func (s *Store) PendingReminders(ctx context.Context, owner string, until time.Time, limit int) ([]crm.Note, error) {
	p, err := page(ctx, s, reminderListing(owner, until), crm.ListOptions{Limit: limit}, notes.decode, func(n crm.Note) bool {
		return until.IsZero() || !n.AvisoAt.After(until)
	})
	return p.Items, err
}

// reminderListing is the access path of the pending reminders of owner
// (or every one: "PENDING") due by until (zero: all).
func reminderListing(owner string, until time.Time) listing {
	l := listing{path: "aviso", from: "notes INDEXED BY notes_by_owner_aviso", key: "aviso_sk", asc: true,
		where: "aviso_owner = ?", args: []any{owner}}
	if owner == "PENDING" {
		l.from, l.where, l.args = "notes INDEXED BY notes_by_aviso", "aviso_sk IS NOT NULL", nil
	}
	if !until.IsZero() {
		// Keys hold the aviso to the second; the exact test is accept's.
		l.where += " AND aviso_sk < ?"
		l.args = append(l.args, until.UTC().Truncate(time.Second).Add(time.Second).Format(time.RFC3339))
	}
	return l
}
