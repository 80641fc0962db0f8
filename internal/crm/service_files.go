package crm

import (
	"context"
	"errors"
	"time"
)

// Upload is where and how a client uploads a file's bytes.
type Upload struct {
	URL     string
	Headers map[string]string
	Expires time.Time
}

// FilesEnabled reports whether a file store is configured: without one,
// CreateFile, CompleteFile, FileDownload and DeleteFile fail (internal),
// and a client should not offer uploads.
func (s *Service) FilesEnabled() bool { return s.cfg.Blobs != nil }

func (s *Service) blobs() (Blobs, error) {
	if s.cfg.Blobs == nil {
		return nil, Internal(errors.New("no file storage is configured"))
	}
	return s.cfg.Blobs, nil
}

// CreateFile records a file on a contact or opportunity (pending) and
// returns where to upload it; POST .../complete then makes it visible.
// Errors: invalid (name, type, size, parent kind), not_found (parent),
// internal.
func (s *Service) CreateFile(ctx context.Context, actor User, k ParentKind, parentID string, f File) (File, Upload, error) {
	if k != ParentContact && k != ParentOpportunity {
		return File{}, Upload{}, InvalidField("parent", "files go on contacts and opportunities")
	}
	if err := f.Normalize(); err != nil {
		return File{}, Upload{}, err
	}
	b, err := s.blobs()
	if err != nil {
		return File{}, Upload{}, err
	}
	contactID, err := s.noteContact(ctx, k, parentID)
	if err != nil {
		return File{}, Upload{}, err
	}
	now := s.now()
	f.ID, f.ParentKind, f.ParentID, f.ContactID, f.Status, f.UploadedBy = NewID(now), k, parentID, contactID, FilePending, actor.ID
	f.CreatedAt, f.UpdatedAt, f.Version = now, now, 1
	url, headers, exp, err := b.UploadURL(ctx, UploadKey(f.ID), f.ContentType, f.Size)
	if err != nil {
		return File{}, Upload{}, err
	}
	if err := s.store.Commit(ctx, Batch{Files: []Write[File]{{New: f}}}); err != nil {
		return File{}, Upload{}, err
	}
	return f, Upload{URL: url, Headers: headers, Expires: exp}, nil
}

// CompleteFile marks an uploaded file complete once its bytes are stored
// with the declared size: they move from the upload's key to the file's,
// and the upload URL stops working (where the blob store can tell).
// Completing a complete file changes nothing; completing again after a
// failure finds the bytes where the first attempt moved them. Errors:
// invalid (not uploaded, or another size), not_found, internal.
func (s *Service) CompleteFile(ctx context.Context, actor User, id string) (File, error) {
	f, err := s.GetFile(ctx, id)
	if err != nil || f.Status == FileComplete {
		return f, err
	}
	b, err := s.blobs()
	if err != nil {
		return File{}, err
	}
	size, uploaded, err := b.Size(ctx, UploadKey(f.ID))
	if err != nil {
		return File{}, err
	}
	moved := false
	if !uploaded {
		if size, moved, err = b.Size(ctx, BlobKey(f.ID)); err != nil {
			return File{}, err
		}
	}
	if !uploaded && !moved {
		return File{}, InvalidField("file", "nothing was uploaded yet: PUT the file to its upload URL first")
	}
	if size != f.Size {
		return File{}, InvalidField("size", "the upload has another size than the one declared")
	}
	if uploaded {
		if err := b.Move(ctx, UploadKey(f.ID), BlobKey(f.ID)); err != nil {
			return File{}, err
		}
	}
	next := f
	next.Status, next.UpdatedAt, next.Version = FileComplete, s.now(), f.Version+1
	return next, s.store.Commit(ctx, Batch{Files: []Write[File]{{Old: f, New: next}}})
}

// GetFile returns a file record. Errors: invalid, not_found, internal.
func (s *Service) GetFile(ctx context.Context, id string) (File, error) {
	if err := CheckID("id", id); err != nil {
		return File{}, err
	}
	return s.store.GetFile(ctx, id)
}

// FileDownload returns a complete file and a URL to download it. Errors:
// invalid, not_found (also while pending), internal.
func (s *Service) FileDownload(ctx context.Context, id string) (File, string, time.Time, error) {
	f, err := s.GetFile(ctx, id)
	if err != nil {
		return File{}, "", time.Time{}, err
	}
	if f.Status != FileComplete {
		return File{}, "", time.Time{}, NotFound("file")
	}
	b, err := s.blobs()
	if err != nil {
		return File{}, "", time.Time{}, err
	}
	url, exp, err := b.DownloadURL(ctx, BlobKey(f.ID), f.Name, f.ContentType)
	return f, url, exp, err
}

// DeleteFile removes a file's bytes (its upload too, whose URL stops
// working) and its record if ifMatch (0: any) is its current version.
// Errors: invalid, not_found, precondition_failed, internal.
func (s *Service) DeleteFile(ctx context.Context, id string, ifMatch int) error {
	f, err := s.GetFile(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("file", ifMatch, f.Version); err != nil {
		return err
	}
	b, err := s.blobs()
	if err != nil {
		return err
	}
	for _, k := range []string{UploadKey(f.ID), BlobKey(f.ID)} {
		if err := b.Delete(ctx, k); err != nil {
			return err
		}
	}
	return s.store.Commit(ctx, Batch{Files: []Write[File]{{Old: f, Delete: true}}})
}

// ListFiles lists a parent's complete files. Errors: invalid, not_found, internal.
func (s *Service) ListFiles(ctx context.Context, k ParentKind, parentID string, o ListOptions) (Page[File], error) {
	if err := o.Normalize(); err != nil {
		return Page[File]{}, err
	}
	if _, err := s.noteContact(ctx, k, parentID); err != nil {
		return Page[File]{}, err
	}
	return s.store.ListFiles(ctx, k, parentID, o)
}
