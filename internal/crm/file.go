package crm

import (
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
	f.ContentType = strings.TrimSpace(f.ContentType)
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
