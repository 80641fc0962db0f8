package dynamotest_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
)

var ctx = context.Background()

var actor = crm.User{ID: crm.NewID(time.Now())}

// capturing is a service over a store whose writes go through a Capture.
func capturing(t *testing.T) (*dynamotest.Capture, *crm.Service) {
	t.Helper()
	tbl, c := dynamotest.NewCapturing(t)
	return c, crm.NewService(dynamo.New(c, tbl.Name), crm.Config{})
}

func TestRecordsAreDynamoDBStreamRecords(t *testing.T) {
	c, svc := capturing(t)
	var got []dynamotest.Record
	c.OnChange = func(r []dynamotest.Record) { got = append(got, r...) }
	a, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateContact(ctx, a.ID, 0, func(c *crm.Contact) error { c.Name = "Ana María"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteContact(ctx, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	var names []string
	var contactEvents []events.DynamoDBEventRecord
	for _, ev := range dynamotest.Events(t, got) {
		if ev.Change.Keys["SK"].String() == "CONTACT" {
			names = append(names, ev.EventName)
			contactEvents = append(contactEvents, ev)
		}
		if ev.EventSource != "aws:dynamodb" || ev.Change.StreamViewType != "NEW_AND_OLD_IMAGES" || ev.Change.SequenceNumber == "" {
			t.Fatalf("not a stream record of a NEW_AND_OLD_IMAGES stream: %+v", ev)
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
	if !dynamotest.InStream(contactEvents[2]) {
		t.Fatal("a contact's REMOVE is of a stream type")
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq() <= got[i-1].Seq() {
			t.Fatalf("sequence numbers not increasing: %d then %d", got[i-1].Seq(), got[i].Seq())
		}
	}
}

// A refused transaction is captured as nothing. A refused creation of a
// contact hands the stream nothing either: its word items, written on
// their own just before its transaction and deleted after it, are no
// stream type.
func TestFailedConditionalWriteCapturesNothing(t *testing.T) {
	c, svc := capturing(t)
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana", Email: "ana@example.com"}); err != nil {
		t.Fatal(err)
	}
	bea, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Bea", Email: "bea@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	var got []dynamotest.Record
	c.OnChange = func(r []dynamotest.Record) { got = append(got, r...) }
	if _, err := svc.UpdateContact(ctx, bea.ID, 0, func(c *crm.Contact) error { c.Email = "ana@example.com"; return nil }); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("a rejected write produced %d records", len(got))
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Dup", Email: "ana@example.com"}); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatal(err)
	}
	for _, ev := range dynamotest.Events(t, got) {
		if dynamotest.InStream(ev) {
			t.Fatalf("a rejected creation handed the stream a record: %s %v", ev.EventName, ev.Change.Keys)
		}
	}
}

// The feed hands over the stream's types only, in order; the records of
// the handler's own writes come back to it; a failure is tried again.
func TestFeedHandsOverStreamRecordsInOrder(t *testing.T) {
	c, svc := capturing(t)
	var mu sync.Mutex
	var seen []string
	failOnce := true
	feed := c.StartFeed(t, func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		mu.Lock()
		defer mu.Unlock()
		img := rec.Change.NewImage
		if len(img) == 0 {
			img = rec.Change.OldImage
		}
		name := img["name"].String()
		if name == "Bea" && failOnce {
			failOnce = false
			return errors.New("handler failed")
		}
		seen = append(seen, rec.EventName+" "+name)
		if name == "Ana" && rec.EventName == "INSERT" {
			// A write of the handler's own, as the stream's are.
			mu.Unlock()
			_, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Bea"})
			mu.Lock()
			return err
		}
		return nil
	})
	if _, err := svc.CreateSource(ctx, crm.Source{Name: "Feria"}); err != nil { // not a stream type
		t.Fatal(err)
	}
	if _, err := svc.CreateContact(ctx, actor, crm.Contact{Name: "Ana"}); err != nil {
		t.Fatal(err)
	}
	feed.Wait()
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(seen, ","); got != "INSERT Ana,INSERT Bea" {
		t.Fatalf("handled %s", got)
	}
}
