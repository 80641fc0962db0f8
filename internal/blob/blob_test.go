package blob

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/embudo/embudo/internal/crm"
)

var ctx = context.Background()

func TestDirUploadDownloadAndSignatures(t *testing.T) {
	d, err := NewDir(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d)
	defer srv.Close()
	d.BaseURL = srv.URL
	key := crm.BlobKey(crm.NewID(time.Now()))
	body := []byte("%PDF-1.7 presupuesto")
	up, headers, _, _ := d.UploadURL(ctx, key, "application/pdf", int64(len(body)))
	if headers["Content-Type"] != "application/pdf" {
		t.Fatalf("headers %v", headers)
	}
	put := func(u string, b []byte) int {
		req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/pdf")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := put(up, append(body, 'x')); code != http.StatusBadRequest {
		t.Fatalf("a body larger than signed: %d", code)
	}
	if code := put(strings.Replace(up, "sig=", "sig=0", 1), body); code != http.StatusForbidden {
		t.Fatalf("a tampered signature: %d", code)
	}
	if _, ok, err := d.Size(ctx, key); ok || err != nil {
		t.Fatalf("a refused upload left a file (%v)", err)
	}
	if code := put(up, body); code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	if n, ok, err := d.Size(ctx, key); !ok || err != nil || n != int64(len(body)) {
		t.Fatalf("size %d %v %v", n, ok, err)
	}
	down, _, _ := d.DownloadURL(ctx, key, "presupuesto 2026.pdf", "application/pdf")
	res, err := http.Get(down)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(got, body) || !strings.Contains(res.Header.Get("Content-Disposition"), "presupuesto 2026.pdf") ||
		res.Header.Get("Content-Type") != "application/pdf" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %q %v", got, res.Header)
	}
	// A download URL does not upload, and an expired URL does nothing.
	if code := put(down, body); code != http.StatusForbidden {
		t.Fatalf("PUT with a GET signature: %d", code)
	}
	d.Now = func() time.Time { return time.Now().Add(URLTTL + time.Minute) }
	if res, _ := http.Get(down); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an expired URL served: %d", res.StatusCode)
	}
	d.Now = nil
	if err := d.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := d.Size(ctx, key); ok || err != nil {
		t.Fatalf("delete left the file (%v)", err)
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Fatalf("deleting an absent file: %v", err)
	}
}

// A key is files/<ID>: any other key, a traversal above all, reaches no
// file, though a file is where it would land and its URL is signed.
func TestDirRefusesKeysOutsideFiles(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "blobs")
	d, err := NewDir(root, "")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d)
	defer srv.Close()
	d.BaseURL = srv.URL
	secret := []byte("secreto")
	// Where the traversals below would land: one file inside the root but
	// outside files/, one outside the root, and one in files/ under a name
	// that is not an ID.
	for _, p := range []string{filepath.Join(root, "inside.txt"), filepath.Join(parent, "outside.txt"), filepath.Join(root, "files", "notes.txt")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, secret, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	id := crm.NewID(time.Now())
	for _, key := range []string{
		"files/../inside.txt",
		"files/../../outside.txt",
		"files/" + id + "/../../inside.txt",
		"inside.txt",
		"../outside.txt",
		"files/notes.txt",
	} {
		t.Run(key, func(t *testing.T) {
			if n, ok, err := d.Size(ctx, key); ok || err != nil || n != 0 {
				t.Errorf("Size = %d, %v, %v; want no file and no error", n, ok, err)
			}
			down, _, err := d.DownloadURL(ctx, key, "x.txt", "text/plain")
			if err != nil {
				t.Fatal(err)
			}
			res, err := http.Get(down)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden || bytes.Contains(got, secret) {
				t.Errorf("signed GET: %d %q, want 403", res.StatusCode, got)
			}
			body := []byte("sobrescrito")
			up, _, _, err := d.UploadURL(ctx, key, "text/plain", int64(len(body)))
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodPut, up, bytes.NewReader(body))
			req.Header.Set("Content-Type", "text/plain")
			res, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("signed PUT: %d, want 403", res.StatusCode)
			}
			if err := d.Delete(ctx, key); err != nil {
				t.Errorf("Delete: %v", err)
			}
		})
	}
	// Nothing was overwritten or removed, and nothing was written beside.
	for _, p := range []string{filepath.Join(root, "inside.txt"), filepath.Join(parent, "outside.txt"), filepath.Join(root, "files", "notes.txt")} {
		if b, err := os.ReadFile(p); err != nil || !bytes.Equal(b, secret) {
			t.Errorf("%s: %q, %v; want it untouched", p, b, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(parent, "*.part")); len(left) != 0 {
		t.Errorf("files written outside the root: %v", left)
	}
}

// The S3 adapter signs its own requests: presigned URLs carry a SigV4
// signature over the method (an upload's over its content type and length
// too, so S3 refuses another type or size; a download's names the type
// and the attachment), and HEAD, DELETE and the copy of Move are signed
// requests.
func TestS3AdapterOnTheWire(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Amz-Copy-Source"))
		if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(r.Header.Get("Authorization"), "/eu-west-1/s3/aws4_request") {
			t.Errorf("%s not signed for s3 in eu-west-1: %q", r.Method, r.Header.Get("Authorization"))
		}
		switch {
		case r.Method == http.MethodHead && strings.HasSuffix(r.URL.Path, "/here"):
			w.Header().Set("Content-Length", "42")
		case r.Method == http.MethodHead:
			w.WriteHeader(http.StatusNotFound)
		case r.Method == http.MethodPut && strings.HasSuffix(r.Header.Get("X-Amz-Copy-Source"), "/gone"):
			w.WriteHeader(http.StatusNotFound)
		case r.Method == http.MethodPut && strings.HasSuffix(r.Header.Get("X-Amz-Copy-Source"), "/broken"):
			io.WriteString(w, "<Error><Code>InternalError</Code></Error>") // a copy fails after its 200
		case r.Method == http.MethodPut:
			io.WriteString(w, "<CopyObjectResult></CopyObjectResult>")
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	b := &S3{Config: aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")},
		Bucket: "embudo-files", Endpoint: srv.URL}
	up, h, _, err := b.UploadURL(ctx, "pending/01ABC", "application/pdf", 10)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(up)
	q := u.Query()
	if u.Path != "/embudo-files/pending/01ABC" || q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" || q.Get("X-Amz-Signature") == "" ||
		q.Get("X-Amz-Expires") != "900" || q.Get("X-Amz-SignedHeaders") != "content-length;content-type;host" || h["Content-Type"] != "application/pdf" {
		t.Fatalf("upload URL %s %v: want the content type and length signed", up, h)
	}
	down, _, _ := b.DownloadURL(ctx, "files/01ABC", "oferta año.pdf", "application/pdf")
	d, _ := url.Parse(down)
	if dq := d.Query(); dq.Get("response-content-disposition") != "attachment; filename*=UTF-8''oferta%20a%C3%B1o.pdf" ||
		dq.Get("response-content-type") != "application/pdf" || dq.Get("X-Amz-Signature") == "" {
		t.Fatalf("download URL %s", down)
	}
	if n, ok, err := b.Size(ctx, "files/here"); n != 42 || !ok || err != nil {
		t.Fatalf("size %d %v %v", n, ok, err)
	}
	if _, ok, err := b.Size(ctx, "files/gone"); ok || err != nil {
		t.Fatalf("absent object: %v %v", ok, err)
	}
	if err := b.Delete(ctx, "files/here"); err != nil {
		t.Fatal(err)
	}
	if err := b.Move(ctx, "pending/01ABC", "files/01ABC"); err != nil {
		t.Fatal(err)
	}
	if err := b.Move(ctx, "pending/gone", "files/gone"); err != nil {
		t.Fatalf("moving what was moved before: %v", err)
	}
	if err := b.Move(ctx, "pending/broken", "files/broken"); err == nil {
		t.Fatal("a copy that failed after its 200 moved")
	}
	want := []string{"HEAD /embudo-files/files/here ", "HEAD /embudo-files/files/gone ", "DELETE /embudo-files/files/here ",
		"PUT /embudo-files/files/01ABC /embudo-files/pending/01ABC", "DELETE /embudo-files/pending/01ABC ",
		"PUT /embudo-files/files/gone /embudo-files/pending/gone", "PUT /embudo-files/files/broken /embudo-files/pending/broken"}
	if !slices.Equal(seen, want) {
		t.Fatalf("requests\n%q\nwant\n%q", seen, want)
	}
}

// A Dir's upload URL stops working once its upload is moved or deleted,
// and takes the declared content type only; Sweep removes uploads not
// completed within PendingTTL, and nothing else.
func TestDirUploadsCloseAndAreSwept(t *testing.T) {
	d, err := NewDir(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d)
	defer srv.Close()
	d.BaseURL = srv.URL
	put := func(u, ctype string, b []byte) int {
		req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(b))
		req.Header.Set("Content-Type", ctype)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	body := []byte("contenido")
	ids := []string{crm.NewID(time.Now()), crm.NewID(time.Now()), crm.NewID(time.Now())}
	urls := make([]string, len(ids))
	for i, id := range ids {
		urls[i], _, _, _ = d.UploadURL(ctx, crm.UploadKey(id), "text/plain", int64(len(body)))
		if code := put(urls[i], "text/html", body); code != http.StatusForbidden {
			t.Fatalf("an upload of another type: %d", code)
		}
		if code := put(urls[i], "text/plain", body); code != http.StatusOK {
			t.Fatalf("upload: %d", code)
		}
	}
	if err := d.Move(ctx, crm.UploadKey(ids[0]), crm.BlobKey(ids[0])); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, crm.UploadKey(ids[1])); err != nil {
		t.Fatal(err)
	}
	for _, u := range urls[:2] {
		if code := put(u, "text/plain", body); code != http.StatusGone {
			t.Errorf("the upload URL of a moved or deleted upload: %d, want 410", code)
		}
	}
	if n, ok, _ := d.Size(ctx, crm.BlobKey(ids[0])); !ok || n != int64(len(body)) {
		t.Fatal("the moved upload is not the file")
	}
	for _, k := range []string{crm.UploadKey(ids[0]), crm.UploadKey(ids[1])} {
		if _, ok, _ := d.Size(ctx, k); ok {
			t.Errorf("%s is still there", k)
		}
	}
	if n, err := d.Sweep(); n != 0 || err != nil {
		t.Fatalf("a fresh sweep removed %d (%v)", n, err)
	}
	d.Now = func() time.Time { return time.Now().Add(PendingTTL + time.Minute) }
	if n, err := d.Sweep(); n != 1 || err != nil {
		t.Fatalf("the sweep a day later removed %d (%v), want the one upload never completed", n, err)
	}
	if _, ok, _ := d.Size(ctx, crm.UploadKey(ids[2])); ok {
		t.Error("the abandoned upload is still there")
	}
	if _, ok, _ := d.Size(ctx, crm.BlobKey(ids[0])); !ok {
		t.Error("the sweep removed a completed file")
	}
}

// TestS3Origin: the origin of the presigned URLs, which the web app's CSP
// names: the bucket's virtual host on AWS, the endpoint's origin on an
// S3-compatible store.
func TestS3Origin(t *testing.T) {
	onAWS := &S3{Config: aws.Config{Region: "eu-west-1"}, Bucket: "embudo-files"}
	if got := onAWS.Origin(); got != "https://embudo-files.s3.eu-west-1.amazonaws.com" {
		t.Errorf("AWS origin %q", got)
	}
	local := &S3{Config: onAWS.Config, Bucket: "embudo-files", Endpoint: "http://127.0.0.1:4566/"}
	if got := local.Origin(); got != "http://127.0.0.1:4566" {
		t.Errorf("endpoint origin %q", got)
	}
}
