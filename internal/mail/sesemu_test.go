package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// sesEmulator is one running aws-ses-v2-local process (npm package,
// installed into infra/node_modules by `make tools`) on a loopback port.
type sesEmulator struct {
	URL string // e.g. http://127.0.0.1:41234
}

// startSESEmulator starts the emulator for t and stops it when t ends. It
// skips t when Node.js is not installed, except when CI=true, where a
// missing Node.js is a failure: CI must exercise the real protocol.
func startSESEmulator(t *testing.T) *sesEmulator {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		msg := "the SES v2 emulator (npm aws-ses-v2-local) needs Node.js, and `node` is not on PATH: " +
			"install Node.js 20 or later and run `make tools` to run this test"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true, so this is a failure, not a skip)")
		}
		t.Skip(msg)
	}
	entry := emulatorEntry(t)

	// A free port can be taken by someone else between our probe and the
	// emulator's bind, so try a few.
	var lastOut string
	for attempt := 0; attempt < 3; attempt++ {
		port := freePort(t)
		url := "http://127.0.0.1:" + strconv.Itoa(port)
		cmd := exec.Command(node, entry, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
		cmd.Env = emulatorEnv()
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start the SES emulator: %v", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		stop := func() {
			_ = cmd.Process.Kill()
			<-exited
		}
		if waitHealthy(url, exited, 20*time.Second) {
			t.Cleanup(stop)
			return &sesEmulator{URL: url}
		}
		stop()
		lastOut = out.String()
	}
	t.Fatalf("the SES emulator did not become healthy; its output:\n%s", lastOut)
	return nil
}

// emulatorEntry finds the emulator's CLI script through its package.json.
func emulatorEntry(t *testing.T) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "infra", "node_modules", "aws-ses-v2-local")
	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatalf("the SES emulator is not installed (%v): run `make tools` (or `npm ci --prefix infra`)", err)
	}
	var pkg struct {
		Bin map[string]string `json:"bin"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatalf("read %s/package.json: %v", dir, err)
	}
	bin := pkg.Bin["aws-ses-v2-local"]
	if bin == "" {
		t.Fatalf("%s/package.json names no aws-ses-v2-local bin", dir)
	}
	return filepath.Join(dir, filepath.FromSlash(bin))
}

// moduleRoot walks up from the working directory to go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// emulatorEnv is the test's environment without the emulator's SMTP
// forwarding, so that tests never send real mail.
func emulatorEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMTP_TRANSPORT=") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitHealthy polls GET /health-check until it answers 200, the process
// exits or the timeout passes.
func waitHealthy(url string, exited <-chan struct{}, timeout time.Duration) bool {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if resp, err := client.Get(url + "/health-check"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	return false
}

// client returns a real SES v2 client aimed at the emulator, with static
// credentials (the emulator accepts any SigV4 signature).
func (e *sesEmulator) client() *sesv2.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("embudo-test", "embudo-test-secret", ""),
	}
	return sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(e.URL) })
}

// storedEmail is one message as the emulator's GET /store reports it.
type storedEmail struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Destination struct {
		To  []string `json:"to"`
		Cc  []string `json:"cc"`
		Bcc []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
	At int64 `json:"at"`
}

// store reads every message the emulator has accepted.
func (e *sesEmulator) store(t *testing.T) []storedEmail {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, e.URL+"/store", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /store: %s", resp.Status)
	}
	var out struct {
		Emails []storedEmail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("GET /store: %v", err)
	}
	return out.Emails
}

// syncBuffer collects a child process's output for failure messages.
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
