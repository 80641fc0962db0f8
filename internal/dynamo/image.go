package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// DecodeImage turns an item image into the entity the change core acts on
// (crm.Contact, crm.Opportunity, crm.Note, crm.Quote, crm.File,
// crm.LeadRecord) or nil for items it does not act on (claims, links,
// counters, the stream's own timeline and markers). Errors: internal.
func DecodeImage(m map[string]types.AttributeValue) (crm.Entity, error) {
	if len(m) == 0 {
		return nil, nil
	}
	t, _ := m[attrType].(*types.AttributeValueMemberS)
	if t == nil {
		return nil, nil
	}
	switch t.Value {
	case kindContact:
		return contacts.decode(m)
	case kindOpportunity:
		return opportunities.decode(m)
	case kindNote:
		return notes.decode(m)
	case kindQuote:
		return quotes.decode(m)
	case kindFile:
		return files.decode(m)
	case kindLead:
		it, err := unmarshal[leadItem](m)
		return leadFromItem(it), err
	}
	return nil, nil
}

// StreamTypes are the item types the change stream acts on, for the stream
// function's FilterCriteria (which also drops the INSERTs of copied items:
// ChangeOf).
var StreamTypes = []string{kindContact, kindOpportunity, kindNote, kindQuote, kindLead, kindFile}

// Copied reports whether a stream record's image is of an item `embudo
// copy` wrote (it carries the copied marker).
func Copied(img map[string]events.DynamoDBAttributeValue) bool {
	_, ok := img[attrCopied]
	return ok
}

// streamImage decodes a stream record's image (DynamoDB JSON, as Lambda
// delivers it) into its entity.
func streamImage(m map[string]events.DynamoDBAttributeValue) (crm.Entity, error) {
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
	return DecodeImage(av)
}

// ChangeOf converts one DynamoDB stream record into the typed change of
// the change core; its ID is the record's event ID. The INSERT of an item
// `embudo copy` wrote (it carries the copied marker) is no change: Old and
// New are nil, which the core skips, as the e-mails, reminders, timeline
// and counters of what it records happened where it was copied from. The
// stream function's FilterCriteria drop those records already; this holds
// when one gets through all the same (a filter edited by hand, a replay).
// Errors: an image that does not decode.
func ChangeOf(rec events.DynamoDBEventRecord) (crm.Change, error) {
	if rec.EventName == "INSERT" && Copied(rec.Change.NewImage) {
		return crm.Change{ID: rec.EventID}, nil
	}
	old, err := streamImage(rec.Change.OldImage)
	if err != nil {
		return crm.Change{}, fmt.Errorf("old image: %w", err)
	}
	new, err := streamImage(rec.Change.NewImage)
	if err != nil {
		return crm.Change{}, fmt.Errorf("new image: %w", err)
	}
	return crm.Change{ID: rec.EventID, Old: old, New: new}, nil
}

// StreamHandler is the stream Lambda's handler: it converts each record of
// a batch into a crm.Change and hands it to Apply (the change core), in
// order.
type StreamHandler struct {
	Apply func(context.Context, crm.Change) error
	Log   *slog.Logger
}

// Handle applies a batch in order. The timeline entries and counter
// changes the records make (Store.ApplyOnce) are written together at the
// end, each record's once (effects_batch.go); a record's e-mails go out
// as it is applied, each guarded by its own marker. It stops at the first
// record that fails, and reports that record, or the first whose effects
// could not be written if that is earlier (and so, for Lambda, every later
// one), for retry through ReportBatchItemFailures; the records before it
// are done, and those after it whose e-mails went out send none again.
func (h StreamHandler) Handle(ctx context.Context, e events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	res := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	b := &effectBatch{}
	bctx := withEffects(ctx, b)
	failed := len(e.Records)
	for i, rec := range e.Records {
		b.record = i
		if err := h.Record(bctx, rec); err != nil {
			log.ErrorContext(ctx, "stream record failed", "event", rec.EventID, "err", err)
			failed = i
			break
		}
	}
	if b.store != nil {
		if at, err := b.flush(ctx, failed); err != nil {
			log.ErrorContext(ctx, "stream effects failed", "event", e.Records[at].EventID, "records", failed-at, "err", err)
			failed = min(failed, at)
		}
	}
	if failed < len(e.Records) {
		res.BatchItemFailures = append(res.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: e.Records[failed].Change.SequenceNumber})
	}
	return res, nil
}

// Record converts one record and applies it. Errors: an image that does not
// decode, and those of Apply.
func (h StreamHandler) Record(ctx context.Context, rec events.DynamoDBEventRecord) error {
	c, err := ChangeOf(rec)
	if err != nil {
		return err
	}
	return h.Apply(ctx, c)
}
