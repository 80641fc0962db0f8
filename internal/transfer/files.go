package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
)

// fileStore is one side of the copy of the files' contents, under the keys
// the adapters store them by (crm.BlobKey: files/<ID>).
type fileStore interface {
	// size is the size of the content under key, and false if there is none.
	size(ctx context.Context, key string) (int64, bool, error)
	// get returns the content under key and its size; crm not_found if none.
	get(ctx context.Context, key, name string) (io.ReadCloser, int64, error)
	// put stores size bytes of r under key, replacing it whole.
	put(ctx context.Context, key, contentType string, size int64, r io.Reader) error
}

// copyFiles copies the contents of the files the snapshot records from the
// source's side to the target's: from the files directory into the bucket
// or back, or between two files directories. A content the target holds
// already with the recorded size is left (a resumed copy); a record whose
// content the source lacks (an upload never completed) is counted.
func copyFiles(ctx context.Context, o Options, records []crm.File, prog *progress, rep *Report) error {
	var from, to fileStore
	switch {
	case o.From.DynamoDB() && o.To.DynamoDB():
		if o.Bucket != nil {
			return errors.New("--files copies between a files directory and a bucket, and both sides are tables (copy between buckets with aws s3 sync)")
		}
		return nil
	case !o.From.DynamoDB() && !o.To.DynamoDB():
		if same(Endpoint{DB: o.From.Files}, Endpoint{DB: o.To.Files}) {
			return nil
		}
		from, to = dirFiles{o.From.Files}, dirFiles{o.To.Files}
	case o.Bucket == nil:
		return nil
	case o.From.DynamoDB():
		from, to = bucketFiles{o.Bucket}, dirFiles{o.To.Files}
	default:
		from, to = dirFiles{o.From.Files}, bucketFiles{o.Bucket}
	}
	if len(records) == 0 {
		return nil
	}
	prog.begin("file contents", len(records), "files")
	defer prog.end()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan crm.File, len(records))
	for _, f := range records {
		jobs <- f
	}
	close(jobs)
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	workers := o.Workers
	if workers <= 0 {
		workers = 4
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				copied, n, err := copyFile(ctx, from, to, f)
				mu.Lock()
				switch {
				case err != nil && first == nil:
					first = fmt.Errorf("the content of file %s (%s): %w", f.ID, f.Name, err)
					cancel()
				case err != nil:
				case !copied && n < 0:
					rep.FilesMissing++
				case !copied:
					rep.FilesSkipped++
				default:
					rep.Files++
					rep.FileBytes += n
				}
				mu.Unlock()
				prog.add(1)
			}
		}()
	}
	wg.Wait()
	return first
}

// copyFile copies one file's content unless the target has it already
// with its recorded size. It returns whether it copied and the bytes it
// copied (-1 when the source has no content).
func copyFile(ctx context.Context, from, to fileStore, f crm.File) (bool, int64, error) {
	key := crm.BlobKey(f.ID)
	if n, ok, err := to.size(ctx, key); err != nil {
		return false, 0, err
	} else if ok && n == f.Size {
		return false, n, nil
	}
	r, n, err := from.get(ctx, key, f.Name)
	if crm.ErrorCode(err) == crm.CodeNotFound {
		return false, -1, nil
	}
	if err != nil {
		return false, 0, err
	}
	defer r.Close()
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	c := &counting{r: r}
	if err := to.put(ctx, key, ct, n, c); err != nil {
		return false, 0, err
	}
	return true, c.n, nil
}

// counting counts the bytes read through it.
type counting struct {
	r io.Reader
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// dirFiles is a files directory: the content of files/<ID> is the file
// <root>/files/<ID>, as blob.Dir keeps it.
type dirFiles struct{ root string }

func (d dirFiles) path(key string) (string, error) {
	id, ok := strings.CutPrefix(key, "files/")
	if !ok || !crm.ValidID(id) {
		return "", crm.InvalidField("key", "must be files/<ID>")
	}
	return filepath.Join(d.root, "files", id), nil
}

func (d dirFiles) size(_ context.Context, key string) (int64, bool, error) {
	p, err := d.path(key)
	if err != nil {
		return 0, false, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return st.Size(), true, nil
}

func (d dirFiles) get(_ context.Context, key, _ string) (io.ReadCloser, int64, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, crm.NotFound("file")
	}
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// put writes the content beside its place and renames it there, so that
// an interrupted copy never leaves half a file under the key.
func (d dirFiles) put(_ context.Context, key, _ string, _ int64, r io.Reader) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp := p + ".part"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// bucketFiles is the files bucket, through the S3 adapter's signed
// requests; a content is at most crm.MaxFileSize, read whole.
type bucketFiles struct{ b *blob.S3 }

func (s bucketFiles) size(ctx context.Context, key string) (int64, bool, error) {
	return s.b.Size(ctx, key)
}

func (s bucketFiles) get(ctx context.Context, key, _ string) (io.ReadCloser, int64, error) {
	data, err := s.b.Get(ctx, key, crm.MaxFileSize)
	if err != nil {
		return nil, 0, err
	}
	return io.NopCloser(bytes.NewReader(data)), int64(len(data)), nil
}

func (s bucketFiles) put(ctx context.Context, key, contentType string, _ int64, r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, crm.MaxFileSize+1))
	if err != nil {
		return err
	}
	if len(data) > crm.MaxFileSize {
		return fmt.Errorf("larger than %d bytes", crm.MaxFileSize)
	}
	return s.b.Put(ctx, key, contentType, data)
}
