package awstest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region and Account are moto's defaults: the region every client of the
// harness and every function use, and the account in moto's ARNs.
const (
	Region  = "us-east-1"
	Account = "123456789012"
)

// motoStartTimeout bounds how long a moto_server may take to answer: it
// imports every service's models first, which takes seconds on a loaded
// machine.
const motoStartTimeout = 90 * time.Second

// Moto is one running moto_server.
type Moto struct {
	// URL is its base URL, e.g. http://127.0.0.1:40123: the endpoint of
	// every service.
	URL string
	// Log is the file its output goes to.
	Log string

	serial string // the one-at-a-time proxy of its DynamoDB (gap 6)
}

// shared is the package's one moto_server, started by the first test that
// asks for it and killed when the test binary exits.
var shared struct {
	once sync.Once
	moto *Moto
	err  error
}

// StartMoto returns the test package's moto_server, starting it on a free
// loopback port on first use. Tests share it (each deploys its own stack
// or creates its own tables); it is killed when the test binary exits,
// however it exits (see startProcess). Where moto_server is missing the
// test skips with one line, or fails under CI=true.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	path := lookMoto(t)
	shared.once.Do(func() { shared.moto, shared.err = startMoto(path) })
	if shared.err != nil {
		t.Fatalf("awstest: %v", shared.err)
	}
	return shared.moto
}

// startMoto starts moto_server on a free port, trying a few in case another
// process takes the port between the probe and moto's bind.
func startMoto(path string) (*Moto, error) {
	log, err := os.CreateTemp("", "awstest-moto-*.log")
	if err != nil {
		return nil, err
	}
	defer log.Close()
	var last error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), Log: log.Name()}
		cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		cmd.Stdout, cmd.Stderr = log, log
		cmd.Env = append(os.Environ(), "MOTO_PORT="+strconv.Itoa(port))
		exited, err := startProcess(cmd)
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", path, err)
		}
		if last = m.waitReady(exited); last == nil {
			m.serial, last = serialize(m.URL)
			if last == nil {
				return m, nil
			}
		}
		_ = cmd.Process.Kill()
		<-exited
	}
	b, _ := os.ReadFile(log.Name())
	return nil, fmt.Errorf("moto_server did not start: %v; its output:\n%s", last, b)
}

// startProcess starts cmd from an OS thread that stays locked and alive
// until cmd exits, with the parent-death signal set to SIGKILL where the
// platform has it (Linux): the kernel then kills moto_server when the test
// binary exits, even on a panic or a timeout, and never earlier (the
// signal follows the thread that started the child, which is why the
// thread must live as long as the child). The channel is closed when cmd
// has exited.
func startProcess(cmd *exec.Cmd) (<-chan struct{}, error) {
	started := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		setParentDeathSignal(cmd)
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(exited)
	}()
	return exited, <-started
}

// waitReady polls moto's own API until it answers, the process exits or
// motoStartTimeout passes.
func (m *Moto) waitReady(exited <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(motoStartTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case <-exited:
			return errors.New("moto_server exited")
		default:
		}
		resp, err := client.Get(m.URL + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("moto_server not answering on %s after %s", m.URL, motoStartTimeout)
}

// DynamoDBURL is the endpoint of moto's DynamoDB through a proxy that
// hands moto one request at a time (gap 6): what every DynamoDB client of
// the harness and every function uses.
func (m *Moto) DynamoDBURL() string { return m.serial }

// serialize starts, for the life of the test binary, a proxy to target
// that forwards one request at a time, and returns its URL.
func serialize(target string) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	var one sync.Mutex
	go func() {
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			one.Lock()
			defer one.Unlock()
			proxy.ServeHTTP(w, r)
		}))
	}()
	return "http://" + l.Addr().String(), nil
}

// Config is the SDK configuration of the harness's clients: moto's region
// and static credentials (moto accepts any signature). Each client takes
// moto's URL as its BaseEndpoint (Client).
func (m *Moto) Config() aws.Config {
	return aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider("awstest", "awstest", ""),
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
