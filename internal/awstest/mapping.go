package awstest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// pollInterval is how often an idle mapping reads its shards: Lambda polls
// each shard of a DynamoDB stream four times a second.
const pollInterval = 250 * time.Millisecond

// Mapping plays a DynamoDB stream event source mapping of the stack (gap
// 2), with the properties the template gives it, as the Lambda developer
// guide describes them:
//
//   - it reads every shard of the stream from StartingPosition, a shard's
//     records in order, a child shard after its parent;
//   - each record goes through FilterCriteria (Filter): one no pattern
//     matches is dropped, as if delivered;
//   - records are gathered into batches of at most BatchSize, a batch
//     going out when it is full or MaximumBatchingWindowInSeconds after
//     its first record;
//   - the function gets each batch as a DynamoDBEvent; with
//     ReportBatchItemFailures, the batch is taken from its lowest failed
//     sequence number on and sent again (a failure naming no record of
//     the batch fails the whole batch); a function error sends the batch
//     again, split in two when BisectBatchOnFunctionError;
//   - after MaximumRetryAttempts retries, or once older than
//     MaximumRecordAgeInSeconds, the batch is given up and a record of it
//     goes to the OnFailure destination (an SQS queue), and the mapping
//     moves on.
//
// Properties it does not play (ParallelizationFactor, TumblingWindowInSeconds,
// ...) fail NewMapping.
type Mapping struct {
	ID        string
	StreamARN string
	Filters   []*Filter
	BatchSize int
	Window    time.Duration
	// MaxRetries is -1 for retrying until the records expire.
	MaxRetries int
	Bisect     bool
	// ReportFailures is FunctionResponseTypes: [ReportBatchItemFailures].
	ReportFailures bool
	// MaxAge is -1 for records that never expire.
	MaxAge   time.Duration
	Position string // TRIM_HORIZON or LATEST
	// OnFailure is the URL of the queue batches given up go to; "" for none.
	OnFailure string

	fn      invoker
	streams *dynamodbstreams.Client
	sqs     *sqs.Client

	mu      sync.Mutex
	stats   MappingStats
	log     []events.DynamoDBEventRecord // every record read, in order
	idleAt  time.Time                    // the start of the last poll that found the mapping caught up
	rewind  bool                         // read the stream again from TRIM_HORIZON
	stopped chan struct{}
}

// MappingStats counts what a mapping did.
type MappingStats struct {
	Read        int // records read from the shards (redeliveries read again count again)
	NoOps       int // MODIFY records with equal images, dropped (gap 5)
	Filtered    int // records no filter matched
	Delivered   int // records handed to the function, each attempt counted
	Invocations int
	Retried     int // records sent again after a failure
	GivenUp     int // records given up on, recorded in the on-failure queue
}

// known are the properties of AWS::Lambda::EventSourceMapping NewMapping
// plays.
var known = []string{"BatchSize", "BisectBatchOnFunctionError", "DestinationConfig", "EventSourceArn", "FilterCriteria", "FunctionName",
	"FunctionResponseTypes", "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds", "MaximumRetryAttempts", "StartingPosition", "Enabled"}

// NewMapping reads the event source mapping logicalID of the stack, which
// must invoke fn, and returns it ready to Start. Its stream is the one of
// the table its EventSourceArn names; its on-failure destination the
// queue its DestinationConfig names.
func (s *Stack) NewMapping(t testing.TB, logicalID string, fn *Function) *Mapping {
	t.Helper()
	p, ok := s.Mappings[logicalID]
	if !ok {
		t.Fatalf("awstest: the stack has no event source mapping %s (it has %v)", logicalID, slices.Sorted(maps.Keys(s.Mappings)))
	}
	for k := range p {
		if !slices.Contains(known, k) {
			t.Fatalf("awstest: %s: the harness does not play %s", logicalID, k)
		}
	}
	if ref, _ := refOf(p["FunctionName"]); ref != fn.LogicalID {
		t.Fatalf("awstest: %s invokes %v, not %s", logicalID, p["FunctionName"], fn.LogicalID)
	}
	if e, ok := p["Enabled"].(bool); ok && !e {
		t.Fatalf("awstest: %s is disabled", logicalID)
	}
	m := &Mapping{ID: logicalID, fn: fn, streams: s.Moto.Streams(), sqs: s.Moto.SQS(),
		BatchSize: intProp(p, "BatchSize", 100), Window: time.Duration(intProp(p, "MaximumBatchingWindowInSeconds", 0)) * time.Second,
		MaxRetries: intProp(p, "MaximumRetryAttempts", -1), Bisect: p["BisectBatchOnFunctionError"] == true,
		MaxAge: time.Duration(intProp(p, "MaximumRecordAgeInSeconds", -1)) * time.Second, Position: fmt.Sprint(p["StartingPosition"])}
	if m.MaxAge < 0 {
		m.MaxAge = -1
	}
	if types, _ := p["FunctionResponseTypes"].([]any); slices.Contains(types, any("ReportBatchItemFailures")) {
		m.ReportFailures = true
	}
	m.StreamARN = s.streamARN(t, p["EventSourceArn"])
	if dest, ok := p["DestinationConfig"].(map[string]any); ok {
		m.OnFailure = s.queueURL(t, dest)
	}
	fc, _ := p["FilterCriteria"].(map[string]any)
	filters, _ := fc["Filters"].([]any)
	for _, f := range filters {
		pattern, _ := f.(map[string]any)["Pattern"].(string)
		c, err := CompileFilter(pattern)
		if err != nil {
			t.Fatalf("awstest: %s: %v", logicalID, err)
		}
		m.Filters = append(m.Filters, c)
	}
	return m
}

// streamARN resolves {"Fn::GetAtt": [Table, "StreamArn"]}: the table's
// latest stream in moto.
func (s *Stack) streamARN(t testing.TB, v any) string {
	t.Helper()
	ga, _ := v.(map[string]any)["Fn::GetAtt"].([]any)
	if len(ga) != 2 || ga[1] != "StreamArn" {
		t.Fatalf("awstest: EventSourceArn %v is no table's StreamArn", v)
	}
	table := s.Physical(t, fmt.Sprint(ga[0]))
	out, err := s.Moto.DynamoDB().DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil || out.Table.LatestStreamArn == nil {
		t.Fatalf("awstest: the stream of %s: %v", table, err)
	}
	return *out.Table.LatestStreamArn
}

// queueURL resolves DestinationConfig.OnFailure.Destination, a GetAtt of
// a queue's Arn: moto's physical ID of a queue is its URL.
func (s *Stack) queueURL(t testing.TB, dest map[string]any) string {
	t.Helper()
	of, _ := dest["OnFailure"].(map[string]any)
	ga, _ := of["Destination"].(map[string]any)["Fn::GetAtt"].([]any)
	if len(ga) != 2 || s.Resources[fmt.Sprint(ga[0])].Type != "AWS::SQS::Queue" {
		t.Fatalf("awstest: the on-failure destination %v is no queue of the stack", dest)
	}
	return s.Physical(t, fmt.Sprint(ga[0]))
}

// intProp reads a numeric property, def when absent.
func intProp(p map[string]any, k string, def int) int {
	switch v := p[k].(type) {
	case float64:
		return int(v)
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	}
	return def
}

// Stats returns what the mapping has done so far.
func (m *Mapping) Stats() MappingStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats
}

// Records returns every record the mapping has read, in order (a record
// read again by Rewind appears again).
func (m *Mapping) Records() []events.DynamoDBEventRecord {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.log)
}

// Rewind makes the mapping read the whole stream again from TRIM_HORIZON
// and deliver it as the first time (what Lambda does with a mapping
// created again at TRIM_HORIZON): every record the filters let through
// reaches the function a second time.
func (m *Mapping) Rewind() {
	m.mu.Lock()
	m.rewind = true
	m.mu.Unlock()
}

// WaitIdle waits until the mapping has read to the end of every shard,
// after now, and delivered all it read, failing t after timeout.
func (m *Mapping) WaitIdle(t testing.TB, timeout time.Duration) {
	t.Helper()
	since := time.Now()
	deadline := since.Add(timeout)
	for time.Now().Before(deadline) {
		m.mu.Lock()
		idle := m.idleAt.After(since)
		m.mu.Unlock()
		if idle {
			return
		}
		select {
		case <-m.stopped:
			t.Fatalf("awstest: mapping %s stopped", m.ID)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("awstest: mapping %s not idle after %s: %+v", m.ID, timeout, m.Stats())
}
