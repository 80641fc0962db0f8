package awstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// shard is a shard being read.
type shard struct {
	id, parent string
	iterator   *string // nil once the shard is closed and read
	pending    []events.DynamoDBEventRecord
	first      time.Time // when the first pending record was read
}

// Start runs the mapping until t ends. A failure to read the stream fails
// t; the function's failures are the mapping's to handle.
func (m *Mapping) Start(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m.stopped = make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(m.stopped)
		if err := m.run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			errs <- err
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-m.stopped
		select {
		case err := <-errs:
			t.Errorf("awstest: mapping %s: %v", m.ID, err)
		default:
		}
	})
}

// run polls the shards until ctx ends.
func (m *Mapping) run(ctx context.Context) error {
	shards := map[string]*shard{}
	position := types.ShardIteratorType(m.Position)
	for {
		started := time.Now()
		m.mu.Lock()
		if m.rewind {
			m.rewind, position, shards = false, types.ShardIteratorTypeTrimHorizon, map[string]*shard{}
		}
		m.mu.Unlock()
		if err := m.discover(ctx, shards, position); err != nil {
			return err
		}
		read := 0
		for _, id := range order(shards) {
			sh := shards[id]
			if sh.iterator != nil {
				n, err := m.read(ctx, sh)
				if err != nil {
					return err
				}
				read += n
			}
			if err := m.flush(ctx, sh); err != nil {
				return err
			}
		}
		busy := read > 0
		for _, sh := range shards {
			busy = busy || len(sh.pending) > 0
		}
		if !busy {
			m.mu.Lock()
			m.idleAt = started
			m.mu.Unlock()
		}
		wait := pollInterval
		if busy {
			wait = 20 * time.Millisecond // gathering a batch, or more to read
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// discover adds the stream's shards not yet known, each with an iterator
// at position.
func (m *Mapping) discover(ctx context.Context, shards map[string]*shard, position types.ShardIteratorType) error {
	out, err := m.streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(m.StreamARN)})
	if err != nil {
		return fmt.Errorf("describe stream: %w", err)
	}
	for _, s := range out.StreamDescription.Shards {
		id := aws.ToString(s.ShardId)
		if shards[id] != nil {
			continue
		}
		it, err := m.streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(m.StreamARN),
			ShardId: aws.String(id), ShardIteratorType: position})
		if err != nil {
			return fmt.Errorf("shard iterator of %s: %w", id, err)
		}
		shards[id] = &shard{id: id, parent: aws.ToString(s.ParentShardId), iterator: it.ShardIterator}
	}
	return nil
}

// order lists the shards parents first.
func order(shards map[string]*shard) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		sh := shards[id]
		if sh == nil || seen[id] {
			return
		}
		seen[id] = true
		visit(sh.parent)
		out = append(out, id)
	}
	ids := make([]string, 0, len(shards))
	for id := range shards {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		visit(id)
	}
	return out
}

// read reads what the shard holds past its iterator into its pending
// records, dropping the no-op MODIFYs (gap 5) and what no filter matches.
func (m *Mapping) read(ctx context.Context, sh *shard) (int, error) {
	out, err := m.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: sh.iterator, Limit: aws.Int32(1000)})
	if err != nil {
		return 0, fmt.Errorf("get records of %s: %w", sh.id, err)
	}
	sh.iterator = out.NextShardIterator
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range out.Records {
		ev := eventRecord(r, m.StreamARN)
		m.stats.Read++
		m.log = append(m.log, ev)
		if noop(ev) {
			m.stats.NoOps++
			continue
		}
		raw, err := json.Marshal(ev)
		if err != nil {
			return 0, err
		}
		ok, err := MatchAny(m.Filters, raw)
		if err != nil {
			return 0, err
		}
		if !ok {
			m.stats.Filtered++
			continue
		}
		if len(sh.pending) == 0 {
			sh.first = time.Now()
		}
		sh.pending = append(sh.pending, ev)
	}
	return len(out.Records), nil
}

// noop reports a MODIFY whose images are equal: a write that changed
// nothing, for which DynamoDB Streams writes no record (gap 5).
func noop(ev events.DynamoDBEventRecord) bool {
	if ev.EventName != "MODIFY" {
		return false
	}
	a, err1 := json.Marshal(ev.Change.OldImage)
	b, err2 := json.Marshal(ev.Change.NewImage)
	return err1 == nil && err2 == nil && string(a) == string(b)
}

// flush delivers the shard's full batches, and the last one when its
// batching window has passed.
func (m *Mapping) flush(ctx context.Context, sh *shard) error {
	for len(sh.pending) > 0 {
		if len(sh.pending) < m.BatchSize && time.Since(sh.first) < m.Window {
			return nil
		}
		n := min(len(sh.pending), m.BatchSize)
		batch := sh.pending[:n:n]
		sh.pending = sh.pending[n:]
		sh.first = time.Now()
		if err := m.deliver(ctx, sh.id, batch); err != nil {
			return err
		}
	}
	return nil
}
