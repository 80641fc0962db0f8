package dynamo

import (
	"context"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

const kindFile = "FILE"

// fileItem is a file record as stored; listed under its parent (GSI2)
// once complete.
type fileItem struct {
	keys
	ID          string    `dynamodbav:"id"`
	ParentKind  string    `dynamodbav:"parentKind"`
	ParentID    string    `dynamodbav:"parentId"`
	ContactID   string    `dynamodbav:"contactId,omitempty"`
	Name        string    `dynamodbav:"name"`
	ContentType string    `dynamodbav:"contentType"`
	Size        int64     `dynamodbav:"size"`
	Status      string    `dynamodbav:"status"`
	UploadedBy  string    `dynamodbav:"uploadedBy,omitempty"`
	CreatedAt   time.Time `dynamodbav:"createdAt"`
	UpdatedAt   time.Time `dynamodbav:"updatedAt"`
	Version     int       `dynamodbav:"version"`
}

func fileToItem(f crm.File) fileItem {
	k := entityKeys(kindFile, f.ID)
	if f.Status == crm.FileComplete {
		k.GSI2PK, k.GSI2SK = kindFile+"#"+string(f.ParentKind)+"#"+f.ParentID, f.ID
	}
	return fileItem{keys: k, ID: f.ID, ParentKind: string(f.ParentKind), ParentID: f.ParentID, ContactID: f.ContactID, Name: f.Name,
		ContentType: f.ContentType, Size: f.Size, Status: string(f.Status), UploadedBy: f.UploadedBy, CreatedAt: f.CreatedAt,
		UpdatedAt: f.UpdatedAt, Version: f.Version}
}

func fileFromItem(it fileItem) crm.File {
	return crm.File{ID: it.ID, ParentKind: crm.ParentKind(it.ParentKind), ParentID: it.ParentID, ContactID: it.ContactID, Name: it.Name,
		ContentType: it.ContentType, Size: it.Size, Status: crm.FileStatus(it.Status), UploadedBy: it.UploadedBy,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version}
}

var files = entity[crm.File, fileItem]{
	kind: kindFile, label: "file", toItem: fileToItem, fromItem: fileFromItem,
	id: func(v crm.File) string { return v.ID }, version: func(v crm.File) int { return v.Version },
}

// GetFile implements crm.NoteStore with one GetItem.
func (s *Store) GetFile(ctx context.Context, id string) (crm.File, error) {
	return files.get(ctx, s, id)
}

// ListFiles implements crm.NoteStore with one Query on GSI2.
func (s *Store) ListFiles(ctx context.Context, k crm.ParentKind, parentID string, o crm.ListOptions) (crm.Page[crm.File], error) {
	return page(ctx, s, query{index: gsi2, pk: kindFile + "#" + string(k) + "#" + parentID}, "files", o, nil, files.decode, nil)
}
