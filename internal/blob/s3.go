// Package blob keeps file contents: in S3 through presigned URLs, or, for
// the local runtime, in a directory behind HMAC-signed URLs.
package blob

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/embudo/embudo/internal/crm"
)

// URLTTL is how long an upload or download URL stays valid.
const URLTTL = 15 * time.Minute

// S3 keeps files in an S3 bucket; clients upload and download directly
// with presigned URLs, so the bytes never pass through a Lambda.
type S3 struct {
	Client *s3.Client
	Bucket string
	Now    func() time.Time
}

func (b *S3) now() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}

// UploadURL implements crm.Blobs with a presigned PutObject (the signed
// Content-Type must be sent as given). Errors: internal.
func (b *S3) UploadURL(ctx context.Context, key, contentType string, size int64) (string, map[string]string, time.Time, error) {
	req, err := s3.NewPresignClient(b.Client).PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.Bucket), Key: aws.String(key), ContentType: aws.String(contentType), ContentLength: aws.Int64(size),
	}, s3.WithPresignExpires(URLTTL))
	if err != nil {
		return "", nil, time.Time{}, crm.Internal(err)
	}
	return req.URL, map[string]string{"Content-Type": contentType}, b.now().Add(URLTTL), nil
}

// DownloadURL implements crm.Blobs with a presigned GetObject that names
// the file. Errors: internal.
func (b *S3) DownloadURL(ctx context.Context, key, name string) (string, time.Time, error) {
	req, err := s3.NewPresignClient(b.Client).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(b.Bucket), Key: aws.String(key),
		ResponseContentDisposition: aws.String(fmt.Sprintf("attachment; filename*=UTF-8''%s", url.PathEscape(name))),
	}, s3.WithPresignExpires(URLTTL))
	if err != nil {
		return "", time.Time{}, crm.Internal(err)
	}
	return req.URL, b.now().Add(URLTTL), nil
}

// Size implements crm.Blobs with HeadObject. Errors: internal.
func (b *S3) Size(ctx context.Context, key string) (int64, bool, error) {
	out, err := b.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.Bucket), Key: aws.String(key)})
	var nf *types.NotFound
	if errors.As(err, &nf) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, crm.Internal(err)
	}
	return aws.ToInt64(out.ContentLength), true, nil
}

// Delete implements crm.Blobs with DeleteObject (absent is success).
// Errors: internal.
func (b *S3) Delete(ctx context.Context, key string) error {
	if _, err := b.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.Bucket), Key: aws.String(key)}); err != nil {
		return crm.Internal(err)
	}
	return nil
}
