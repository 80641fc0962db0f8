package awstest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// attempt is a batch on its way, with the retries it has had.
type attempt struct {
	records []events.DynamoDBEventRecord
	retries int
}

// deliver sends a batch to the function until it is handled or given up,
// splitting or trimming it as the function's answers say.
func (m *Mapping) deliver(ctx context.Context, shardID string, batch []events.DynamoDBEventRecord) error {
	queue := []attempt{{records: batch}}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		if expired := m.expired(a.records); expired > 0 {
			if err := m.giveUp(ctx, shardID, a.records[:expired], a.retries, "RecordAgeExceeded"); err != nil {
				return err
			}
			if a.records = a.records[expired:]; len(a.records) == 0 {
				continue
			}
		}
		failedFrom, fnErr, err := m.invoke(ctx, a.records)
		if err != nil {
			return err
		}
		if failedFrom < 0 {
			continue // handled
		}
		rest := a.records[failedFrom:]
		if m.MaxRetries >= 0 && a.retries >= m.MaxRetries {
			if err := m.giveUp(ctx, shardID, rest, a.retries, "RetryAttemptsExhausted"); err != nil {
				return err
			}
			continue
		}
		m.mu.Lock()
		m.stats.Retried += len(rest)
		m.mu.Unlock()
		if fnErr && m.Bisect && len(rest) > 1 {
			half := len(rest) / 2
			queue = append([]attempt{{rest[:half], a.retries + 1}, {rest[half:], a.retries + 1}}, queue...)
			continue
		}
		queue = append([]attempt{{rest, a.retries + 1}}, queue...)
	}
	return nil
}

// invoke sends records to the function. failedFrom is -1 when the batch
// was handled, else the index from which it must be sent again; fnErr
// says the function failed as a whole (an error, or an answer Lambda
// takes as one). err is a failure of the harness itself (ctx ended).
func (m *Mapping) invoke(ctx context.Context, records []events.DynamoDBEventRecord) (failedFrom int, fnErr bool, err error) {
	payload, err := json.Marshal(events.DynamoDBEvent{Records: records})
	if err != nil {
		return 0, false, err
	}
	m.mu.Lock()
	m.stats.Invocations++
	m.stats.Delivered += len(records)
	m.mu.Unlock()
	ictx, cancel := context.WithTimeout(ctx, time.Duration(m.fn.config().Timeout+5)*time.Second)
	defer cancel()
	out, handlerErr, err := m.fn.Invoke(ictx, payload)
	if ctx.Err() != nil {
		return 0, false, ctx.Err()
	}
	if err != nil || handlerErr != nil {
		return 0, true, nil
	}
	if !m.ReportFailures {
		return -1, false, nil
	}
	return failedIndex(out, records)
}

// failedIndex reads a ReportBatchItemFailures answer: nothing, null or no
// failures is success; otherwise the lowest failed record's index; a
// failure whose itemIdentifier is empty or names no record of the batch,
// or an answer that is not one, fails the whole batch, which is sent
// again whole (not split: the function did not fail).
func failedIndex(out []byte, records []events.DynamoDBEventRecord) (int, bool, error) {
	trimmed := string(out)
	if trimmed == "" || trimmed == "null" || trimmed == "{}" {
		return -1, false, nil
	}
	var resp events.DynamoDBEventResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return 0, false, nil
	}
	lowest := -1
	for _, f := range resp.BatchItemFailures {
		i := slices.IndexFunc(records, func(r events.DynamoDBEventRecord) bool { return r.Change.SequenceNumber == f.ItemIdentifier })
		if f.ItemIdentifier == "" || i < 0 {
			return 0, false, nil
		}
		if lowest < 0 || i < lowest {
			lowest = i
		}
	}
	return lowest, false, nil
}

// expired counts the records at the head of the batch older than MaxAge.
func (m *Mapping) expired(records []events.DynamoDBEventRecord) int {
	if m.MaxAge < 0 {
		return 0
	}
	n := 0
	for n < len(records) && time.Since(records[n].Change.ApproximateCreationDateTime.Time) > m.MaxAge {
		n++
	}
	return n
}

// giveUp records a batch given up on in the on-failure queue, as Lambda
// does: where it was in the stream, not its data.
func (m *Mapping) giveUp(ctx context.Context, shardID string, records []events.DynamoDBEventRecord, retries int, condition string) error {
	m.mu.Lock()
	m.stats.GivenUp += len(records)
	m.mu.Unlock()
	if m.OnFailure == "" {
		return nil
	}
	first, last := records[0].Change, records[len(records)-1].Change
	msg, err := json.Marshal(map[string]any{
		"version":   "1.0",
		"timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"requestContext": map[string]any{"requestId": randomID(32, "0123456789abcdef"), "functionArn": m.fn.config().ARN,
			"condition": condition, "approximateInvokeCount": retries + 1},
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
		"DDBStreamBatchInfo": map[string]any{"shardId": shardID, "streamArn": m.StreamARN, "batchSize": len(records),
			"startSequenceNumber": first.SequenceNumber, "endSequenceNumber": last.SequenceNumber,
			"approximateArrivalOfFirstRecord": first.ApproximateCreationDateTime.UTC().Format(time.RFC3339),
			"approximateArrivalOfLastRecord":  last.ApproximateCreationDateTime.UTC().Format(time.RFC3339)},
	})
	if err != nil {
		return err
	}
	_, err = m.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(m.OnFailure), MessageBody: aws.String(string(msg))})
	if err != nil {
		return fmt.Errorf("send the failed batch to %s: %w", m.OnFailure, err)
	}
	return nil
}
