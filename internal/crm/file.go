package crm

import (
	"context"
	"mime"
	"path"
	"strings"
	"time"
)

// FileStatus is where an upload stands.
type FileStatus string

// The statuses of a file.
const (
	FilePending  FileStatus = "pending"  // the upload URL was handed out
	FileComplete FileStatus = "complete" // the client said the upload finished, and it is there
)

// MaxFileSize is the largest file Embudo stores: 25 MiB.
const MaxFileSize = 25 << 20

// File is a document attached to a contact or an opportunity; its bytes
// live in the blob store (S3, or a directory locally).
type File struct {
	ID          string
	ParentKind  ParentKind // contact or opportunity
	ParentID    string
	ContactID   string
	Name        string
	ContentType string
	Size        int64
	Status      FileStatus
	UploadedBy  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// Normalize validates the file's name, type and size; CodeInvalid names
// each bad field.
func (f *File) Normalize() error {
	fe := fieldErrors{}
	requireText(fe, "name", &f.Name, 255)
	if f.Name != "" && (strings.ContainsAny(f.Name, "/\\\x00") || f.Name == "." || f.Name == ".." || path.Base(f.Name) != f.Name) {
		fe.add("name", "must be a plain file name, without folders")
	}
	cleanText(fe, "contentType", &f.ContentType, 255)
	if f.ContentType == "" {
		f.ContentType = "application/octet-stream"
	}
	if mt, _, err := mime.ParseMediaType(f.ContentType); err != nil || !strings.Contains(mt, "/") {
		fe.add("contentType", "must be a media type like application/pdf")
	}
	if f.Size <= 0 || f.Size > MaxFileSize {
		fe.add("size", "must be between 1 byte and 25 MiB")
	}
	return fe.err()
}

// Blobs keeps the bytes of files. Keys are Embudo's: a file's content is
// kept under BlobKey (files/<id>); its upload lands under UploadKey
// (pending/<id>) until CompleteFile moves it, so that an upload that is
// never completed is found and cleaned up by its prefix (an S3 lifecycle
// rule; the local store's sweep). URLs are short-lived and signed. Errors:
// internal.
type Blobs interface {
	// UploadURL returns a URL the client PUTs the file to, with the headers
	// it must send, valid until the returned time. The URL binds the
	// declared content type and size: another type or size is refused.
	UploadURL(ctx context.Context, key, contentType string, size int64) (url string, headers map[string]string, expires time.Time, err error)
	// DownloadURL returns a URL that serves the file as an attachment
	// called name, with contentType (never a type guessed from the bytes).
	DownloadURL(ctx context.Context, key, name, contentType string) (url string, expires time.Time, err error)
	// Size returns the stored size of key, and false if nothing is stored.
	Size(ctx context.Context, key string) (int64, bool, error)
	// Move makes the content of from the content of to (replacing it) and
	// removes from; an upload URL of from stops working.
	Move(ctx context.Context, from, to string) error
	// Delete removes key (absent is success); an upload URL of key stops
	// working.
	Delete(ctx context.Context, key string) error
}

// BlobKey is where a file's bytes are kept.
func BlobKey(fileID string) string { return "files/" + fileID }

// UploadKey is where the upload of a file lands until it is completed.
func UploadKey(fileID string) string { return "pending/" + fileID }
