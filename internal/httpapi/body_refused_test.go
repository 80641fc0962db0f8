package httpapi_test

// A body the server does not want (a route that takes none, an
// unauthenticated request, a body over the limit) still gets an answer the
// client can read, sent over a real TCP connection: not a reset.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/httpapi"
)

// bigBody is what a careless or hostile client sends: 2 MB, over every
// limit of the API (1 MiB) and of the webhooks (64 KiB).
var bigBody = bytes.Repeat([]byte("a"), 2<<20)

// rawExchange sends method path with body over a new TCP connection to the
// server at base and reads the answer. When sendAllFirst, it writes the
// whole body before reading anything, as simple clients do (Python's
// http.client, a shell script over nc); otherwise it reads while it writes,
// as curl and Go's client do. It fails on a reset, a broken pipe or no
// answer within 20 s.
func rawExchange(t *testing.T, base, method, path string, headers []string, body []byte, sendAllFirst bool) (*http.Response, []byte) {
	t.Helper()
	addr := strings.TrimPrefix(base, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetWriteBuffer(64 << 10)
	_ = conn.(*net.TCPConn).SetReadBuffer(64 << 10)
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", method, path, addr, len(body))
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&head, "%s: %s\r\n", headers[i], headers[i+1])
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatalf("%s %s: writing the head: %v", method, path, err)
	}
	written := make(chan error, 1)
	go func() {
		_, err := conn.Write(body)
		written <- err
	}()
	if sendAllFirst {
		if err := <-written; err != nil {
			t.Fatalf("%s %s: the server cut the connection while the body was sent: %v", method, path, err)
		}
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: no answer could be read: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: the answer was cut: %v", method, path, err)
	}
	return res, b
}

// smallBuffers is a listener whose connections have small kernel buffers,
// as over a real network: on loopback the kernel would take in a 2 MB body
// that nobody reads, and hide what a client elsewhere sees.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(64 << 10)
		_ = tc.SetWriteBuffer(64 << 10)
	}
	return c, err
}

// serveSmall serves h on a listener with small buffers.
func serveSmall(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestRefusedBodyIsAnswered(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	_, token := h.newSource("Web", map[string]any{"kind": "form"})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := serveSmall(t, httpapi.New(h.svc, httpapi.Options{Logger: quiet, TokenCacheTTL: -1, Idempotency: h.store}))
	hooks := serveSmall(t, httpapi.NewHooks(h.svc, httpapi.HookOptions{Logger: quiet, SourceCacheTTL: -1}))
	json := []string{"Content-Type", "application/json"}
	auth := append([]string{"Authorization", "Bearer " + adminToken}, json...)
	cases := []struct {
		name, base, method, path string
		headers                  []string
		status                   int
	}{
		{"public GET", api, "GET", "/healthz", nil, http.StatusOK},
		{"GET without token", api, "GET", "/v1/contacts", json, http.StatusUnauthorized},
		{"GET", api, "GET", "/v1/contacts", auth, http.StatusOK},
		{"DELETE", api, "DELETE", "/v1/contacts/" + unknownID(), auth, http.StatusNotFound},
		{"POST without token", api, "POST", "/v1/contacts", json, http.StatusUnauthorized},
		{"POST", api, "POST", "/v1/contacts", auth, http.StatusRequestEntityTooLarge},
		{"POST with Idempotency-Key", api, "POST", "/v1/contacts", append([]string{"Idempotency-Key", "k1"}, auth...), http.StatusRequestEntityTooLarge},
		{"no such route", api, "PUT", "/v1/nothing", auth, http.StatusNotFound},
		{"webhook, unknown token", hooks, "POST", "/hooks/whk_" + strings.Repeat("x", 32), []string{"Content-Type", formURLEncoded}, http.StatusNotFound},
		{"webhook form", hooks, "POST", "/hooks/" + token, []string{"Content-Type", formURLEncoded}, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		for _, sendAllFirst := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/sendAllFirst=%v", c.name, sendAllFirst), func(t *testing.T) {
				res, b := rawExchange(t, c.base, c.method, c.path, c.headers, bigBody, sendAllFirst)
				if res.StatusCode != c.status {
					t.Fatalf("status %d, want %d: %s", res.StatusCode, c.status, b)
				}
				if c.status >= 400 && !strings.Contains(res.Header.Get("Content-Type"), "problem+json") {
					t.Errorf("Content-Type %q, want a problem", res.Header.Get("Content-Type"))
				}
			})
		}
	}
}

// A client that asks before sending (Expect: 100-continue, as curl does for
// large bodies) is refused without being told to send the body.
func TestRefusedBodyExpectContinue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /v1/contacts HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(bigBody))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401 before any body was sent", res.StatusCode)
	}
}
