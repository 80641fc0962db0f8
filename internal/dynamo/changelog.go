package dynamo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// logRecord is the part of a change log line ReadChangeLog reads: a
// DynamoDB stream record as Lambda delivers it, images in DynamoDB JSON.
type logRecord struct {
	EventName string `json:"eventName"`
	Change    struct {
		Keys           json.RawMessage `json:"Keys"`
		NewImage       json.RawMessage `json:"NewImage"`
		SequenceNumber string          `json:"SequenceNumber"`
	} `json:"dynamodb"`
}

// ReadChangeLog reads the change log of a data directory of an earlier
// `embudo serve` (<data>/changes.log: one DynamoDB stream record a line,
// written by its embedded store for every change of an item), keeps the
// last image of each item (a REMOVE drops it) and returns the snapshot of
// the items left (SnapshotOf), in the order of their last change. An
// incomplete last line (no newline at the end), left by a crash in the
// middle of a write, is ignored; a damaged line before it is refused
// rather than cut off with everything after it. Errors: the file cannot be
// read; a line that is not a change record, naming the file and its line
// number; those of SnapshotOf.
func ReadChangeLog(path string) (crm.Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return crm.Snapshot{}, err
	}
	defer f.Close()
	var items []map[string]types.AttributeValue // nil: removed
	last := map[string]int{}                    // item key -> index in items
	r := bufio.NewReaderSize(f, 1<<20)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			break // a line without '\n' is torn: ignore it
		}
		if err != nil {
			return crm.Snapshot{}, fmt.Errorf("%s: %w", path, err)
		}
		k, item, err := readLogLine(line)
		if err != nil {
			return crm.Snapshot{}, fmt.Errorf("%s:%d: damaged change record: %w", path, n, err)
		}
		if i, ok := last[k]; ok {
			items[i] = nil
		}
		last[k] = len(items)
		items = append(items, item)
	}
	live := slices.DeleteFunc(items, func(m map[string]types.AttributeValue) bool { return m == nil })
	snap, err := SnapshotOf(live)
	if err != nil {
		return crm.Snapshot{}, fmt.Errorf("%s: %w", path, err)
	}
	return snap, nil
}

// readLogLine reads one change record: the key of its item and the item
// after the change (nil for a REMOVE).
func readLogLine(line []byte) (string, map[string]types.AttributeValue, error) {
	var rec logRecord
	if err := json.Unmarshal(bytes.TrimSpace(line), &rec); err != nil {
		return "", nil, err
	}
	if rec.Change.SequenceNumber == "" {
		return "", nil, errors.New("no sequence number")
	}
	keys, err := attributevalue.UnmarshalMapJSON(rec.Change.Keys)
	if err != nil {
		return "", nil, fmt.Errorf("keys: %w", err)
	}
	pk, _ := keys[attrPK].(*types.AttributeValueMemberS)
	sk, _ := keys[attrSK].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return "", nil, errors.New("keys lack PK or SK")
	}
	k := pk.Value + "\x00" + sk.Value
	switch rec.EventName {
	case "REMOVE":
		return k, nil, nil
	case "INSERT", "MODIFY":
		item, err := attributevalue.UnmarshalMapJSON(rec.Change.NewImage)
		if err != nil {
			return "", nil, fmt.Errorf("new image: %w", err)
		}
		if len(item) == 0 {
			return "", nil, fmt.Errorf("%s without a new image", rec.EventName)
		}
		return k, item, nil
	}
	return "", nil, fmt.Errorf("unknown event %q", rec.EventName)
}
