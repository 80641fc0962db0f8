package dynamo

import (
	"context"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

const kindNote = "NOTE"

// noteItem is a note as stored. While its reminder is pending it is in
// GSI3 under its recipients (AVISO#<author>, or AVISO#ALL) and in GSI4
// under AVISO#PENDING, both sorted by the aviso time: "my reminders" and
// the sweep of due reminders are each one Query.
type noteItem struct {
	keys
	ID         string     `dynamodbav:"id"`
	ParentKind string     `dynamodbav:"parentKind"`
	ParentID   string     `dynamodbav:"parentId"`
	ContactID  string     `dynamodbav:"contactId,omitempty"`
	Text       string     `dynamodbav:"text"`
	InterestID string     `dynamodbav:"interestId,omitempty"`
	Visibility string     `dynamodbav:"visibility"`
	AvisoAt    *time.Time `dynamodbav:"avisoAt,omitempty"`
	RemindAll  bool       `dynamodbav:"remindAll"`
	NotifiedAt *time.Time `dynamodbav:"notifiedAt,omitempty"`
	CreatedBy  string     `dynamodbav:"createdBy,omitempty"`
	UpdatedBy  string     `dynamodbav:"updatedBy,omitempty"`
	CreatedAt  time.Time  `dynamodbav:"createdAt"`
	UpdatedAt  time.Time  `dynamodbav:"updatedAt"`
	Version    int        `dynamodbav:"version"`
}

func noteToItem(n crm.Note) noteItem {
	k := entityKeys(kindNote, n.ID)
	k.GSI2PK, k.GSI2SK = kindNote+"#"+string(n.ParentKind)+"#"+n.ParentID, n.ID
	if n.Pending() {
		owner := n.CreatedBy
		if n.RemindAll {
			owner = "ALL"
		}
		sk := n.AvisoAt.UTC().Format(time.RFC3339) + "#" + n.ID
		k.GSI3PK, k.GSI3SK = "AVISO#"+owner, sk
		k.GSI4PK, k.GSI4SK = "AVISO#PENDING", sk
	}
	return noteItem{keys: k, ID: n.ID, ParentKind: string(n.ParentKind), ParentID: n.ParentID, ContactID: n.ContactID,
		Text: n.Text, InterestID: n.InterestID, Visibility: string(n.Visibility), AvisoAt: n.AvisoAt, RemindAll: n.RemindAll,
		NotifiedAt: n.NotifiedAt, CreatedBy: n.CreatedBy, UpdatedBy: n.UpdatedBy, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, Version: n.Version}
}

func noteFromItem(it noteItem) crm.Note {
	return crm.Note{ID: it.ID, ParentKind: crm.ParentKind(it.ParentKind), ParentID: it.ParentID, ContactID: it.ContactID,
		Text: it.Text, InterestID: it.InterestID, Visibility: crm.Visibility(it.Visibility), AvisoAt: it.AvisoAt, RemindAll: it.RemindAll,
		NotifiedAt: it.NotifiedAt, CreatedBy: it.CreatedBy, UpdatedBy: it.UpdatedBy, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version}
}

var notes = entity[crm.Note, noteItem]{
	kind: kindNote, label: "note", toItem: noteToItem, fromItem: noteFromItem,
	id: func(v crm.Note) string { return v.ID }, version: func(v crm.Note) int { return v.Version },
}

// GetNote implements crm.NoteStore with one GetItem.
func (s *Store) GetNote(ctx context.Context, id string) (crm.Note, error) {
	return notes.get(ctx, s, id)
}

// ListNotes implements crm.NoteStore: one Query of the parent's notes,
// newest first, keeping those accept likes.
func (s *Store) ListNotes(ctx context.Context, k crm.ParentKind, parentID string, o crm.ListOptions, accept func(crm.Note) bool) (crm.Page[crm.Note], error) {
	return page(ctx, s, query{index: gsi2, pk: kindNote + "#" + string(k) + "#" + parentID}, "notes", o, nil, notes.decode, accept)
}

// PendingReminders implements crm.NoteStore: the pending reminders of one
// recipient partition ("<userID>" or "ALL", or "PENDING" for all of them),
// soonest first, up to those due by until (zero: all).
func (s *Store) PendingReminders(ctx context.Context, owner string, until time.Time, limit int) ([]crm.Note, error) {
	q := query{index: gsi3, pk: "AVISO#" + owner, forward: true}
	if owner == "PENDING" {
		q.index = gsi4
	}
	p, err := page(ctx, s, q, "aviso", crm.ListOptions{Limit: limit}, nil, notes.decode, func(n crm.Note) bool {
		return until.IsZero() || !n.AvisoAt.After(until)
	})
	return p.Items, err
}
