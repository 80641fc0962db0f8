package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeAPI serves canned JSON answers by "METHOD path" (a path without its
// query); anything else is an empty list. It records the requests' bodies
// by the same key.
type fakeAPI struct {
	answers map[string]string
	bodies  map[string]string
}

// serveFake starts a fake API and returns the global flags that point the
// CLI at it.
func serveFake(t *testing.T, answers map[string]string) (*fakeAPI, []string) {
	t.Helper()
	f := &fakeAPI{answers: answers, bodies: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		var b bytes.Buffer
		b.ReadFrom(r.Body)
		f.bodies[key] = b.String()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"1"`)
		a, ok := f.answers[key]
		if !ok {
			a = `{"items":[]}`
		}
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		}
		w.Write([]byte(a))
	}))
	t.Cleanup(srv.Close)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	return f, []string{"--url", srv.URL, "--token", "emb_test"}
}

// runFake runs a command line against the fake API and returns what it
// printed on standard output.
func runFake(t *testing.T, flags []string, args ...string) string {
	t.Helper()
	out, _ := runFakeBoth(t, flags, args...)
	return out
}

// runFakeBoth is runFake returning standard error too.
func runFakeBoth(t *testing.T, flags []string, args ...string) (string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	handled, err := Run(context.Background(), append(flags, args...), strings.NewReader(""), &out, &errOut)
	if !handled || err != nil {
		t.Fatalf("embudo %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}
