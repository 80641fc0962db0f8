package transfer_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/stream"
	"github.com/embudo/embudo/internal/transfer"
)

// Copying a CRM into DynamoDB makes no second round of e-mails: the stream
// handler, fed every record the copy's writes produced (not only those the
// stream's filter lets through), sends nothing, arms nothing and counts
// nothing. The same handler sends the e-mail of a contact made on the
// target afterwards.
func TestTheCopySendsNoEmailAndCountsNothing(t *testing.T) {
	l := newLocal(t)
	tbl, capture := dynamotest.NewCapturing(t)
	var mu sync.Mutex
	var recs []dynamotest.Record
	capture.OnChange = func(r []dynamotest.Record) { mu.Lock(); recs = append(recs, r...); mu.Unlock() }
	take := func() []events.DynamoDBEventRecord {
		mu.Lock()
		defer mu.Unlock()
		out := dynamotest.Events(t, recs)
		recs = nil
		return out
	}
	rep, err := transfer.Copy(bg, transfer.Options{From: endpoint(t, l.dir), To: transfer.Endpoint{Table: tbl.Name}, DynamoDB: capture, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	copied, err := dynamo.Export(bg, tbl.Client, tbl.Name, 1, nil)
	if err != nil {
		t.Fatal(err)
	}

	mail, sched := &mailbox{}, &alarms{}
	st := dynamo.New(capture, tbl.Name)
	svc := crm.NewService(st, crm.Config{})
	h := stream.New(stream.Config{Service: svc, Store: st, Mailer: mail, Scheduler: sched, AppURL: "https://crm.example.com/", Log: quiet})
	handle := func(evs []events.DynamoDBEventRecord) {
		t.Helper()
		res, err := dynamo.StreamHandler{Apply: h.Apply, Log: quiet}.Handle(bg, events.DynamoDBEvent{Records: evs})
		if err != nil || len(res.BatchItemFailures) != 0 {
			t.Fatalf("the stream handler failed: %v %+v", err, res.BatchItemFailures)
		}
	}
	evs := take()
	streamTypes, delivered := 0, 0
	for _, ev := range evs {
		if typ, ok := ev.Change.NewImage["type"]; ok && slices.Contains(dynamo.StreamTypes, typ.String()) {
			streamTypes++
		}
		if dynamotest.InStream(ev) {
			delivered++
		}
	}
	if len(evs) != rep.Written || streamTypes == 0 || delivered != 0 {
		t.Fatalf("%d records for %d items written: %d of the stream's types, %d the stream's filter would deliver",
			len(evs), rep.Written, streamTypes, delivered)
	}
	handle(evs)
	if n := mail.count(); n != 0 {
		t.Errorf("the copy sent %d e-mails: %+v", n, mail.sent)
	}
	if sched.calls != 0 {
		t.Errorf("the copy armed or disarmed %d reminders", sched.calls)
	}
	if left := take(); len(left) != 0 {
		t.Errorf("handling the copy's records wrote %d items (timeline, counters, markers)", len(left))
	}
	after, err := dynamo.Export(bg, tbl.Client, tbl.Name, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(copied, after); d != "" {
		t.Errorf("handling the copy's records changed the CRM: %s", d)
	}

	// The handler is live: a contact with an agent, made on the target,
	// sends the agent its e-mail.
	agent := copied.Agents[0]
	if _, err := svc.CreateContact(bg, l.admin, crm.Contact{Name: "Nueva", AgentID: agent.ID}); err != nil {
		t.Fatal(err)
	}
	handle(take())
	if n := mail.count(); n != 1 || mail.sent[0].To != agent.Email {
		t.Errorf("a contact made after the copy: %d e-mails %+v", n, mail.sent)
	}
}
