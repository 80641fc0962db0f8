package dynamotest

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/dynamo"
)

// Record is one change record in the wire format of DynamoDB Streams as
// Lambda delivers it (it unmarshals into aws-lambda-go's
// events.DynamoDBEventRecord), with images in DynamoDB JSON.
type Record struct {
	EventID      string       `json:"eventID"`
	EventName    string       `json:"eventName"` // INSERT, MODIFY or REMOVE
	EventSource  string       `json:"eventSource"`
	EventVersion string       `json:"eventVersion"`
	AWSRegion    string       `json:"awsRegion"`
	Change       StreamChange `json:"dynamodb"`
}

// StreamChange is the "dynamodb" part of a Record.
type StreamChange struct {
	ApproximateCreationDateTime int64           `json:"ApproximateCreationDateTime"`
	Keys                        json.RawMessage `json:"Keys"`
	NewImage                    json.RawMessage `json:"NewImage,omitempty"`
	OldImage                    json.RawMessage `json:"OldImage,omitempty"`
	SequenceNumber              string          `json:"SequenceNumber"`
	SizeBytes                   int64           `json:"SizeBytes"`
	StreamViewType              string          `json:"StreamViewType"`
}

// Seq is the record's sequence number.
func (r Record) Seq() uint64 {
	n, _ := strconv.ParseUint(r.Change.SequenceNumber, 10, 64)
	return n
}

// Event is the record as the stream Lambda receives it: its JSON read into
// aws-lambda-go's type. Errors: a record that does not read as one (a bug
// of the capture layer).
func (r Record) Event() (events.DynamoDBEventRecord, error) {
	var ev events.DynamoDBEventRecord
	b, err := json.Marshal(r)
	if err == nil {
		err = json.Unmarshal(b, &ev)
	}
	return ev, err
}

// Events converts records with Event, failing the test if one does not
// convert.
func Events(tb testing.TB, recs []Record) []events.DynamoDBEventRecord {
	tb.Helper()
	out := make([]events.DynamoDBEventRecord, 0, len(recs))
	for _, r := range recs {
		ev, err := r.Event()
		if err != nil {
			tb.Fatalf("a change record is not a Lambda stream record: %v", err)
		}
		out = append(out, ev)
	}
	return out
}

// InStream reports whether a record's item is of a type the stream
// function receives (dynamo.StreamTypes, its FilterCriteria), and the
// record not the INSERT of an item `embudo copy` wrote (dynamo.Copied),
// which the filter drops too.
func InStream(rec events.DynamoDBEventRecord) bool {
	if rec.EventName == "INSERT" && dynamo.Copied(rec.Change.NewImage) {
		return false
	}
	for _, img := range []map[string]events.DynamoDBAttributeValue{rec.Change.NewImage, rec.Change.OldImage} {
		if v, ok := img["type"]; ok && v.DataType() == events.DataTypeString && slices.Contains(dynamo.StreamTypes, v.String()) {
			return true
		}
	}
	return false
}

// newRecord builds the record of one item's change; ok is false when the
// item did not change (DynamoDB Streams writes no record then).
func newRecord(seq uint64, now time.Time, keys, old, new map[string]types.AttributeValue) (Record, bool, error) {
	if (old == nil && new == nil) || reflect.DeepEqual(old, new) {
		return Record{}, false, nil
	}
	r := Record{
		EventID:      strconv.FormatUint(seq, 10),
		EventSource:  "aws:dynamodb",
		EventVersion: "1.1",
		AWSRegion:    "local",
		Change: StreamChange{
			ApproximateCreationDateTime: now.Unix(),
			SequenceNumber:              strconv.FormatUint(seq, 10),
			StreamViewType:              "NEW_AND_OLD_IMAGES",
		},
	}
	switch {
	case old == nil:
		r.EventName = "INSERT"
	case new == nil:
		r.EventName = "REMOVE"
	default:
		r.EventName = "MODIFY"
	}
	var err error
	if r.Change.Keys, err = attributevalue.MarshalMapJSON(keys); err != nil {
		return r, false, err
	}
	if old != nil {
		if r.Change.OldImage, err = attributevalue.MarshalMapJSON(old); err != nil {
			return r, false, err
		}
	}
	if new != nil {
		if r.Change.NewImage, err = attributevalue.MarshalMapJSON(new); err != nil {
			return r, false, err
		}
	}
	r.Change.SizeBytes = int64(len(r.Change.Keys) + len(r.Change.OldImage) + len(r.Change.NewImage))
	return r, true, nil
}
