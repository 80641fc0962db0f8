package emulate

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// sesHealthTimeout bounds how long StartSES waits for the emulator to
// answer its health check.
const sesHealthTimeout = 20 * time.Second

// SES is one running aws-ses-v2-local process (npm package, installed into
// infra/node_modules by `make tools`) on a loopback port.
type SES struct {
	// URL is the emulator's base URL, e.g. http://127.0.0.1:41234: the
	// endpoint to give an SES v2 client.
	URL string
}

// Email is one message as the emulator's GET /store reports it.
type Email struct {
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

// StartSES starts the SES v2 emulator for t on a free loopback port, waits
// until GET /health-check answers 200, and kills it when t ends. The
// emulator gets the test's environment without SMTP_TRANSPORT, so it never
// forwards real mail. It skips t when Node.js is not installed, except when
// CI=true, where a missing Node.js is a failure: CI must exercise the real
// protocol.
func StartSES(t testing.TB) *SES {
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
	entry := sesEntry(t)
	env := sesEnv()

	// A free port can be taken by someone else between our probe and the
	// emulator's bind, so try a few.
	var lastOut string
	for attempt := range 3 {
		port := strconv.Itoa(freePort(t))
		url := "http://127.0.0.1:" + port
		logPath := filepath.Join(t.TempDir(), "ses-emulator-"+strconv.Itoa(attempt)+".log")
		out, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(node, entry, "--host", "127.0.0.1", "--port", port)
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = out, out
		err = cmd.Start()
		out.Close() // the child holds its own copy
		if err != nil {
			t.Fatalf("start the SES emulator: %v", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		stop := func() {
			_ = cmd.Process.Kill()
			<-exited
		}
		if waitHealthy(url, exited) {
			t.Cleanup(stop)
			return &SES{URL: url}
		}
		stop()
		b, _ := os.ReadFile(logPath)
		lastOut = string(b)
	}
	t.Fatalf("the SES emulator did not become healthy; its output:\n%s", lastOut)
	return nil
}

// Client returns a real SES v2 client aimed at the emulator, with static
// credentials (the emulator accepts any SigV4 signature).
func (s *SES) Client() *sesv2.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("embudo-test", "embudo-test-secret", ""),
	}
	return sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(s.URL) })
}

// Emails returns every message the emulator has accepted so far, oldest
// first, failing t if the emulator cannot be read.
func (s *SES) Emails(t testing.TB) []Email {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, s.URL+"/store", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /store: %s", resp.Status)
	}
	var out struct {
		Emails []Email `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("GET /store: %v", err)
	}
	return out.Emails
}

// sesEntry finds the emulator's CLI script through its package.json.
func sesEntry(t testing.TB) string {
	t.Helper()
	root, err := RepoRoot()
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

// sesEnv is the test's environment without the emulator's SMTP
// forwarding, so that tests never send real mail.
func sesEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMTP_TRANSPORT=") {
			env = append(env, kv)
		}
	}
	return env
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitHealthy polls GET url/health-check until it answers 200, the process
// exits or sesHealthTimeout passes.
func waitHealthy(url string, exited <-chan struct{}) bool {
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(sesHealthTimeout); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
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
	}
	return false
}
