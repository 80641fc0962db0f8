package blob

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Dir keeps files in a directory for the local runtime. Its URLs point to
// its own Handler (mounted at /blobs/ by `embudo serve`) and are signed
// with a per-process key and an expiry, like presigned S3 URLs. An upload
// URL binds the declared size and content type, and stops working once
// its upload is completed (moved to the file's key) or deleted; uploads
// never completed are removed by Sweep.
type Dir struct {
	Root    string
	BaseURL string // e.g. http://127.0.0.1:3000
	key     []byte
	Now     func() time.Time

	mu sync.Mutex
	// closed holds the keys whose upload URLs no longer work (moved or
	// deleted), each until the last URL that could name it has expired.
	// The signing key lives as long as the process, so memory suffices.
	closed map[string]time.Time
}

// NewDir returns a Dir over root with a fresh signing key.
func NewDir(root, baseURL string) (*Dir, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return &Dir{Root: root, BaseURL: strings.TrimRight(baseURL, "/"), key: k}, os.MkdirAll(root, 0o700)
}

func (d *Dir) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// sign signs a URL's method, key, expiry and its two values (x: the size
// of an upload, the name of a download; t: the content type).
func (d *Dir) sign(method, key string, exp int64, x, t string) string {
	m := hmac.New(sha256.New, d.key)
	fmt.Fprintf(m, "%s\n%s\n%d\n%s\n%s", method, key, exp, x, t)
	return hex.EncodeToString(m.Sum(nil))
}

func (d *Dir) url(method, key, x, t string) (string, time.Time) {
	exp := d.now().Add(URLTTL)
	q := url.Values{"exp": {strconv.FormatInt(exp.Unix(), 10)}, "sig": {d.sign(method, key, exp.Unix(), x, t)}}
	if x != "" {
		q.Set("x", x)
	}
	if t != "" {
		q.Set("t", t)
	}
	return d.BaseURL + "/blobs/" + key + "?" + q.Encode(), exp
}

// UploadURL implements crm.Blobs: the URL takes a PUT of exactly size
// bytes with Content-Type contentType. Errors: none.
func (d *Dir) UploadURL(_ context.Context, key, contentType string, size int64) (string, map[string]string, time.Time, error) {
	u, exp := d.url(http.MethodPut, key, strconv.FormatInt(size, 10), contentType)
	return u, map[string]string{"Content-Type": contentType}, exp, nil
}

// DownloadURL implements crm.Blobs: the URL serves the file with
// contentType, X-Content-Type-Options: nosniff and Content-Disposition:
// attachment naming it. Errors: none.
func (d *Dir) DownloadURL(_ context.Context, key, name, contentType string) (string, time.Time, error) {
	u, exp := d.url(http.MethodGet, key, name, contentType)
	return u, exp, nil
}

// path is where key is kept: files/<ID> (a file) or pending/<ID> (its
// upload); any other key has none.
func (d *Dir) path(key string) (string, bool) {
	dir, id, ok := strings.Cut(key, "/")
	if !ok || (dir != "files" && dir != "pending") || !crm.ValidID(id) {
		return "", false
	}
	return filepath.Join(d.Root, dir, id), true
}

// Size implements crm.Blobs. Errors: internal.
func (d *Dir) Size(_ context.Context, key string) (int64, bool, error) {
	p, ok := d.path(key)
	if !ok {
		return 0, false, nil
	}
	st, err := os.Stat(p)
	if os.IsNotExist(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, crm.Internal(err)
	}
	return st.Size(), true, nil
}

// closeUploads makes the upload URLs of key stop working.
func (d *Dir) closeUploads(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed == nil {
		d.closed = map[string]time.Time{}
	}
	d.closed[key] = d.now().Add(URLTTL)
}

// isClosed reports whether the upload URLs of key stopped working.
func (d *Dir) isClosed(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.closed[key]
	return ok
}

// Move implements crm.Blobs with a rename; nothing under from is success
// (a move done before). Errors: internal.
func (d *Dir) Move(_ context.Context, from, to string) error {
	src, ok1 := d.path(from)
	dst, ok2 := d.path(to)
	if !ok1 || !ok2 {
		return crm.Internal(fmt.Errorf("blob: cannot move %q to %q", from, to))
	}
	d.closeUploads(from)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return crm.Internal(err)
	}
	if err := os.Rename(src, dst); err != nil && !os.IsNotExist(err) {
		return crm.Internal(err)
	}
	return nil
}

// Delete implements crm.Blobs. Errors: internal.
func (d *Dir) Delete(_ context.Context, key string) error {
	p, ok := d.path(key)
	if !ok {
		return nil
	}
	d.closeUploads(key)
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return crm.Internal(err)
	}
	return nil
}

// ServeHTTP serves signed PUT (upload: the signed size and content type
// only, while the upload is neither completed nor deleted) and GET
// (download, with the signed content type, nosniff, as an attachment) of
// /blobs/<key>.
func (d *Dir) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/blobs/")
	q := r.URL.Query()
	exp, _ := strconv.ParseInt(q.Get("exp"), 10, 64)
	want := d.sign(r.Method, key, exp, q.Get("x"), q.Get("t"))
	p, ok := d.path(key)
	if !ok || !hmac.Equal([]byte(want), []byte(q.Get("sig"))) || d.now().Unix() > exp {
		http.Error(w, "invalid or expired signature", http.StatusForbidden)
		return
	}
	switch r.Method {
	case http.MethodPut:
		d.upload(w, r, key, p)
	case http.MethodGet:
		f, err := os.Open(p)
		if err != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		defer f.Close()
		ct := q.Get("t")
		if ct == "" {
			ct = "application/octet-stream"
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": q.Get("x")}))
		http.ServeContent(w, r, "", time.Time{}, f)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// upload stores the body of a signed PUT at p, if it has the signed size
// and content type and the upload of key is still open.
func (d *Dir) upload(w http.ResponseWriter, r *http.Request, key, p string) {
	q := r.URL.Query()
	size, _ := strconv.ParseInt(q.Get("x"), 10, 64)
	if d.isClosed(key) {
		http.Error(w, "this upload was completed or deleted: its URL no longer works", http.StatusGone)
		return
	}
	if t := q.Get("t"); t != "" && r.Header.Get("Content-Type") != t {
		http.Error(w, "the Content-Type is not the one the upload was signed for", http.StatusForbidden)
		return
	}
	if r.ContentLength >= 0 && r.ContentLength != size {
		http.Error(w, "the body is not the size the upload was signed for", http.StatusBadRequest)
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		http.Error(w, "storage error", http.StatusInternalServerError)
		return
	}
	tmp := p + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		http.Error(w, "storage error", http.StatusInternalServerError)
		return
	}
	n, err := io.Copy(f, io.LimitReader(r.Body, size+1))
	f.Close()
	if err != nil || n != size {
		os.Remove(tmp)
		http.Error(w, "the body is not the size the upload was signed for", http.StatusBadRequest)
		return
	}
	if d.isClosed(key) { // completed or deleted while the body came in
		os.Remove(tmp)
		http.Error(w, "this upload was completed or deleted: its URL no longer works", http.StatusGone)
		return
	}
	if err := os.Rename(tmp, p); err != nil {
		http.Error(w, "storage error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Put stores data under key (files/<ID>), replacing what was there, for
// files the server writes itself (e-mail attachments). Errors: invalid (a
// key outside files/), internal.
func (d *Dir) Put(_ context.Context, key, _ string, data []byte) error {
	p, ok := d.path(key)
	if !ok {
		return crm.InvalidField("key", "must be files/<ID>")
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return crm.Internal(err)
	}
	tmp := p + ".part"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		os.Remove(tmp)
		return crm.Internal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return crm.Internal(err)
	}
	return nil
}
