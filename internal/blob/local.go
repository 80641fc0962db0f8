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
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Dir keeps files in a directory for the local runtime. Its URLs point to
// its own Handler (mounted at /blobs/ by `embudo serve`) and are signed
// with a per-process key and an expiry, like presigned S3 URLs.
type Dir struct {
	Root    string
	BaseURL string // e.g. http://127.0.0.1:3000
	key     []byte
	Now     func() time.Time
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

func (d *Dir) sign(method, key string, exp int64, extra string) string {
	m := hmac.New(sha256.New, d.key)
	fmt.Fprintf(m, "%s\n%s\n%d\n%s", method, key, exp, extra)
	return hex.EncodeToString(m.Sum(nil))
}

func (d *Dir) url(method, key string, extra string) (string, time.Time) {
	exp := d.now().Add(URLTTL)
	q := url.Values{"exp": {strconv.FormatInt(exp.Unix(), 10)}, "sig": {d.sign(method, key, exp.Unix(), extra)}}
	if extra != "" {
		q.Set("x", extra)
	}
	return d.BaseURL + "/blobs/" + key + "?" + q.Encode(), exp
}

// UploadURL implements crm.Blobs. Errors: none.
func (d *Dir) UploadURL(_ context.Context, key, contentType string, size int64) (string, map[string]string, time.Time, error) {
	u, exp := d.url(http.MethodPut, key, strconv.FormatInt(size, 10))
	return u, map[string]string{"Content-Type": contentType}, exp, nil
}

// DownloadURL implements crm.Blobs. Errors: none.
func (d *Dir) DownloadURL(_ context.Context, key, name string) (string, time.Time, error) {
	u, exp := d.url(http.MethodGet, key, name)
	return u, exp, nil
}

func (d *Dir) path(key string) (string, bool) {
	if !strings.HasPrefix(key, "files/") || strings.Contains(key, "..") || !crm.ValidID(strings.TrimPrefix(key, "files/")) {
		return "", false
	}
	return filepath.Join(d.Root, filepath.FromSlash(key)), true
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

// Delete implements crm.Blobs. Errors: internal.
func (d *Dir) Delete(_ context.Context, key string) error {
	p, ok := d.path(key)
	if !ok {
		return nil
	}
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return crm.Internal(err)
	}
	return nil
}

// ServeHTTP serves signed PUT (upload, at most the signed size) and GET
// (download) of /blobs/<key>.
func (d *Dir) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/blobs/")
	q := r.URL.Query()
	exp, _ := strconv.ParseInt(q.Get("exp"), 10, 64)
	want := d.sign(r.Method, key, exp, q.Get("x"))
	p, ok := d.path(key)
	if !ok || !hmac.Equal([]byte(want), []byte(q.Get("sig"))) || d.now().Unix() > exp {
		http.Error(w, "invalid or expired signature", http.StatusForbidden)
		return
	}
	switch r.Method {
	case http.MethodPut:
		size, _ := strconv.ParseInt(q.Get("x"), 10, 64)
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
		if err := os.Rename(tmp, p); err != nil {
			http.Error(w, "storage error", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		f, err := os.Open(p)
		if err != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": q.Get("x")}))
		http.ServeContent(w, r, "", time.Time{}, f)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
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
