package sqlite

import (
	"context"

	"github.com/embudo/embudo/internal/crm"
)

var files = newEntity(entity[crm.File, fileRow]{
	table: "files", label: "file", change: "file", toRow: fileToRow, fromRow: fileFromRow,
	id: func(v crm.File) string { return v.ID }, version: func(v crm.File) int { return v.Version },
	cols: []string{"parent_kind", "parent_id", "complete"},
	vals: func(f crm.File) []any { return []any{string(f.ParentKind), f.ParentID, f.Status == crm.FileComplete} },
})

// GetFile implements crm.NoteStore. Errors: not_found, unavailable,
// internal.
func (s *Store) GetFile(ctx context.Context, id string) (crm.File, error) {
	return files.get(ctx, s, s.reads, id)
}

// ListFiles implements crm.NoteStore: a parent's complete files, newest
// first. Errors: invalid (cursor), unavailable, internal.
func (s *Store) ListFiles(ctx context.Context, k crm.ParentKind, parentID string, o crm.ListOptions) (crm.Page[crm.File], error) {
	return page(ctx, s, fileListing(k, parentID), o, files.decode, nil)
}

// fileListing is the access path of a parent's complete files.
func fileListing(k crm.ParentKind, parentID string) listing {
	return listing{path: "files:" + string(k) + ":" + parentID, from: "files INDEXED BY files_by_parent", key: "id",
		where: "parent_kind = ? AND parent_id = ? AND complete = 1", args: []any{string(k), parentID}}
}
