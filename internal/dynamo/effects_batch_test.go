package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
)

// The stream handler writes a batch's effects together: the counters of a
// source and month once for the batch, each record's entries once. A batch
// delivered again (whole, or from a record on) counts nothing twice and
// writes each entry once, under the key of its first delivery, also when
// the first delivery's entries were lost after its transaction.
func TestStreamBatchEffectsOnce(t *testing.T) {
	ctx := context.Background()
	tbl := dynamotest.New(t)
	st := dynamo.New(tbl.Client, tbl.Name)
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	// apply is a change core that makes one entry and one lead count per
	// record, at the time it handles it.
	apply := func(ctx context.Context, c crm.Change) error {
		clock = clock.Add(time.Millisecond)
		_, err := st.ApplyOnce(ctx, "rec#"+c.ID, []crm.TimelineItem{{ContactID: "C" + c.ID[len(c.ID)-1:], At: clock, EventID: c.ID,
			Kind: crm.TimelineLead, RefKind: "lead", RefID: c.ID}}, []crm.StatDelta{{SourceID: "S", Month: "2026-03", Field: "leads", Delta: 1}})
		return err
	}
	h := dynamo.StreamHandler{Apply: apply}
	var recs []events.DynamoDBEventRecord
	for i := range 150 {
		recs = append(recs, events.DynamoDBEventRecord{EventID: fmt.Sprintf("ev%03d", i), EventName: "INSERT"})
	}
	handle := func(recs []events.DynamoDBEventRecord) {
		t.Helper()
		res, err := h.Handle(ctx, events.DynamoDBEvent{Records: recs})
		if err != nil || len(res.BatchItemFailures) > 0 {
			t.Fatalf("batch: %v %+v", err, res.BatchItemFailures)
		}
	}
	check := func(when string) {
		t.Helper()
		rows, err := st.Stats(ctx, "2026-03", "2026-03")
		if err != nil || len(rows) != 1 || rows[0].Leads != 150 {
			t.Fatalf("%s: counters %+v %v, want 150 leads", when, rows, err)
		}
		for c := range 10 {
			p, err := st.Timeline(ctx, fmt.Sprintf("C%d", c), crm.ListOptions{Limit: 100}, nil)
			if err != nil || len(p.Items) != 15 {
				t.Fatalf("%s: contact C%d has %d entries (%v), want 15", when, c, len(p.Items), err)
			}
		}
	}
	handle(recs[:100])
	handle(recs[100:])
	check("handled once")
	first, _ := st.Timeline(ctx, "C7", crm.ListOptions{Limit: 100}, nil)

	// An entry lost after its record's transaction comes back, as it was.
	lost := first.Items[3]
	if _, err := st.ApplyOnce(ctx, "lost", []crm.TimelineItem{{ContactID: lost.ContactID, At: lost.At, EventID: lost.EventID, Kind: lost.Kind, Removed: true}}, nil); err != nil {
		t.Fatal(err)
	}
	handle(recs[40:])
	handle(recs)
	check("delivered again")
	again, _ := st.Timeline(ctx, "C7", crm.ListOptions{Limit: 100}, nil)
	for i := range first.Items {
		if !first.Items[i].At.Equal(again.Items[i].At) || first.Items[i].EventID != again.Items[i].EventID {
			t.Fatalf("entry %d: %+v, was %+v", i, again.Items[i], first.Items[i])
		}
	}
}
