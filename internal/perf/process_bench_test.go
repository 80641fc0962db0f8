//go:build linux

package perf

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/local"
)

// embudoBinary builds the embudo command once per process and returns its
// path.
func embudoBinary(b *testing.B) string {
	b.Helper()
	prep.Lock()
	defer prep.Unlock()
	bin := filepath.Join(prepDir(b), "embudo")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	cmd := exec.Command("go", "build", "-o", bin, "github.com/embudo/embudo/cmd/embudo")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build embudo: %v\n%s", err, out)
	}
	return bin
}

// syncBuffer collects a process's output while it runs.
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

// serveProc is one `embudo serve` process.
type serveProc struct {
	cmd *exec.Cmd
	url string
	out *syncBuffer
}

// startServe starts `embudo serve` on the data directory (its first admin's
// token is benchToken) and returns once /healthz answers 200, with the time
// that took from the process's start.
func startServe(b *testing.B, bin, data string) (*serveProc, time.Duration) {
	b.Helper()
	addr := freeAddr(b)
	p := &serveProc{url: "http://" + addr, out: &syncBuffer{}}
	p.cmd = exec.Command(bin, "serve", "--data", data, "--addr", addr, "--smtp-addr", "127.0.0.1:0")
	p.cmd.Env = append(os.Environ(), "EMBUDO_BOOTSTRAP_TOKEN="+benchToken)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.stop(b) })
	for {
		res, err := client.Get(p.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p, time.Since(start)
			}
		}
		if time.Since(start) > time.Minute {
			b.Fatalf("embudo serve did not answer /healthz within a minute:\n%s", p.out)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop ends the process as Ctrl-C does (SIGINT) and waits for it; it is
// killed after 30 s.
func (p *serveProc) stop(b *testing.B) {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			b.Errorf("embudo serve: %v\n%s", err, p.out)
		}
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
		b.Errorf("embudo serve did not stop within 30 s")
	}
}

// memory reads the process's resident set (VmRSS) and its peak (VmHWM),
// in MiB.
func (p *serveProc) memory(b *testing.B) (rss, hwm float64) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, _ := strings.Cut(line, ":")
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch {
		case err != nil:
		case k == "VmRSS":
			rss = kb / 1024
		case k == "VmHWM":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

// cpu reads the CPU time (user and system) the process has used so far.
func (p *serveProc) cpu(b *testing.B) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	// The fields after the command's name, in parentheses: utime and stime
	// are the 12th and 13th, in clock ticks of 10 ms (USER_HZ on Linux).
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/%d/stat: %s", p.cmd.Process.Pid, stat)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// readLoad sends n API reads from each of clients clients at once: in
// turn, the pages of the contact list (following the cursor 20 pages deep,
// then from the top again) and name searches of 50 (a first page and the
// next, for the prefixes of the prepared first names). It returns each
// list and search request's latency, and the reads per second.
func (p *serveProc) readLoad(b *testing.B, clients, n int) (list, search []time.Duration, perSec float64) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	get := func(path string) (string, time.Duration, error) {
		var page struct {
			NextCursor string `json:"nextCursor"`
		}
		t0 := time.Now()
		err := callJSON(client, "GET", p.url+path, nil, &page)
		return page.NextCursor, time.Since(t0), err
	}
	start := time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var myList, mySearch []time.Duration
			cursor, depth := "", 0
			for i := range n {
				path := "/v1/contacts?limit=50"
				if i%2 == 0 {
					if depth == 20 {
						cursor, depth = "", 0
					}
					if cursor != "" {
						path += "&cursor=" + url.QueryEscape(cursor)
					}
					next, took, err := get(path)
					if err != nil {
						b.Error(err)
						return
					}
					cursor, depth = next, depth+1
					myList = append(myList, took)
					continue
				}
				prefix := strings.ToLower(firstNames[(w+i)%len(firstNames)][:3])
				next, took, err := get(path + "&q=" + url.QueryEscape(prefix))
				if err != nil {
					b.Error(err)
					return
				}
				mySearch = append(mySearch, took)
				if next != "" {
					_, took, err = get(path + "&q=" + url.QueryEscape(prefix) + "&cursor=" + url.QueryEscape(next))
					if err != nil {
						b.Error(err)
						return
					}
					mySearch = append(mySearch, took)
				}
			}
			mu.Lock()
			list, search = append(list, myList...), append(search, mySearch...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return list, search, float64(len(list)+len(search)) / time.Since(start).Seconds()
}

// BenchmarkServeProcess: the embudo binary, `embudo serve` on a data
// directory holding 100,000 contacts that it has served once before (the
// first start seeds and creates the admin, untimed), restarted b.N times.
// Each time:
//   - restart-p50/p99-ms: from the process's start to the first 200 on
//     /healthz (the integrity check, the migrations, the seeding check, the
//     feed and the listener; the file is in the page cache, as after a
//     restart);
//   - list- and search-p50/p99-ms: one client over loopback HTTP sending
//     200 list pages and 200 name searches (each with its second page), one
//     at a time;
//   - reads/s: then 8 clients at once, 100 such requests each;
//   - rss-MiB and hwm-MiB: the process's VmRSS and VmHWM after that load
//     (the largest of the runs);
//   - db-MiB: the size of the database file.
func BenchmarkServeProcess(b *testing.B) {
	bin := embudoBinary(b)
	data := b.TempDir()
	copyFile(b, prepared(b, bigTable).path, filepath.Join(data, local.DBFile))
	first, _ := startServe(b, bin, data)
	first.stop(b)
	db, err := os.Stat(filepath.Join(data, local.DBFile))
	if err != nil {
		b.Fatal(err)
	}
	var restart, list, search []time.Duration
	var rss, hwm, reads float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, took := startServe(b, bin, data)
		restart = append(restart, took)
		l, s, _ := p.readLoad(b, 1, 400)
		list, search = append(list, l...), append(search, s...)
		_, _, perSec := p.readLoad(b, 8, 100)
		reads += perSec / float64(b.N)
		r, h := p.memory(b)
		rss, hwm = max(rss, r), max(hwm, h)
		p.stop(b)
	}
	b.StopTimer()
	reportLatency(b, "restart-", restart)
	reportLatency(b, "list-", list)
	reportLatency(b, "search-", search)
	b.ReportMetric(reads, "reads/s")
	b.ReportMetric(float64(db.Size())/(1<<20), "db-MiB")
	b.ReportMetric(rss, "rss-MiB")
	b.ReportMetric(hwm, "hwm-MiB")
}

// BenchmarkServeImport: `embudo import contacts FILE.csv` (the command
// line, with its defaults: batches of 500, two at a time) into a running
// `embudo serve`, both the embudo binary, on an empty data directory; b.N
// new rows. Reports rows/s until the command ends, drained-rows/s until
// the server's change feed has applied the new contacts' changes too (its
// outbox table empty), and the CPU time per row of the server
// (server-cpu-ms/row) and of the command (cli-cpu-ms/row) over the
// command's run.
func BenchmarkServeImport(b *testing.B) {
	bin := embudoBinary(b)
	dir := b.TempDir()
	file := filepath.Join(dir, "contacts.csv")
	var sheet bytes.Buffer
	w := csv.NewWriter(&sheet)
	w.Comma = ';'
	_ = w.Write([]string{"nombre", "apellidos", "email", "teléfono", "empresa", "ciudad", "país"})
	for i := range b.N {
		_ = w.Write([]string{fmt.Sprintf("Persona %d", i), "Pérez", fmt.Sprintf("persona%d@example.com", i),
			fmt.Sprintf("+34 6%08d", i), "ACME", "Málaga", "ES"})
	}
	w.Flush()
	if err := os.WriteFile(file, sheet.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	p, _ := startServe(b, bin, data)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, local.DBFile)+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cmd := exec.Command(bin, "import", "contacts", "--quiet", "--url", p.url, "--token", benchToken, file)
	cpu0 := p.cpu(b)
	b.ResetTimer()
	out, err := cmd.CombinedOutput()
	imported := b.Elapsed()
	server := p.cpu(b) - cpu0
	waitRows(b, db, "outbox", 0)
	b.StopTimer()
	if err != nil {
		b.Fatalf("embudo import contacts: %v\n%s", err, out)
	}
	if m := regexp.MustCompile(`(?m)^created\s+(\d+)$`).FindSubmatch(out); m == nil || string(m[1]) != strconv.Itoa(b.N) {
		b.Errorf("embudo import contacts did not create %d contacts:\n%s", b.N, out)
	}
	cli := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	b.ReportMetric(float64(b.N)/imported.Seconds(), "rows/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "drained-rows/s")
	b.ReportMetric(float64(server.Microseconds())/1000/float64(b.N), "server-cpu-ms/row")
	b.ReportMetric(float64(cli.Microseconds())/1000/float64(b.N), "cli-cpu-ms/row")
}
