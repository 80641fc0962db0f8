// Package stream turns every change of the table into its side effects:
// the change-driven notification e-mails, reminder schedules, the contact
// timeline and the per-source monthly counters. The same Handler runs in
// the stream Lambda and behind the local runtime's change feed.
package stream

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// Decoder turns an item image into a domain value, or nil for items the
// stream ignores (dynamo.DecodeImage).
type Decoder func(map[string]types.AttributeValue) (any, error)

// Handler applies the effects of change records.
type Handler struct {
	Svc       *crm.Service
	Decode    Decoder
	Mailer    crm.Mailer
	Scheduler crm.Scheduler
	From      string // sender name and address for e-mails is configured in the Mailer
	AppURL    string // links in e-mails: AppURL + path ("" for no link)
	Log       *slog.Logger
	Now       func() time.Time
}

// Handle applies a batch in order. It stops at the first record that
// fails and reports it (and so, for Lambda, every later one) for retry;
// the effects of records before it are done, and done once: a redelivered
// record sends no e-mail twice and counts nothing twice.
func (h *Handler) Handle(ctx context.Context, e events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	res := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	for _, rec := range e.Records {
		if err := h.Record(ctx, rec); err != nil {
			h.log().ErrorContext(ctx, "stream record failed", "event", rec.EventID, "err", err)
			res.BatchItemFailures = append(res.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			return res, nil
		}
	}
	return res, nil
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

// image decodes a stream image (DynamoDB JSON) into its domain value.
func (h *Handler) image(m map[string]events.DynamoDBAttributeValue) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	av, err := attributevalue.UnmarshalMapJSON(b)
	if err != nil {
		return nil, err
	}
	return h.Decode(av)
}

// Record applies one record's effects.
func (h *Handler) Record(ctx context.Context, rec events.DynamoDBEventRecord) error {
	old, err := h.image(rec.Change.OldImage)
	if err != nil {
		return fmt.Errorf("old image: %w", err)
	}
	new, err := h.image(rec.Change.NewImage)
	if err != nil {
		return fmt.Errorf("new image: %w", err)
	}
	if old == nil && new == nil {
		return nil
	}
	if err := h.schedule(ctx, old, new); err != nil {
		return err
	}
	items, stats, err := h.history(ctx, rec.EventID, old, new)
	if err != nil {
		return err
	}
	if len(items)+len(stats) > 0 {
		if _, err := h.Svc.Store().ApplyOnce(ctx, "rec#"+rec.EventID, items, stats); err != nil {
			return err
		}
	}
	return h.notify(ctx, rec.EventID, old, new)
}
