package awstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// fakeFn is a function that answers each batch with answer and records
// the sequence numbers of every batch it got.
type fakeFn struct {
	answer  func(call int, seqs []string) (out []byte, handlerErr error)
	batches [][]string
}

func (f *fakeFn) Invoke(_ context.Context, payload []byte) ([]byte, error, error) {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, nil, err
	}
	var seqs []string
	for _, r := range ev.Records {
		seqs = append(seqs, r.Change.SequenceNumber)
	}
	f.batches = append(f.batches, seqs)
	out, herr := f.answer(len(f.batches), seqs)
	return out, herr, nil
}

func (f *fakeFn) config() FunctionConfig { return FunctionConfig{LogicalID: "Fake", Timeout: 1} }

// records makes n records with sequence numbers 1..n.
func records(n int) []events.DynamoDBEventRecord {
	out := make([]events.DynamoDBEventRecord, n)
	for i := range out {
		out[i] = events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{
			SequenceNumber: strconv.Itoa(i + 1), ApproximateCreationDateTime: events.SecondsEpochTime{Time: time.Now()}}}
	}
	return out
}

// failures answers ReportBatchItemFailures naming seqs.
func failures(seqs ...string) []byte {
	var resp events.DynamoDBEventResponse
	for _, s := range seqs {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: s})
	}
	b, _ := json.Marshal(resp)
	return b
}

// deliver runs one batch through a mapping configured as the template's
// (retries as given) and returns the batches the function got.
func deliver(t *testing.T, retries int, bisect bool, n int, answer func(call int, seqs []string) ([]byte, error)) ([][]string, MappingStats) {
	t.Helper()
	fn := &fakeFn{answer: answer}
	m := &Mapping{ID: "test", fn: fn, BatchSize: 25, MaxRetries: retries, Bisect: bisect, ReportFailures: true, MaxAge: -1}
	if err := m.deliver(context.Background(), "shard-1", records(n)); err != nil {
		t.Fatal(err)
	}
	return fn.batches, m.Stats()
}

func TestMappingDelivery(t *testing.T) {
	ok := func(int, []string) ([]byte, error) { return []byte(`{"batchItemFailures":[]}`), nil }
	cases := []struct {
		name    string
		retries int
		bisect  bool
		answer  func(call int, seqs []string) ([]byte, error)
		want    string // the batches, as fmt prints them
		givenUp int
	}{
		{"handled at once", 10, true, ok, "[[1 2 3 4]]", 0},
		{"an empty answer is success", 10, true, func(int, []string) ([]byte, error) { return []byte("null"), nil }, "[[1 2 3 4]]", 0},
		{"from the lowest failure on", 10, true, func(call int, _ []string) ([]byte, error) {
			if call == 1 {
				return failures("4", "2"), nil
			}
			return nil, nil
		}, "[[1 2 3 4] [2 3 4]]", 0},
		{"an unknown identifier fails the batch", 10, true, func(call int, _ []string) ([]byte, error) {
			if call == 1 {
				return failures("99"), nil
			}
			return nil, nil
		}, "[[1 2 3 4] [1 2 3 4]]", 0},
		{"an empty identifier fails the batch", 10, true, func(call int, _ []string) ([]byte, error) {
			if call == 1 {
				return failures(""), nil
			}
			return nil, nil
		}, "[[1 2 3 4] [1 2 3 4]]", 0},
		{"a function error splits the batch", 10, true, func(call int, seqs []string) ([]byte, error) {
			if slices.Contains(seqs, "3") && len(seqs) > 1 {
				return nil, errors.New("boom")
			}
			return nil, nil
		}, "[[1 2 3 4] [1 2] [3 4] [3] [4]]", 0},
		{"without bisection the batch is sent again whole", 2, false, func(int, []string) ([]byte, error) {
			return nil, errors.New("boom")
		}, "[[1 2 3 4] [1 2 3 4] [1 2 3 4]]", 4},
		{"retries run out", 1, true, func(int, []string) ([]byte, error) { return failures("3"), nil }, "[[1 2 3 4] [3 4]]", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, stats := deliver(t, c.retries, c.bisect, 4, c.answer)
			if fmt.Sprint(got) != c.want {
				t.Errorf("batches %v, want %s", got, c.want)
			}
			if stats.GivenUp != c.givenUp {
				t.Errorf("gave up %d records, want %d", stats.GivenUp, c.givenUp)
			}
		})
	}
}

// A record older than MaximumRecordAgeInSeconds is given up before it is
// sent.
func TestMappingRecordAge(t *testing.T) {
	fn := &fakeFn{answer: func(int, []string) ([]byte, error) { return nil, nil }}
	m := &Mapping{ID: "test", fn: fn, BatchSize: 25, MaxRetries: 10, ReportFailures: true, MaxAge: time.Hour}
	recs := records(3)
	recs[0].Change.ApproximateCreationDateTime.Time = time.Now().Add(-2 * time.Hour)
	if err := m.deliver(context.Background(), "shard-1", recs); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(fn.batches) != "[[2 3]]" || m.Stats().GivenUp != 1 {
		t.Errorf("batches %v, given up %d; want [[2 3]] and 1", fn.batches, m.Stats().GivenUp)
	}
}

// A MODIFY that changes nothing is a record DynamoDB would not have
// written.
func TestNoop(t *testing.T) {
	img := map[string]events.DynamoDBAttributeValue{"PK": events.NewStringAttribute("A"), "n": events.NewNumberAttribute("1")}
	other := map[string]events.DynamoDBAttributeValue{"PK": events.NewStringAttribute("A"), "n": events.NewNumberAttribute("2")}
	rec := func(name string, old, new map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{OldImage: old, NewImage: new}}
	}
	if !noop(rec("MODIFY", img, img)) || noop(rec("MODIFY", img, other)) || noop(rec("INSERT", nil, img)) || noop(rec("REMOVE", img, nil)) {
		t.Error("noop is wrong")
	}
}

// Shards are read parents first.
func TestShardOrder(t *testing.T) {
	shards := map[string]*shard{"c": {id: "c", parent: "b"}, "b": {id: "b", parent: "a"}, "a": {id: "a"}, "x": {id: "x", parent: "gone"}}
	if got := fmt.Sprint(order(shards)); got != "[a b c x]" {
		t.Errorf("order %s", got)
	}
}
