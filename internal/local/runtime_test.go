package local_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/local"
)

var ctx = context.Background()

func open(t *testing.T, dir string) (*local.Store, *crm.Service) {
	t.Helper()
	s, err := local.Open(ctx, local.Options{DataDir: dir, Table: dynamo.Schema("embudo")})
	if err != nil {
		t.Fatal(err)
	}
	return s, crm.NewService(dynamo.New(s.DB, "embudo"), crm.Config{})
}

var actor = crm.User{ID: crm.NewID(time.Now())}

func TestWritesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s, svc := open(t, dir)
	a, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := svc.CreateContact(ctx, actor, crm.Contact{Name: "Bea", Phone: "600111222"})
	if _, err := svc.UpdateContact(ctx, a.ID, 0, func(c *crm.Contact) error { c.Company = "ACME"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteContact(ctx, b.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, svc = open(t, dir)
	defer s.Close()
	got, err := svc.GetContact(ctx, a.ID)
	if err != nil || got.Company != "ACME" || got.Version != 2 {
		t.Fatalf("after restart: %+v %v", got, err)
	}
	if _, err := svc.GetContact(ctx, b.ID); crm.ErrorCode(err) != crm.CodeNotFound {
		t.Fatalf("deleted contact came back: %v", err)
	}
	// Uniqueness items were restored too, and the freed phone is free.
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "X", Email: "ANA@example.com"}); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("e-mail claim lost in restart: %v", err)
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Y", Phone: "+34 600 111 222"}); err != nil {
		t.Fatalf("phone claim of a deleted contact came back: %v", err)
	}
}

func TestTornTailIsCutAndEverythingBeforeKept(t *testing.T) {
	dir := t.TempDir()
	s, svc := open(t, dir)
	a, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, err := os.OpenFile(filepath.Join(dir, "changes.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"eventID":"99","eventName":"INSERT","dynamodb":{"Keys":{"PK":{"S":"CON`)
	f.Close()
	s, svc = open(t, dir)
	defer s.Close()
	if _, err := svc.GetContact(ctx, a.ID); err != nil {
		t.Fatalf("record before the torn one lost: %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "changes.log"))
	if strings.Contains(string(b), `"99"`) {
		t.Fatal("torn record kept in the log")
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "After"}); err != nil {
		t.Fatalf("cannot write after cutting a torn tail: %v", err)
	}
}

func TestRecordsAreDynamoDBStreamRecords(t *testing.T) {
	dir := t.TempDir()
	s, svc := open(t, dir)
	var got []local.Record
	s.DB.OnChange = func(r []local.Record) { got = append(got, r...) }
	c, _ := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"})
	svc.UpdateContact(ctx, c.ID, 0, func(c *crm.Contact) error { c.Name = "Ana María"; return nil })
	svc.DeleteContact(ctx, c.ID, 0)
	s.Close()
	var names []string
	var contactEvents []events.DynamoDBEventRecord
	for _, r := range got {
		b, _ := json.Marshal(r)
		var ev events.DynamoDBEventRecord
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("record does not decode as a Lambda stream record: %v", err)
		}
		if ev.Change.Keys["SK"].String() == "CONTACT" {
			names = append(names, ev.EventName)
			contactEvents = append(contactEvents, ev)
		}
	}
	if strings.Join(names, ",") != "INSERT,MODIFY,REMOVE" {
		t.Fatalf("contact events = %v", names)
	}
	mod := contactEvents[1]
	if mod.Change.OldImage["name"].String() != "Ana" || mod.Change.NewImage["name"].String() != "Ana María" {
		t.Fatalf("MODIFY images: old %v new %v", mod.Change.OldImage["name"], mod.Change.NewImage["name"])
	}
	if len(contactEvents[2].Change.NewImage) != 0 || contactEvents[2].Change.OldImage["name"].String() != "Ana María" {
		t.Fatal("REMOVE must carry the old image only")
	}
	// Sequence numbers only grow.
	for i := 1; i < len(got); i++ {
		if got[i].Seq() <= got[i-1].Seq() {
			t.Fatalf("sequence numbers not increasing: %d then %d", got[i-1].Seq(), got[i].Seq())
		}
	}
}

func TestFailedConditionalWriteLogsNothing(t *testing.T) {
	dir := t.TempDir()
	s, svc := open(t, dir)
	defer s.Close()
	svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"})
	n := 0
	s.DB.OnChange = func(r []local.Record) { n += len(r) }
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Dup", Email: "ana@example.com"}); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("a rejected write produced %d records", n)
	}
}
