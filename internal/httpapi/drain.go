package httpapi

import (
	"io"
	"net/http"
	"strings"
	"sync"
)

// MaxDrainBytes is how much of a request body the API and the webhooks read
// and throw away before answering a request whose body they did not read
// to its end (a route that takes none, a refused token, a body over its
// limit): 10 MiB, API Gateway's own limit. A client that sends the whole
// body before reading the answer (many simple clients do) then reads the
// answer, where closing the connection on the unread body would have reset
// it. A longer body, or one that declares a longer Content-Length, is not
// read: the answer goes out and the connection is closed.
const MaxDrainBytes = 10 << 20

// drainFirst returns w wrapped so that the rest of r's body (up to
// MaxDrainBytes) is read before the status line is written. A request that
// expects 100-continue is left alone: its client sends no body until told
// to, and net/http answers it and closes the connection.
func drainFirst(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 || r.ContentLength > MaxDrainBytes ||
		strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return w
	}
	return &drainingWriter{ResponseWriter: w, body: r.Body}
}

// drainingWriter reads the request body to its end (within MaxDrainBytes)
// on the first WriteHeader or Write.
type drainingWriter struct {
	http.ResponseWriter
	body io.Reader
	once sync.Once
}

func (d *drainingWriter) drain() {
	d.once.Do(func() { _, _ = io.CopyN(io.Discard, d.body, MaxDrainBytes) })
}

// WriteHeader implements http.ResponseWriter.
func (d *drainingWriter) WriteHeader(status int) {
	d.drain()
	d.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter.
func (d *drainingWriter) Write(b []byte) (int, error) {
	d.drain()
	return d.ResponseWriter.Write(b)
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (d *drainingWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }
