package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/embudo/embudo/internal/crm"
)

// send signs a request with its payload's SHA-256 and sends it.
func (b *S3) send(ctx context.Context, method, key string, body []byte, header http.Header) (*http.Response, error) {
	creds, err := b.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, crm.Internal(err)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.objectURL(key), bytes.NewReader(body))
	if err != nil {
		return nil, crm.Internal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	req.ContentLength = int64(len(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, "s3", b.Config.Region, b.now()); err != nil {
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

// Put stores data under key with a signed PutObject, for files the server
// writes itself (e-mail attachments). Errors: internal.
func (b *S3) Put(ctx context.Context, key, contentType string, data []byte) error {
	res, err := b.send(ctx, http.MethodPut, key, data, http.Header{"Content-Type": {contentType}})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode/100 != 2 {
		return crm.Internal(fmt.Errorf("s3 PUT %s: %s", key, res.Status))
	}
	return nil
}

// Get reads the object under key with a signed GetObject, at most max
// bytes. Errors: not_found (no such object), invalid (larger than max),
// internal.
func (b *S3) Get(ctx context.Context, key string, max int64) ([]byte, error) {
	res, err := b.send(ctx, http.MethodGet, key, nil, nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return nil, crm.NotFound("object")
	case res.StatusCode/100 != 2:
		return nil, crm.Internal(fmt.Errorf("s3 GET %s: %s", key, res.Status))
	}
	if res.ContentLength > max {
		return nil, crm.InvalidField("size", "is "+strconv.FormatInt(res.ContentLength, 10)+" bytes, over the limit")
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, max+1))
	if err != nil {
		return nil, crm.Internal(err)
	}
	if int64(len(data)) > max {
		return nil, crm.InvalidField("size", "is over the limit")
	}
	return data, nil
}
