package webapp_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// getEncoded sends a GET of path with the client's session and
// Accept-Encoding accept ("" for none), as a browser does, and returns the
// response with its body as sent (Go's transport decompresses only what it
// asked for itself).
func getEncoded(t *testing.T, c *webtest.Client, path, accept string, header ...string) *webtest.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.Base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", accept)
	if accept == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.Do(t, req)
}

// decoded is a response's body, decompressed when it was sent with gzip.
func decoded(t *testing.T, res *webtest.Response) string {
	t.Helper()
	if res.Header.Get("Content-Encoding") != "gzip" {
		return res.Body
	}
	zr, err := gzip.NewReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var assetRE = regexp.MustCompile(`/app/static/[A-Za-z0-9._-]+`)

// fullTab fills the board's first state with n opportunities.
func fullTab(t *testing.T, b *board, n int) crm.State {
	t.Helper()
	st := b.states["Nuevo"]
	for i := range n {
		b.opportunity(t, crm.Opportunity{Description: fmt.Sprintf("Reforma integral de cocina y baño, fase %d", i+1),
			ApproxAmountCents: int64(1250000 + i*1000), SourceID: b.source.ID, AgentID: b.agent.ID, InterestID: b.interest.ID, StateID: st.ID})
	}
	return st
}

// TestPagesAndAssetsSentCompressed: a browser that accepts gzip gets the
// pages and their styles and scripts compressed, the same bytes once
// decompressed as a client without gzip gets as they are.
func TestPagesAndAssetsSentCompressed(t *testing.T) {
	b := newBoard(t)
	st := fullTab(t, b, 50)
	c := b.env.SignIn(t, b.env.Admin)
	path := "/app/pipeline?state=" + st.ID
	plain := getEncoded(t, c, path, "")
	sent := getEncoded(t, c, path, "gzip, deflate, br, zstd")
	if plain.Status != http.StatusOK || sent.Status != http.StatusOK {
		t.Fatalf("statuses %d and %d", plain.Status, sent.Status)
	}
	if enc := plain.Header.Get("Content-Encoding"); enc != "" {
		t.Fatalf("Content-Encoding %q to a client without gzip", enc)
	}
	if enc := sent.Header.Get("Content-Encoding"); enc != "gzip" {
		t.Fatalf("Content-Encoding %q to a browser, want gzip", enc)
	}
	if decoded(t, sent) != plain.Body {
		t.Fatal("the compressed page is not the page")
	}
	if len(sent.Body)*4 > len(plain.Body) {
		t.Errorf("the page is %d bytes compressed, %d as it is", len(sent.Body), len(plain.Body))
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Cache-Control"} {
		if sent.Header.Get(h) != plain.Header.Get(h) {
			t.Errorf("%s %q compressed, %q not", h, sent.Header.Get(h), plain.Header.Get(h))
		}
	}

	assets := assetRE.FindAllString(plain.Body, -1)
	if len(assets) == 0 {
		t.Fatal("the page links no style or script")
	}
	for _, a := range assets {
		raw := getEncoded(t, c, a, "")
		gz := getEncoded(t, c, a, "gzip")
		if raw.Status != http.StatusOK || gz.Status != http.StatusOK {
			t.Fatalf("%s: statuses %d and %d", a, raw.Status, gz.Status)
		}
		if gz.Header.Get("Content-Encoding") != "gzip" || decoded(t, gz) != raw.Body {
			t.Errorf("%s: Content-Encoding %q, or not the file once decompressed", a, gz.Header.Get("Content-Encoding"))
		}
		if gz.Header.Get("Vary") != "Accept-Encoding" || gz.Header.Get("Cache-Control") != raw.Header.Get("Cache-Control") {
			t.Errorf("%s: Vary %q, Cache-Control %q", a, gz.Header.Get("Vary"), gz.Header.Get("Cache-Control"))
		}
		part := getEncoded(t, c, a, "", "Range", "bytes=0-9")
		if part.Status != http.StatusPartialContent || part.Body != raw.Body[:10] {
			t.Errorf("%s: a range of the file as it is: %d %q", a, part.Status, part.Body)
		}
	}
}

// TestPipelinePageWeight: the pipeline with a full tab of 50
// opportunities costs a browser with an empty cache less than issue 12's
// 60 KB, its HTML, styles and scripts as sent with gzip.
func TestPipelinePageWeight(t *testing.T) {
	b := newBoard(t)
	st := fullTab(t, b, 60) // more than a tab shows
	c := b.env.SignIn(t, b.env.Admin)
	page := getEncoded(t, c, "/app/pipeline?state="+st.ID, "gzip")
	html := decoded(t, page)
	if n := regexp.MustCompile(`name="id" value=`).FindAllStringIndex(html, -1); len(n) != 50 {
		t.Fatalf("the tab shows %d opportunities, want 50", len(n))
	}
	total, seen := len(page.Body), map[string]bool{}
	for _, a := range assetRE.FindAllString(html, -1) {
		if !seen[a] {
			seen[a] = true
			total += len(getEncoded(t, c, a, "gzip").Body)
		}
	}
	if total >= 60_000 {
		t.Fatalf("the pipeline page weighs %d bytes compressed (HTML %d, %d assets), budget 60,000", total, len(page.Body), len(seen))
	}
	t.Logf("pipeline page: %d bytes sent (HTML %d, %d styles and scripts)", total, len(page.Body), len(seen))
}
