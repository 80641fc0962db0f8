package webapp

import (
	"bytes"
	"compress/gzip"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Responses are compressed with gzip for a client that accepts it: pages,
// styles, scripts and the report's CSV are text that gzip shrinks to a
// fifth or less (the pipeline's HTML 45 KB -> 6 KB), which is most of what
// a phone waits for. Pages are compressed as they are written; the
// embedded assets once, at the best level, on first request. Images and
// files already compressed are sent as they are.

// compressible are the media types compressGzip compresses.
var compressible = map[string]bool{
	"text/html": true, "text/css": true, "text/javascript": true, "application/javascript": true,
	"text/plain": true, "text/csv": true, "application/json": true, "image/svg+xml": true,
}

// minGzip is the smallest body compressed: below it gzip's 18 bytes of
// framing and a request's other costs outweigh what it saves. Only
// responses that declare their length (Content-Length) can be told apart.
const minGzip = 1024

// gzipLevel trades size for the server's time: on the pipeline's and a
// contact's pages level 4 is within 3 % of the default's (6) size in a
// third of its time, 0.2 ms (docs/performance.md, "Web app").
const gzipLevel = 4

var gzipWriters = sync.Pool{New: func() any {
	zw, err := gzip.NewWriterLevel(nil, gzipLevel)
	if err != nil { // only for a level out of range
		panic(err)
	}
	return zw
}}

// gzippedAssets are the compressible embedded files compressed at the
// best level, by fingerprinted name: done once, on the first asset asked
// for (not at start: the API function's cold start serves /v1 too).
var gzippedAssets = sync.OnceValue(func() map[string][]byte {
	out := map[string][]byte{}
	for name, a := range assetsByName {
		typ, _, err := mime.ParseMediaType(a.typ)
		if err != nil || !compressible[typ] || len(a.body) < minGzip {
			continue
		}
		var b bytes.Buffer
		zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
		if err != nil {
			panic(err)
		}
		_, _ = zw.Write(a.body) // a bytes.Buffer does not fail
		_ = zw.Close()
		out[name] = b.Bytes()
	}
	return out
})

// gzippedAsset returns the compressed body of the asset named name when
// r accepts gzip and the asset is compressible (ok false otherwise).
func gzippedAsset(r *http.Request, name string) (body []byte, ok bool) {
	if !acceptsGzip(r.Header.Values("Accept-Encoding")) {
		return nil, false
	}
	body, ok = gzippedAssets()[name]
	return body, ok
}

// compressGzip compresses next's responses with gzip when the request
// accepts it (Accept-Encoding) and the response is worth it: a 200 or an
// error page (not a redirect, a 204/304 or a range), of a compressible
// type, not already encoded, not declared shorter than minGzip, and not
// an answer to HEAD. Every response says that it varies by
// Accept-Encoding, so that a cache keeps both.
func compressGzip(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if r.Method == http.MethodHead || !acceptsGzip(r.Header.Values("Accept-Encoding")) {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

// acceptsGzip reports whether Accept-Encoding values accept gzip: gzip
// (or x-gzip) with a quality above zero, or, when gzip is not named, * with
// one (RFC 9110, section 12.5.3).
func acceptsGzip(values []string) bool {
	named, star := false, false
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "gzip", "x-gzip":
				if qualityAboveZero(params) {
					return true
				}
				named = true
			case "*":
				star = star || qualityAboveZero(params)
			}
		}
	}
	return !named && star
}

// qualityAboveZero reports whether the parameters of an Accept-Encoding
// entry ("q=0.5") leave its quality above zero (no q is 1).
func qualityAboveZero(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
	}
	return true
}

// gzipWriter decides when the response's header is written whether to
// compress it, then writes the body through a gzip.Writer or as it is.
type gzipWriter struct {
	http.ResponseWriter
	wrote bool         // the header is written
	zw    *gzip.Writer // nil: sent as it is
}

// WriteHeader implements http.ResponseWriter.
func (g *gzipWriter) WriteHeader(status int) {
	if g.wrote {
		g.ResponseWriter.WriteHeader(status) // net/http logs the superfluous call
		return
	}
	if status < 200 { // 103 Early Hints and the like: the header comes later
		g.ResponseWriter.WriteHeader(status)
		return
	}
	g.wrote = true
	if h := g.ResponseWriter.Header(); worthGzip(status, h) {
		h.Del("Content-Length")
		h.Del("Accept-Ranges") // ranges would be of the compressed bytes
		h.Set("Content-Encoding", "gzip")
		g.zw = gzipWriters.Get().(*gzip.Writer)
		g.zw.Reset(g.ResponseWriter)
	}
	g.ResponseWriter.WriteHeader(status)
}

// worthGzip reports whether a response of status with header h is
// compressed.
func worthGzip(status int, h http.Header) bool {
	if status != http.StatusOK && status < 400 {
		return false
	}
	if h.Get("Content-Encoding") != "" {
		return false
	}
	if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil && n < minGzip {
		return false
	}
	typ, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && compressible[typ]
}

// Write implements http.ResponseWriter.
func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.wrote {
		g.WriteHeader(http.StatusOK)
	}
	if g.zw == nil {
		return g.ResponseWriter.Write(b)
	}
	return g.zw.Write(b)
}

// Flush sends what is written so far (http.Flusher), compressed or not.
func (g *gzipWriter) Flush() {
	if !g.wrote {
		g.WriteHeader(http.StatusOK)
	}
	if g.zw != nil {
		_ = g.zw.Flush()
	}
	_ = http.NewResponseController(g.ResponseWriter).Flush() // a writer that cannot flush sends at the end
}

// Unwrap gives http.ResponseController the underlying writer.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// close ends the gzip stream, if any, and returns its writer to the pool.
func (g *gzipWriter) close() {
	if g.zw == nil {
		return
	}
	_ = g.zw.Close() // a client gone: nothing to tell it
	g.zw.Reset(nil)
	gzipWriters.Put(g.zw)
	g.zw = nil
}
