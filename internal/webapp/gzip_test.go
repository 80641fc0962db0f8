package webapp

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{"gzip, deflate, br, zstd", true}, // Chromium
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"*", true},
		{"", false},
		{"identity", false},
		{"br, deflate", false},
		{"gzip;q=0", false},
		{"gzip; q=0.000, br", false},
		{"gzip;q=0, *;q=0.5", false}, // gzip named: its quality decides
		{"br, *;q=0.5", true},
		{"*;q=0", false},
		{"gzip;q=nonsense", false},
	} {
		var values []string
		if c.header != "" {
			values = []string{c.header}
		}
		if got := acceptsGzip(values); got != c.want {
			t.Errorf("Accept-Encoding %q: accepts gzip %v, want %v", c.header, got, c.want)
		}
	}
}

// gzipped serves one response of h through compressGzip to a request
// accepting gzip and returns the recorder.
func gzipped(t *testing.T, method string, h http.HandlerFunc) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "/app/x", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	compressGzip(h).ServeHTTP(rec, req)
	return rec
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestCompressGzipWhatIsCompressed(t *testing.T) {
	page := strings.Repeat("<tr><td>José Pérez</td><td>1.234,56 €</td></tr>\n", 200)
	for _, c := range []struct {
		name    string
		method  string
		status  int
		header  map[string]string
		body    string
		gzipped bool
	}{
		{"a page", "GET", 200, map[string]string{"Content-Type": "text/html; charset=utf-8"}, page, true},
		{"an error page", "GET", 404, map[string]string{"Content-Type": "text/html; charset=utf-8"}, page, true},
		{"a style sheet", "GET", 200, map[string]string{"Content-Type": "text/css; charset=utf-8"}, page, true},
		{"a script", "GET", 200, map[string]string{"Content-Type": "text/javascript; charset=utf-8"}, page, true},
		{"the report's CSV", "GET", 200, map[string]string{"Content-Type": "text/csv; charset=utf-8"}, page, true},
		{"an SVG", "GET", 200, map[string]string{"Content-Type": "image/svg+xml"}, page, true},
		{"a PNG (already compressed)", "GET", 200, map[string]string{"Content-Type": "image/png"}, page, false},
		{"a PDF", "GET", 200, map[string]string{"Content-Type": "application/pdf"}, page, false},
		{"no type", "GET", 200, nil, page, false},
		{"already encoded", "GET", 200, map[string]string{"Content-Type": "text/css", "Content-Encoding": "gzip"}, page, false},
		{"declared short", "GET", 200, map[string]string{"Content-Type": "text/html", "Content-Length": "12"}, "<p>hola</p>\n", false},
		{"declared long", "GET", 200, map[string]string{"Content-Type": "text/html", "Content-Length": strconv.Itoa(len(page))}, page, true},
		{"a redirect", "POST", 303, map[string]string{"Content-Type": "text/html; charset=utf-8", "Location": "/app/"}, page, false},
		{"not modified", "GET", 304, map[string]string{"Content-Type": "text/css"}, "", false},
		{"a range", "GET", 206, map[string]string{"Content-Type": "text/css", "Content-Range": "bytes 0-9/100"}, page[:10], false},
		{"an answer to HEAD", "HEAD", 200, map[string]string{"Content-Type": "text/html"}, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := gzipped(t, c.method, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range c.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Accept-Ranges", "bytes")
				w.WriteHeader(c.status)
				_, _ = io.WriteString(w, c.body)
			})
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d", rec.Code, c.status)
			}
			if got := rec.Header().Values("Vary"); len(got) != 1 || got[0] != "Accept-Encoding" {
				t.Errorf("Vary %q, want Accept-Encoding", got)
			}
			enc := rec.Header().Get("Content-Encoding")
			if !c.gzipped {
				if enc == "gzip" && c.header["Content-Encoding"] != "gzip" {
					t.Fatal("compressed, want it sent as it is")
				}
				if rec.Body.String() != c.body {
					t.Fatalf("body changed: %.80q", rec.Body.String())
				}
				return
			}
			if enc != "gzip" {
				t.Fatalf("Content-Encoding %q, want gzip", enc)
			}
			if got := gunzip(t, rec.Body.Bytes()); got != c.body {
				t.Fatalf("decompressed body differs: %.80q", got)
			}
			if rec.Body.Len() >= len(c.body)/4 {
				t.Errorf("%d bytes compressed of %d", rec.Body.Len(), len(c.body))
			}
			if cl := rec.Header().Get("Content-Length"); cl != "" {
				t.Errorf("Content-Length %s of the uncompressed body kept", cl)
			}
			if ar := rec.Header().Get("Accept-Ranges"); ar != "" {
				t.Errorf("Accept-Ranges %q on a compressed body", ar)
			}
		})
	}
}

func TestCompressGzipOnlyWhenAccepted(t *testing.T) {
	page := strings.Repeat("<p>Reforma de cocina</p>\n", 200)
	h := compressGzip(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page) // no WriteHeader: the first Write decides
	}))
	for _, accept := range []string{"", "identity", "br", "gzip;q=0"} {
		req := httptest.NewRequest("GET", "/app/", nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if enc := rec.Header().Get("Content-Encoding"); enc != "" || rec.Body.String() != page {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, body of %d bytes; want the page as it is", accept, enc, rec.Body.Len())
		}
		if rec.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: no Vary: Accept-Encoding", accept)
		}
	}
}

func TestCompressGzipFlushes(t *testing.T) {
	rec := gzipped(t, "GET", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "primera parte, ")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		_, _ = io.WriteString(w, "segunda parte")
	})
	if !rec.Flushed {
		t.Error("the flush did not reach the underlying writer")
	}
	if got := gunzip(t, rec.Body.Bytes()); got != "primera parte, segunda parte" {
		t.Fatalf("body %q", got)
	}
}
