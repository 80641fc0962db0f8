package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/embudo/embudo/internal/awstest"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
)

// batchRig is a store whose transactions a test can get between, and a
// stream handler over a change core that makes, for record i (event
// "ev<i>"), two entries for contact C<i%10> at the time of its change (a
// lead and an assignment) and one lead count; every fifth record counts a
// contact instead and makes no entry.
type batchRig struct {
	t   *testing.T
	db  *txHook
	st  *dynamo.Store
	h   dynamo.StreamHandler
	all []events.DynamoDBEventRecord
}

// txHook runs before, once, ahead of the next TransactWriteItems, and
// refuses that transaction when fail is set.
type txHook struct {
	dynamo.API
	before func()
	fail   bool
}

func (d *txHook) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if f := d.before; f != nil {
		d.before = nil
		f()
	}
	if d.fail {
		d.fail = false
		return nil, errors.New("connection reset")
	}
	return d.API.TransactWriteItems(ctx, in, opts...)
}

// tables runs test on a minidyn table and on a moto one (where
// moto_server is missing, the moto run skips; it fails under CI=true).
func tables(t *testing.T, test func(t *testing.T, db dynamo.API, table string)) {
	t.Run("minidyn", func(t *testing.T) {
		tbl := dynamotest.New(t)
		test(t, tbl.Client, tbl.Name)
	})
	t.Run("moto", func(t *testing.T) {
		cl, name := awstest.Table(t)
		test(t, cl, name)
	})
}

func newBatchRig(t *testing.T, db dynamo.API, table string, records int) *batchRig {
	r := &batchRig{t: t, db: &txHook{API: db}}
	r.st = dynamo.New(r.db, table)
	changed := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	apply := func(ctx context.Context, c crm.Change) error {
		i, _ := strconv.Atoi(c.ID[2:])
		if i%5 == 4 {
			_, err := r.st.ApplyOnce(ctx, "rec#"+c.ID, nil, []crm.StatDelta{{SourceID: "S", Month: "2026-03", Field: "contacts", Delta: 1}})
			return err
		}
		at := changed.Add(time.Duration(i) * time.Millisecond)
		_, err := r.st.ApplyOnce(ctx, "rec#"+c.ID, []crm.TimelineItem{
			{ContactID: fmt.Sprintf("C%d", i%10), At: at, EventID: c.ID, Kind: crm.TimelineLead, RefKind: "lead", RefID: c.ID},
			{ContactID: fmt.Sprintf("C%d", i%10), At: at, EventID: c.ID, Kind: crm.TimelineAssigned, RefKind: "agent", RefID: "A"},
		}, []crm.StatDelta{{SourceID: "S", Month: "2026-03", Field: "leads", Delta: 1}})
		return err
	}
	r.h = dynamo.StreamHandler{Apply: apply}
	for i := range records {
		r.all = append(r.all, events.DynamoDBEventRecord{EventID: fmt.Sprintf("ev%03d", i), EventName: "INSERT",
			Change: events.DynamoDBStreamRecord{SequenceNumber: strconv.Itoa(i)}})
	}
	return r
}

// handle hands recs to the stream handler and returns the sequence number
// of the record it reports failed ("" for none).
func (r *batchRig) handle(recs []events.DynamoDBEventRecord) string {
	r.t.Helper()
	res, err := r.h.Handle(context.Background(), events.DynamoDBEvent{Records: recs})
	if err != nil {
		r.t.Fatal(err)
	}
	if len(res.BatchItemFailures) > 0 {
		return res.BatchItemFailures[0].ItemIdentifier
	}
	return ""
}

// check fails unless the counters are those of the records handled once
// (n of them, from the first), and each contact's timeline holds each
// entry once.
func (r *batchRig) check(when string, n int) {
	r.t.Helper()
	ctx := context.Background()
	rows, err := r.st.Stats(ctx, "2026-03", "2026-03")
	contacts := int64(n / 5)
	if err != nil || len(rows) != 1 || rows[0].Leads != int64(n)-contacts || rows[0].Contacts != contacts {
		r.t.Fatalf("%s: counters %+v %v, want %d leads and %d contacts", when, rows, err, int64(n)-contacts, contacts)
	}
	for c := range 10 {
		p, err := r.st.Timeline(ctx, fmt.Sprintf("C%d", c), crm.ListOptions{Limit: 100}, nil)
		want := 0
		for i := c; i < n; i += 10 {
			if i%5 != 4 {
				want += 2
			}
		}
		if err != nil || len(p.Items) != want {
			r.t.Fatalf("%s: contact C%d has %d entries (%v), want %d", when, c, len(p.Items), err, want)
		}
	}
}

// The stream handler writes a batch's effects together: the counters of a
// source and month once for the batch, each record's entries once. A batch
// delivered again (whole, or from a record on) counts nothing twice and
// writes each entry once, under the key it had, also an entry lost since
// (a record's entries after its first are written on their own, as its
// first is, which marks the record handled).
func TestStreamBatchEffectsOnce(t *testing.T) { tables(t, testStreamBatchEffectsOnce) }

func testStreamBatchEffectsOnce(t *testing.T, db dynamo.API, table string) {
	r := newBatchRig(t, db, table, 150)
	ctx := context.Background()
	if f := r.handle(r.all[:100]) + r.handle(r.all[100:]); f != "" {
		t.Fatalf("a record failed: %s", f)
	}
	r.check("handled once", 150)
	first, _ := r.st.Timeline(ctx, "C7", crm.ListOptions{Limit: 100}, nil)

	lost := first.Items[3]
	if lost.Kind != crm.TimelineAssigned {
		t.Fatalf("entry 3 is %s, want an assignment (the second of its record)", lost.Kind)
	}
	if _, err := r.st.ApplyOnce(ctx, "lost", []crm.TimelineItem{{ContactID: lost.ContactID, At: lost.At, EventID: lost.EventID, Kind: lost.Kind, Removed: true}}, nil); err != nil {
		t.Fatal(err)
	}
	if f := r.handle(r.all[40:]) + r.handle(r.all); f != "" {
		t.Fatalf("a record failed: %s", f)
	}
	r.check("delivered again", 150)
	again, _ := r.st.Timeline(ctx, "C7", crm.ListOptions{Limit: 100}, nil)
	for i := range first.Items {
		if !first.Items[i].At.Equal(again.Items[i].At) || first.Items[i].EventID != again.Items[i].EventID {
			t.Fatalf("entry %d: %+v, was %+v", i, again.Items[i], first.Items[i])
		}
	}
}

// A batch whose counters transaction fails after its entries and markers
// are written is reported failed from its first record; delivered again,
// its records are counted once.
func TestStreamBatchCountedOnceAfterItsTransactionFailed(t *testing.T) {
	tables(t, testStreamBatchCountedOnceAfterItsTransactionFailed)
}

func testStreamBatchCountedOnceAfterItsTransactionFailed(t *testing.T, db dynamo.API, table string) {
	r := newBatchRig(t, db, table, 60)
	r.db.fail = true
	if f := r.handle(r.all); f != "0" {
		t.Fatalf("failed record %q, want the first (0)", f)
	}
	if f := r.handle(r.all[20:]); f != "" {
		t.Fatalf("redelivery failed at %s", f)
	}
	if f := r.handle(r.all[:20]); f != "" {
		t.Fatalf("redelivery failed at %s", f)
	}
	r.check("delivered again", 60)
}

// A delivery of records whose earlier delivery is still under way (its
// counters not added yet) aborts the earlier one's batch and counts them;
// the earlier delivery's transaction then fails, it reports its records
// failed, and their next delivery counts nothing again.
func TestStreamBatchAbortedByALaterDelivery(t *testing.T) {
	tables(t, testStreamBatchAbortedByALaterDelivery)
}

func testStreamBatchAbortedByALaterDelivery(t *testing.T, db dynamo.API, table string) {
	r := newBatchRig(t, db, table, 60)
	r.db.before = func() {
		if f := r.handle(r.all[10:]); f != "" {
			t.Errorf("the later delivery failed at %s", f)
		}
	}
	if f := r.handle(r.all); f != "0" {
		t.Fatalf("the earlier delivery reported %q failed, want its first record (0)", f)
	}
	if f := r.handle(r.all); f != "" {
		t.Fatalf("the retry failed at %s", f)
	}
	r.check("after both and the retry", 60)
}
