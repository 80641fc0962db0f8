package infra

import (
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
)

// TestFilesBucketExpiresAbandonedUploads: uploads land under the upload
// prefix (crm.UploadKey) until they are completed; the bucket removes
// those never completed after blob.PendingTTL (the local store's sweep
// uses the same), and no rule touches completed files.
func TestFilesBucketExpiresAbandonedUploads(t *testing.T) {
	tmpl := loadTemplate(t)
	bucket := tmpl.resource(t, "FilesBucket")
	prefix, _, _ := strings.Cut(crm.UploadKey("x"), "x")
	var found bool
	for i, r := range asList(lookup(bucket, "Properties", "LifecycleConfiguration", "Rules")) {
		p := asString(lookup(r, "Prefix")) + asString(lookup(r, "Filter", "Prefix"))
		if !strings.HasPrefix(p, prefix) || p == "" {
			t.Errorf("lifecycle rule %d applies to %q: only uploads (%s) may expire", i, p, prefix)
			continue
		}
		days, _ := lookup(r, "ExpirationInDays").(float64)
		if asString(lookup(r, "Status")) != "Enabled" || time.Duration(days)*24*time.Hour != blob.PendingTTL {
			t.Errorf("lifecycle rule %d on %s: status %v, expiration %v days; want Enabled and %v", i, p, lookup(r, "Status"), days, blob.PendingTTL)
		}
		found = true
	}
	if !found {
		t.Errorf("FilesBucket has no lifecycle rule expiring %s: uploads never completed would stay forever", prefix)
	}
	if strings.HasPrefix(crm.BlobKey("x"), prefix) {
		t.Errorf("completed files (%s) are under the upload prefix %s", crm.BlobKey("x"), prefix)
	}
}
