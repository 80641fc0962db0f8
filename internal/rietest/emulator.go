package rietest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/emulate"
)

// startTimeout bounds how long Start waits for the emulator to listen.
const startTimeout = 10 * time.Second

// Emulator is one running aws-lambda-rie process serving one bootstrap.
type Emulator struct {
	// URL is the emulator's base URL, e.g. http://127.0.0.1:40123.
	URL string

	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// Start runs bootstrapPath under aws-lambda-rie on two free loopback ports
// and returns once the emulator accepts connections. The function sees only
// PATH, HOME and TMPDIR from the test's environment, dummy AWS credentials,
// the region us-east-1, and env ("KEY=value" entries, which override the
// others). The emulator and everything it started are killed when the test
// ends; their output is logged if the test failed.
//
// The emulator is looked up first at bin/aws-lambda-rie under the
// repository root (the nearest directory above the working directory with a
// go.mod), then on PATH; if it is missing the test fails, telling the user to
// run `make tools`.
func Start(t testing.TB, bootstrapPath string, env []string) *Emulator {
	t.Helper()
	rie := locate(t)
	bootstrap, err := filepath.Abs(bootstrapPath)
	if err != nil {
		t.Fatalf("rietest: %v", err)
	}
	ports := freePorts(t, 2)
	runtimeAPI := "127.0.0.1:" + strconv.Itoa(ports[0])
	emulatorAddr := "127.0.0.1:" + strconv.Itoa(ports[1])

	e := &Emulator{URL: "http://" + emulatorAddr, logs: &syncBuffer{}, done: make(chan struct{})}
	e.cmd = exec.Command(rie,
		"--runtime-api-address", runtimeAPI,
		"--runtime-interface-emulator-address", emulatorAddr,
		bootstrap)
	e.cmd.Dir = filepath.Dir(bootstrap)
	e.cmd.Env = environment(env)
	e.cmd.Stdout = e.logs
	e.cmd.Stderr = e.logs
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	e.cmd.WaitDelay = stopGrace // a leftover child must not keep the output pipe open forever
	if err := e.cmd.Start(); err != nil {
		t.Fatalf("rietest: start %s: %v", rie, err)
	}
	go func() {
		_ = e.cmd.Wait()
		close(e.done)
	}()
	t.Cleanup(func() {
		e.stop()
		if t.Failed() {
			t.Logf("aws-lambda-rie output:\n%s", e.Logs())
		}
	})
	if err := e.waitListening(emulatorAddr); err != nil {
		t.Fatalf("rietest: %v\naws-lambda-rie output:\n%s", err, e.Logs())
	}
	return e
}

// Invoke sends payload as the function's event and returns the function's
// response. A handler error is not an error here: the emulator answers it
// with a JSON body holding errorMessage and errorType. Invoke fails only if
// the request fails or the emulator answers with a status other than 200.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		e.URL+"/2015-03-31/functions/function/invocations", bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("rietest: invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("rietest: invoke: read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("rietest: invoke: status %s: %s", resp.Status, body)
	}
	return body, nil
}

// Logs returns what the emulator and the function have written to stdout
// and stderr so far.
func (e *Emulator) Logs() string {
	return e.logs.String()
}

// waitListening polls addr until it accepts a connection, the emulator
// exits or startTimeout passes.
func (e *Emulator) waitListening(addr string) error {
	deadline := time.Now().Add(startTimeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-e.done:
			return errors.New("aws-lambda-rie exited before accepting connections")
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("aws-lambda-rie not listening on %s after %s", addr, startTimeout)
		}
	}
}

// environment builds the function's environment: a few host variables,
// dummy AWS settings, then extra.
func environment(extra []string) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env,
		"AWS_ACCESS_KEY_ID=rietest",
		"AWS_SECRET_ACCESS_KEY=rietest",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
	)
	return append(env, extra...)
}

// locate finds the aws-lambda-rie binary or fails the test.
func locate(t testing.TB) string {
	t.Helper()
	if root, err := emulate.RepoRoot(); err == nil {
		p := filepath.Join(root, "bin", "aws-lambda-rie")
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	t.Fatal("rietest: aws-lambda-rie not found in bin/ or on PATH; run `make tools` to install it")
	return ""
}

// freePorts returns n distinct loopback TCP ports that were free a moment ago.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("rietest: find a free port: %v", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
