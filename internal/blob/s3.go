// Package blob keeps file contents: in S3 through presigned URLs, or, for
// the local runtime, in a directory behind HMAC-signed URLs.
package blob

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/embudo/embudo/internal/crm"
)

// URLTTL is how long an upload or download URL stays valid.
const URLTTL = 15 * time.Minute

// unsignedPayload is the payload hash of presigned S3 requests.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// S3 keeps files in an S3 bucket; clients upload and download directly
// with presigned URLs, so the bytes never pass through a Lambda. It signs
// with SigV4 itself rather than linking the S3 client, which would add
// 6 MB to the API function for four requests.
type S3 struct {
	Config   aws.Config // region and credentials
	Bucket   string
	Endpoint string // "" for https://<bucket>.s3.<region>.amazonaws.com; set for tests and S3-compatible stores (path style)
	HTTP     *http.Client
	Now      func() time.Time
}

func (b *S3) now() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}

func (b *S3) objectURL(key string) string {
	if b.Endpoint != "" {
		return strings.TrimRight(b.Endpoint, "/") + "/" + b.Bucket + "/" + escapeKey(key)
	}
	return fmt.Sprintf("https://%s.s3.%s.amazonaws.com/%s", b.Bucket, b.Config.Region, escapeKey(key))
}

// Origin is the scheme and host the presigned URLs point at
// (https://<bucket>.s3.<region>.amazonaws.com): where a browser sends an
// upload, which the web app's Content-Security-Policy lets scripts reach.
func (b *S3) Origin() string {
	u, err := url.Parse(b.objectURL(""))
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// presign returns a presigned URL for method on key with extra query
// parameters and signed headers, and a signed Content-Length when size is
// positive.
func (b *S3) presign(ctx context.Context, method, key string, query url.Values, headers map[string]string, size int64) (string, error) {
	creds, err := b.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return "", crm.Internal(err)
	}
	q := url.Values{"X-Amz-Expires": {strconv.Itoa(int(URLTTL.Seconds()))}}
	for k, v := range query {
		q[k] = v
	}
	req, err := http.NewRequestWithContext(ctx, method, b.objectURL(key)+"?"+q.Encode(), nil)
	if err != nil {
		return "", crm.Internal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.ContentLength = size
	signed, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, unsignedPayload, "s3", b.Config.Region, b.now())
	if err != nil {
		return "", crm.Internal(err)
	}
	return signed, nil
}

// UploadURL implements crm.Blobs with a presigned PutObject whose signed
// headers are the content type and the content length: S3 refuses a PUT
// of another type or size. Errors: internal.
func (b *S3) UploadURL(ctx context.Context, key, contentType string, size int64) (string, map[string]string, time.Time, error) {
	h := map[string]string{"Content-Type": contentType}
	u, err := b.presign(ctx, http.MethodPut, key, nil, h, size)
	return u, h, b.now().Add(URLTTL), err
}

// DownloadURL implements crm.Blobs with a presigned GetObject that has S3
// answer with the file's content type and as an attachment naming it (the
// response-content-type and response-content-disposition parameters).
// Errors: internal.
func (b *S3) DownloadURL(ctx context.Context, key, name, contentType string) (string, time.Time, error) {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	q := url.Values{
		"response-content-disposition": {"attachment; filename*=UTF-8''" + url.PathEscape(name)},
		"response-content-type":        {contentType},
	}
	u, err := b.presign(ctx, http.MethodGet, key, q, nil, 0)
	return u, b.now().Add(URLTTL), err
}

// Move implements crm.Blobs with a signed CopyObject and a DeleteObject of
// the source; a source that is gone is success (a move done before).
// Errors: internal.
func (b *S3) Move(ctx context.Context, from, to string) error {
	src := "/" + b.Bucket + "/" + escapeKey(from)
	res, err := b.send(ctx, http.MethodPut, to, nil, http.Header{"X-Amz-Copy-Source": {src}})
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return nil
	case res.StatusCode/100 != 2 || strings.Contains(string(body), "<Error>"): // a copy can fail after its 200
		return crm.Internal(fmt.Errorf("s3 copy %s to %s: %s %.200s", from, to, res.Status, body))
	}
	return b.Delete(ctx, from)
}

// do sends a signed request for key and returns the response.
func (b *S3) do(ctx context.Context, method, key string) (*http.Response, error) {
	creds, err := b.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, crm.Internal(err)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.objectURL(key), nil)
	if err != nil {
		return nil, crm.Internal(err)
	}
	// The SHA-256 of an empty body.
	const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	req.Header.Set("X-Amz-Content-Sha256", empty)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, empty, "s3", b.Config.Region, b.now()); err != nil {
		return nil, crm.Internal(err)
	}
	cl := b.HTTP
	if cl == nil {
		cl = http.DefaultClient
	}
	res, err := cl.Do(req)
	if err != nil {
		return nil, crm.Internal(err)
	}
	return res, nil
}

// Size implements crm.Blobs with a signed HeadObject. Errors: internal.
func (b *S3) Size(ctx context.Context, key string) (int64, bool, error) {
	res, err := b.do(ctx, http.MethodHead, key)
	if err != nil {
		return 0, false, err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return 0, false, nil
	case res.StatusCode/100 != 2:
		return 0, false, crm.Internal(fmt.Errorf("s3 HEAD %s: %s", key, res.Status))
	}
	return res.ContentLength, true, nil
}

// Delete implements crm.Blobs with a signed DeleteObject (absent is
// success). Errors: internal.
func (b *S3) Delete(ctx context.Context, key string) error {
	res, err := b.do(ctx, http.MethodDelete, key)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode/100 != 2 && res.StatusCode != http.StatusNotFound {
		return crm.Internal(fmt.Errorf("s3 DELETE %s: %s", key, res.Status))
	}
	return nil
}
