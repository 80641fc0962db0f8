package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truora/minidyn/server"

	"github.com/embudo/embudo/infra"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/rietest"
)

// The note events/reminder-note.json names: no such note exists (events
// are static), so the function must send nothing and succeed.
const missingNoteID = "01KJQ0PH50Z7F4317VNGHT5RMY"

// sesEmulator is aws-ses-v2-local (npm, in infra/node_modules) on a free
// loopback port.
type sesEmulator struct{ URL string }

// startSES starts the emulator for t. Without Node.js the test is skipped,
// except in CI (CI=true), where that is a failure.
func startSES(t *testing.T) *sesEmulator {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		msg := "the SES v2 emulator (npm aws-ses-v2-local) needs Node.js, and `node` is not on PATH: install Node.js and run `make tools`"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: a failure, not a skip)")
		}
		t.Skip(msg)
	}
	dir := filepath.Join("..", "..", "infra", "node_modules", "aws-ses-v2-local")
	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatalf("the SES emulator is not installed (%v): run `make tools`", err)
	}
	var pkg struct {
		Bin map[string]string `json:"bin"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil || pkg.Bin["aws-ses-v2-local"] == "" {
		t.Fatalf("%s/package.json names no aws-ses-v2-local bin (%v)", dir, err)
	}
	entry := filepath.Join(dir, filepath.FromSlash(pkg.Bin["aws-ses-v2-local"]))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMTP_TRANSPORT=") { // never forward real mail
			env = append(env, kv)
		}
	}
	var lastOut string
	for range 3 { // the port may be taken between probing and binding
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		l.Close()
		cmd := exec.Command(node, entry, "--host", "127.0.0.1", "--port", port)
		cmd.Env = env
		out := &lockedBuf{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start the SES emulator: %v", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		stop := func() { _ = cmd.Process.Kill(); <-exited }
		url := "http://127.0.0.1:" + port
		if healthy(url, exited) {
			t.Cleanup(stop)
			return &sesEmulator{URL: url}
		}
		stop()
		lastOut = out.String()
	}
	t.Fatalf("the SES emulator did not start:\n%s", lastOut)
	return nil
}

func healthy(url string, exited <-chan struct{}) bool {
	c := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		select {
		case <-exited:
			return false
		default:
		}
		if res, err := c.Get(url + "/health-check"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return true
			}
		}
	}
	return false
}

// sesMail is a message as the emulator's GET /store reports it.
type sesMail struct {
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		Text string `json:"text"`
	} `json:"body"`
}

func (e *sesEmulator) store(t *testing.T) []sesMail {
	t.Helper()
	res, err := http.Get(e.URL + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Emails []sesMail `json:"emails"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("GET /store: %v", err)
	}
	return out.Emails
}

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// invoke sends payload and returns the function's JSON result, failing on
// a function error.
func invoke(t *testing.T, emu *rietest.Emulator, payload []byte) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := emu.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	if _, failed := res["errorMessage"]; failed {
		t.Fatalf("the function failed: %s", out)
	}
	return res
}

// TestEventsUnderEmulator runs the built bootstrap under aws-lambda-rie
// against minidyn (the table of template.yaml), the SES v2 emulator and a
// recording Scheduler endpoint, with every events/reminder-*.json and with
// a schedule's payload for a real note.
func TestEventsUnderEmulator(t *testing.T) {
	bootstrap := rietest.Build(t, ".")
	ses := startSES(t)
	ctx := context.Background()

	db := httptest.NewServer(server.NewServer())
	t.Cleanup(db.Close)
	client := dynamotest.Client(db.URL)
	table, err := infra.TableFromTemplate("../../template.yaml", "embudo-test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateTable(ctx, table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	svc := crm.NewService(dynamo.New(client, "embudo-test"), crm.Config{})
	if err := svc.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	marta, err := svc.CreateUser(ctx, crm.User{Name: "Marta Ruiz", Email: "marta.ruiz@example.com", Active: true, Lang: crm.LangES})
	if err != nil {
		t.Fatal(err)
	}
	ana, err := svc.CreateUser(ctx, crm.User{Name: "Ana Smith", Email: "ana.smith@example.com", Active: true, Lang: crm.LangEN})
	if err != nil {
		t.Fatal(err)
	}
	contact, err := svc.CreateContact(ctx, marta, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	if err != nil {
		t.Fatal(err)
	}
	// Pending reminders, written as the API would; no stream runs here, so
	// nobody armed or sent them. One is overdue (its schedule was lost),
	// one is due tomorrow.
	overdue := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	tomorrow := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	lost, err := svc.CreateNote(ctx, marta, crm.ParentContact, contact.ID, crm.Note{Text: "Llamar a Lucía", AvisoAt: &overdue})
	if err != nil {
		t.Fatal(err)
	}
	scheduled, err := svc.CreateNote(ctx, ana, crm.ParentContact, contact.ID, crm.Note{Text: "Send the brochure", AvisoAt: &tomorrow, Visibility: crm.VisibilityPrivate})
	if err != nil {
		t.Fatal(err)
	}

	var schedMu sync.Mutex
	var schedCalls []string
	scheduler := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		schedMu.Lock()
		schedCalls = append(schedCalls, r.Method+" "+r.URL.Path)
		schedMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(scheduler.Close)

	emu := rietest.Start(t, bootstrap, []string{
		"TABLE_NAME=embudo-test",
		"DYNAMODB_ENDPOINT=" + db.URL,
		"SENDER_EMAIL=Embudo <no-reply@embudo.example>",
		"SES_ENDPOINT=" + ses.URL,
		"SCHEDULER_ENDPOINT=" + scheduler.URL,
		"SCHEDULE_GROUP=embudo-reminders",
		"SCHEDULER_ROLE_ARN=arn:aws:iam::123456789012:role/embudo-scheduler",
		"REMINDER_FUNCTION_ARN=arn:aws:lambda:us-east-1:123456789012:function:embudo-reminder",
		"APP_URL=https://crm.example.com",
	})

	expectations := map[string]func(t *testing.T, payload []byte){
		"reminder-note.json": func(t *testing.T, payload []byte) {
			var ev struct {
				NoteID string `json:"noteId"`
			}
			if err := json.Unmarshal(payload, &ev); err != nil || ev.NoteID != missingNoteID {
				t.Fatalf("events/reminder-note.json names note %q (%v), want the missing %s", ev.NoteID, err, missingNoteID)
			}
			before := len(ses.store(t))
			res := invoke(t, emu, payload)
			if got := ses.store(t); len(got) != before {
				t.Errorf("a reminder for a note that does not exist sent %+v", got[before:])
			}
			if _, ok := res["swept"]; ok {
				t.Errorf("a schedule's event was taken for a sweep: %v", res)
			}
		},
		"reminder-sweep.json": func(t *testing.T, payload []byte) {
			before := len(ses.store(t))
			res := invoke(t, emu, payload)
			if res["swept"] != float64(1) {
				t.Errorf("sweep result %v, want {\"swept\":1} (the overdue reminder)", res)
			}
			got := ses.store(t)[before:]
			if len(got) != 1 || len(got[0].Destination.To) != 1 || !strings.Contains(got[0].Destination.To[0], "marta.ruiz@example.com") ||
				got[0].Subject != "Recordatorio: Lucía Fernández" || !strings.Contains(got[0].Body.Text, "Llamar a Lucía") {
				t.Fatalf("the sweep sent %+v, want Marta's reminder", got)
			}
			if n, err := svc.Store().GetNote(ctx, lost.ID); err != nil || n.NotifiedAt == nil {
				t.Errorf("the swept note is not marked notified: %+v %v", n, err)
			}
			// Swept again: nothing is due any more.
			res = invoke(t, emu, payload)
			if len(res) != 0 {
				t.Errorf("second sweep result %v, want {} (nothing swept)", res)
			}
			if n := len(ses.store(t)); n != before+1 {
				t.Errorf("a second sweep sent %d more e-mails", n-before-1)
			}
		},
	}

	files, err := filepath.Glob("../../events/reminder-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no events/reminder-*.json (err %v)", err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		name := filepath.Base(file)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			check, ok := expectations[name]
			if !ok {
				t.Fatalf("no expectation for events/%s; add one", name)
			}
			payload, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			check(t, payload)
		})
	}
	for name := range expectations {
		if !seen[name] {
			t.Errorf("events/%s is expected but missing", name)
		}
	}

	// What a schedule delivers for a real note: a stale time sends nothing;
	// the note's own time sends the reminder to its author, once however
	// often Scheduler retries.
	t.Run("schedule payload", func(t *testing.T) {
		payload := func(at time.Time) []byte {
			b, _ := json.Marshal(map[string]any{"noteId": scheduled.ID, "avisoAt": at.Format(time.RFC3339)})
			return b
		}
		before := len(ses.store(t))
		invoke(t, emu, payload(tomorrow.Add(-time.Hour)))
		if got := ses.store(t); len(got) != before {
			t.Fatalf("a stale schedule sent %+v", got[before:])
		}
		for range 2 {
			invoke(t, emu, payload(tomorrow))
		}
		got := ses.store(t)[before:]
		if len(got) != 1 || !strings.Contains(got[0].Destination.To[0], "ana.smith@example.com") || got[0].Subject != "Reminder: Lucía Fernández" {
			t.Fatalf("the schedule sent %+v, want one English reminder to Ana", got)
		}
		if n, err := svc.Store().GetNote(ctx, scheduled.ID); err != nil || n.NotifiedAt == nil {
			t.Errorf("the note is not marked notified: %+v %v", n, err)
		}
	})

	// An event with no note and no sweep is refused (Scheduler would not
	// send one; a hand-made invocation gets an error, not a silent success).
	t.Run("empty event", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := emu.Invoke(ctx, []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "errorMessage") || !strings.Contains(string(out), "noteId") {
			t.Errorf("response %s, want an error naming noteId", out)
		}
	})

	schedMu.Lock()
	defer schedMu.Unlock()
	if len(schedCalls) != 0 {
		t.Errorf("sending reminders called the Scheduler: %v", schedCalls)
	}
}
