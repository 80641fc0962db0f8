package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const testToken = "embudo-serve-test-token-0000000000000000000"

// anyPort is the address the test servers listen on: a port the kernel
// picks, read back from the server's "embudo is serving" line, so that tests
// running in parallel never race for a port.
const anyPort = "127.0.0.1:0"

// servingURL finds the URL in embudo serve's "embudo is serving" log line.
var servingURL = regexp.MustCompile(`embudo is serving"? url=(http://127\.0\.0\.1:\d+)`)

// server is one `embudo serve` process.
type server struct {
	cmd    *exec.Cmd
	url    string
	stdout *syncBuffer
}

// syncBuffer is the output of a running process, safe to read while the
// process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func start(t *testing.T, bin, data, addr string, env ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", addr, "--smtp-addr=", "--template", "../../template.yaml")
	cmd.Env = environ(env...)
	out := &syncBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stdout: out}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		if s.url == "" {
			if m := servingURL.FindStringSubmatch(out.String()); m != nil {
				s.url = m[1]
			}
		}
		if s.url == "" {
			if time.Now().After(deadline) {
				t.Fatalf("embudo serve did not say where it serves: %s", out.String())
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		res, err := http.Get(s.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("embudo serve did not come up: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return callAPI(t, s.url, testToken, method, path, r)
}

// callAPI sends a request to the API at base with a bearer token (and a
// JSON content type when there is a body) and returns the status and the
// body read as a JSON object (nil when it is not one).
func callAPI(t *testing.T, base, token, method, path string, body io.Reader) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m
}

func items(m map[string]any) []any {
	l, _ := m["items"].([]any)
	return l
}

// TestContactSurvivesKill9 is the promise of the local runtime: a write
// acknowledged over HTTP is on disk, so even kill -9 right after the 201
// loses nothing.
func TestContactSurvivesKill9(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	data, addr := t.TempDir(), anyPort
	s := start(t, bin, data, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	status, c := s.call(t, "POST", "/v1/contacts", `{"name":"José","surname":"Pérez","email":"Jose@Example.com","phone":"+34 600 12 34 56"}`)
	if status != 201 {
		t.Fatalf("create: %d %v", status, c)
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Wait()

	s = start(t, bin, data, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	for _, q := range []string{"q=jose", "email=JOSE@example.com", "phone=600123456", "phone=%2B34%20600%2012%2034%2056"} {
		status, m := s.call(t, "GET", "/v1/contacts?"+q, "")
		if status != 200 || len(items(m)) != 1 || items(m)[0].(map[string]any)["id"] != c["id"] {
			t.Errorf("after kill -9, %s: %d %v", q, status, m)
		}
	}
	status, m := s.call(t, "POST", "/v1/contacts", `{"name":"Otro","email":"JOSE@EXAMPLE.COM"}`)
	if status != 409 || m["existingId"] != c["id"] {
		t.Errorf("duplicate after restart: %d %v", status, m)
	}
}

// TestSIGTERMStopsCleanlyAndKeepsData: a graceful stop exits 0 and the
// next start has the data; the first start printed no token because one was
// given in the environment.
func TestSIGTERMStopsCleanlyAndKeepsData(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	data, addr := t.TempDir(), anyPort
	s := start(t, bin, data, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	if status, _ := s.call(t, "POST", "/v1/sources", `{"name":"Feria 2026"}`); status != 201 {
		t.Fatalf("create source: %d", status)
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("embudo serve did not exit cleanly on SIGTERM: %v\n%s", err, s.stdout)
	}
	if strings.Contains(s.stdout.String(), testToken) {
		t.Fatal("the token from the environment was printed")
	}
	s = start(t, bin, data, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	status, m := s.call(t, "GET", "/v1/sources", "")
	if status != 200 || len(items(m)) != 1 {
		t.Fatalf("sources after restart: %d %v", status, m)
	}
}

// TestFirstStartPrintsATokenOnce: without EMBUDO_BOOTSTRAP_TOKEN the first
// start prints a new admin token, which works; a restart prints none.
func TestFirstStartPrintsATokenOnce(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	data, addr := t.TempDir(), anyPort
	s := start(t, bin, data, addr)
	var token string
	for _, f := range strings.Fields(s.stdout.String()) {
		if strings.HasPrefix(f, "emb_") {
			token = f
		}
	}
	if token == "" {
		t.Fatalf("no token printed: %s", s.stdout)
	}
	req, _ := http.NewRequestWithContext(context.Background(), "GET", s.url+"/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("printed token does not work: %v %v", err, res)
	}
	res.Body.Close()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
	s = start(t, bin, data, addr)
	if strings.Contains(s.stdout.String(), "emb_") {
		t.Fatal("a second start printed another token")
	}
	if strings.Contains(s.stdout.String(), "/app/signin/link") {
		t.Fatal("a second start printed a sign-in link")
	}
}
