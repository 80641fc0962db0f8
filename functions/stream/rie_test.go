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
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"

	"github.com/embudo/embudo/infra"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/rietest"
)

// The IDs and data the sample stream events use (events/README.md): the
// stores must hold them for the function to find the agent it e-mails.
const (
	sampleActorID   = "01KJHRF7H0E31JWBX8SG7772RH" // Marta Ruiz, who created the contact
	sampleAgentID   = "01KJMAVYH0JC1WP6TA6GMEEK6J" // Bruno Díaz, the agent
	sampleContactID = "01KJPX8NH0RSBQFEKSZW8ECXTP" // Lucía Fernández
	sampleAgentMail = "bruno.diaz@example.com"
)

var sampleTime = time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)

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
	From        string `json:"from"`
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html"`
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

// TestEventsUnderEmulator runs the built bootstrap under aws-lambda-rie
// against minidyn (the table of template.yaml), the SES v2 emulator and a
// Scheduler endpoint that records what it is asked, and invokes it with
// every events/stream-*.json.
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
	store := dynamo.New(client, "embudo-test")
	svc := crm.NewService(store, crm.Config{})
	if err := svc.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	// What the event's change happened to: the user who made it, the agent
	// it names, and the contact itself (the stream follows the write).
	at := sampleTime
	if err := store.CreateUser(ctx, crm.User{ID: sampleActorID, Name: "Marta Ruiz", Email: "marta.ruiz@example.com", Role: crm.RoleStaff,
		Active: true, Lang: crm.LangES, CreatedAt: at, UpdatedAt: at, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateAgent(ctx, crm.Agent{ID: sampleAgentID, Code: "BRUNO", Name: "Bruno Díaz", Email: sampleAgentMail, Active: true,
		CreatedAt: at, UpdatedAt: at, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateContact(ctx, crm.Contact{ID: sampleContactID, Name: "Lucía", Surname: "Fernández", Company: "Cerámicas del Sur S.L.",
		Email: "lucia.fernandez@example.com", Phone: "+34611223344", AgentID: sampleAgentID, Lang: crm.LangES,
		CreatedBy: sampleActorID, UpdatedBy: sampleActorID, CreatedAt: at, UpdatedAt: at, Version: 1}); err != nil {
		t.Fatal(err)
	}

	var schedMu sync.Mutex
	var schedCalls []string
	scheduler := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		schedMu.Lock()
		schedCalls = append(schedCalls, r.Method+" "+r.URL.Path)
		schedMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ScheduleArn":"arn:aws:scheduler:us-east-1:123456789012:schedule/embudo-reminders/test"}`)
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

	expectations := map[string]func(t *testing.T, file string, ev events.DynamoDBEvent){
		"stream-contact-assigned.json": func(t *testing.T, file string, ev events.DynamoDBEvent) {
			// The event is the item the store writes for this contact.
			sameAsStored(t, client, ev.Records[0])
			for round := 1; round <= 2; round++ { // the second is Lambda delivering the batch again
				invokeStream(t, emu, file)
				got := ses.store(t)
				if len(got) != 1 {
					t.Fatalf("after delivery %d the SES emulator holds %d e-mails, want exactly 1: %+v", round, len(got), got)
				}
				m := got[0]
				if len(m.Destination.To) != 1 || !strings.Contains(m.Destination.To[0], "<"+sampleAgentMail+">") {
					t.Errorf("e-mail to %q, want the agent %s", m.Destination.To, sampleAgentMail)
				}
				if m.Subject != "Nuevo contacto a tu cargo: Lucía Fernández" {
					t.Errorf("subject %q", m.Subject)
				}
				if !strings.Contains(m.Body.Text, "Marta Ruiz") || !strings.Contains(m.Body.Text, "https://crm.example.com/contacts/"+sampleContactID) ||
					m.Body.HTML == "" {
					t.Errorf("the e-mail does not name who assigned it or link to the contact:\n%s", m.Body.Text)
				}
			}
			// And the change is in the contact's timeline, once.
			p, err := svc.Timeline(ctx, crm.User{ID: sampleActorID}, sampleContactID, crm.ListOptions{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != 1 || p.Items[0].Kind != crm.TimelineCreated {
				t.Errorf("timeline %+v, want the one created entry", p.Items)
			}
		},
	}

	files, err := filepath.Glob("../../events/stream-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no events/stream-*.json (err %v)", err)
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
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var ev events.DynamoDBEvent
			if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) == 0 {
				t.Fatalf("events/%s is not a DynamoDB stream event (%v)", name, err)
			}
			check(t, file, ev)
		})
	}
	for name := range expectations {
		if !seen[name] {
			t.Errorf("events/%s is expected but missing", name)
		}
	}
	schedMu.Lock()
	defer schedMu.Unlock()
	if len(schedCalls) != 0 {
		t.Errorf("a contact change called the Scheduler: %v", schedCalls)
	}
}

// invokeStream invokes the function with an event file and requires the
// response Lambda reads as "every record succeeded".
func invokeStream(t *testing.T, emu *rietest.Emulator, file string) {
	t.Helper()
	payload, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := emu.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]json.RawMessage
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	if _, failed := res["errorMessage"]; failed {
		t.Fatalf("the function failed: %s", out)
	}
	// ReportBatchItemFailures: the key present, and no failure in it.
	failures, ok := res["batchItemFailures"]
	if !ok || (string(failures) != "[]" && string(failures) != "null") {
		t.Fatalf("response %s, want {\"batchItemFailures\":[]}", out)
	}
}

// sameAsStored checks that the event's new image is the item the store
// holds for that key: the sample keeps the real item layout.
func sameAsStored(t *testing.T, db *dynamodb.Client, rec events.DynamoDBEventRecord) {
	t.Helper()
	toAV := func(m map[string]events.DynamoDBAttributeValue) map[string]any {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		av, err := attributevalue.UnmarshalMapJSON(b)
		if err != nil {
			t.Fatal(err)
		}
		j, _ := attributevalue.MarshalMapJSON(av)
		var out map[string]any
		_ = json.Unmarshal(j, &out)
		return out
	}
	keyJSON, _ := json.Marshal(rec.Change.Keys)
	key, err := attributevalue.UnmarshalMapJSON(keyJSON)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("embudo-test"), Key: key})
	if err != nil || len(res.Item) == 0 {
		t.Fatalf("the event's item is not stored (%v)", err)
	}
	j, _ := attributevalue.MarshalMapJSON(res.Item)
	var stored map[string]any
	_ = json.Unmarshal(j, &stored)
	if img := toAV(rec.Change.NewImage); !reflect.DeepEqual(img, stored) {
		t.Errorf("the event's NewImage is not the item the store writes:\n event  %v\n stored %v", img, stored)
	}
}
