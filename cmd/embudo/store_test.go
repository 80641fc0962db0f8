package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestKill9UnderLoadLosesNothingAcknowledged: 32 senders create contacts
// and opportunities while the server is killed with SIGKILL. After a
// restart every write that was answered 201 is there, and no opportunity
// number was handed out twice.
func TestKill9UnderLoadLosesNothingAcknowledged(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	data, addr := t.TempDir(), anyPort
	s := start(t, bin, data, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	status, owner := s.call(t, "POST", "/v1/contacts", `{"name":"Cliente de carga"}`)
	if status != 201 {
		t.Fatalf("create: %d %v", status, owner)
	}

	type ack struct{ path, id string }
	var (
		mu   sync.Mutex
		acks []ack
		wg   sync.WaitGroup
	)
	const senders, perSender = 32, 40 // bounded: at most 1,280 requests
	killAt := make(chan struct{})
	var once sync.Once
	for w := 0; w < senders; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < perSender; i++ {
				path, body := "/v1/contacts", fmt.Sprintf(`{"name":"Carga %d-%d","email":"carga-%d-%d@example.com"}`, w, i, w, i)
				if i%2 == 1 {
					path, body = "/v1/opportunities", fmt.Sprintf(`{"contactId":%q,"description":"Oportunidad %d-%d"}`, owner["id"], w, i)
				}
				status, m, err := tryCall(s.url, testToken, "POST", path, body)
				if err != nil {
					return // the server is gone
				}
				if status == 201 {
					mu.Lock()
					acks = append(acks, ack{path, m["id"].(string)})
					if len(acks) == senders*perSender/3 {
						once.Do(func() { close(killAt) })
					}
					mu.Unlock()
				}
			}
		}(w)
	}
	select {
	case <-killAt:
	case <-time.After(60 * time.Second):
		t.Fatal("the load did not reach a third of its requests")
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Wait()
	wg.Wait()

	s = start(t, bin, data, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	mu.Lock()
	defer mu.Unlock()
	for _, a := range acks {
		if status, m := s.call(t, "GET", a.path+"/"+a.id, ""); status != 200 {
			t.Errorf("acknowledged %s %s is lost after kill -9: %d %v", a.path, a.id, status, m)
		}
	}
	numbers := map[float64]string{}
	cursor := ""
	for {
		status, m := s.call(t, "GET", "/v1/opportunities?limit=200&contactId="+owner["id"].(string)+cursor, "")
		if status != 200 {
			t.Fatalf("list: %d %v", status, m)
		}
		for _, it := range items(m) {
			o := it.(map[string]any)
			n := o["number"].(float64)
			if other, dup := numbers[n]; dup {
				t.Errorf("opportunity number %v handed out twice: %s and %s", n, other, o["id"])
			}
			numbers[n] = o["id"].(string)
		}
		next, _ := m["nextCursor"].(string)
		if next == "" {
			break
		}
		cursor = "&cursor=" + next
	}
	t.Logf("%d writes acknowledged before kill -9; %d opportunities after restart", len(acks), len(numbers))
}

// TestDataDirectoryOfTheEarlierVersionIsConverted: a data directory whose
// store is the change log of the earlier embedded runtime is loaded into the
// database at start, served, and its log kept under another name.
func TestDataDirectoryOfTheEarlierVersionIsConverted(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	data, addr := t.TempDir(), anyPort
	old, err := os.ReadFile("../../internal/dynamo/testdata/changes-v1.log")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "changes.log"), old, 0o600); err != nil {
		t.Fatal(err)
	}
	s := start(t, bin, data, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	if !strings.Contains(s.stdout.String(), "converted the data directory") {
		t.Errorf("no line says the directory was converted:\n%s", s.stdout)
	}
	if strings.Contains(s.stdout.String(), "emb_") {
		t.Error("a converted directory already has its admin; a new token was printed")
	}
	if _, err := os.Stat(filepath.Join(data, "changes.log")); err == nil {
		t.Error("changes.log is still in place after the conversion")
	}
	if kept, err := os.ReadFile(filepath.Join(data, "changes.log.converted")); err != nil || string(kept) != string(old) {
		t.Errorf("the earlier log is not kept unchanged: %v", err)
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
	// A second start converts nothing again.
	s = start(t, bin, data, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	if strings.Contains(s.stdout.String(), "converted the data directory") {
		t.Error("the directory was converted a second time")
	}
}

// TestBackupOfARunningDatabase: embudo backup copies the database while the
// server runs; the copy serves the same data.
func TestBackupOfARunningDatabase(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	data, addr := t.TempDir(), anyPort
	s := start(t, bin, data, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	status, c := s.call(t, "POST", "/v1/contacts", `{"name":"Copia","email":"copia@example.com"}`)
	if status != 201 {
		t.Fatalf("create: %d %v", status, c)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	out, err := exec.Command(bin, "backup", "--data", data, dest).CombinedOutput()
	if err != nil {
		t.Fatalf("embudo backup: %v\n%s", err, out)
	}
	if fi, err := os.Stat(dest); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	if out, err := exec.Command(bin, "backup", "--data", data, dest).CombinedOutput(); err == nil {
		t.Errorf("a second backup overwrote %s: %s", dest, out)
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()

	restored := t.TempDir()
	b, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, "embudo.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	s = start(t, bin, restored, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	if status, m := s.call(t, "GET", "/v1/contacts/"+c["id"].(string), ""); status != 200 || m["email"] != "copia@example.com" {
		t.Errorf("the restored copy: %d %v", status, m)
	}
}

// TestDamagedDatabaseIsRefusedWithItsName: a database whose pages were
// overwritten is not served in part; the error names the file and what
// to do.
func TestDamagedDatabaseIsRefusedWithItsName(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	data, addr := t.TempDir(), anyPort
	s := start(t, bin, data, addr, "EMBUDO_BOOTSTRAP_TOKEN="+testToken)
	for i := 0; i < 50; i++ {
		if status, m := s.call(t, "POST", "/v1/contacts", fmt.Sprintf(`{"name":"Dañado %d","observations":%q}`, i, strings.Repeat("x", 500))); status != 201 {
			t.Fatalf("create: %d %v", status, m)
		}
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
	path := filepath.Join(data, "embudo.db")
	// A clean stop folds the write-ahead log into the file: what is
	// damaged below is everything the database holds.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("a clean stop left %d bytes in %s-wal", fi.Size(), path)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	if fi.Size() < 8*4096 {
		t.Fatalf("the database is %d bytes; 50 contacts should take more pages", fi.Size())
	}
	// Every page after the first (which names the tables' root pages)
	// is overwritten, so the damage cannot fall only on free pages.
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 1024))
	for off := int64(4096); off < fi.Size(); off += int64(len(junk)) {
		if _, err := f.WriteAt(junk, off); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", addr, "--smtp-addr=")
	cmd.Env = environ("EMBUDO_BOOTSTRAP_TOKEN=" + testToken)
	done := make(chan struct{})
	var out []byte
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("embudo serve started on a damaged database")
	}
	if err == nil {
		t.Fatalf("embudo serve exited 0 on a damaged database:\n%s", out)
	}
	if !strings.Contains(string(out), path) || !strings.Contains(string(out), "backup") {
		t.Errorf("the refusal does not name the file and what to do:\n%s", out)
	}
}

// tryCall is callAPI for requests that may find the server gone: it returns
// the transport error instead of failing the test.
func tryCall(base, token, method, path, body string) (int, map[string]any, error) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		return 0, nil, err
	}
	return res.StatusCode, m, nil
}
