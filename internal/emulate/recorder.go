package emulate

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Recorder is a stand-in for an AWS JSON API a test expects to be called
// rarely or never (EventBridge Scheduler, say): it answers every request
// with one fixed JSON body and records what it was asked.
type Recorder struct {
	// URL is the server's base URL: the endpoint to give the client.
	URL string

	mu    sync.Mutex
	calls []string
}

// StartRecorder starts a Recorder for t that answers every request with
// status 200 and the JSON body answer, and stops it when t ends.
func StartRecorder(t testing.TB, answer string) *Recorder {
	t.Helper()
	r := &Recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.calls = append(r.calls, req.Method+" "+req.URL.Path)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Calls returns every request received so far as "METHOD /path", oldest
// first.
func (r *Recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}
