package dynamo

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// ScanAPI is the Scan of a DynamoDB client; *dynamodb.Client implements
// it. Only `embudo copy` (an operator's command, with the operator's
// credentials) reads a table whole: no request path scans, and no function
// of the stack may (template.yaml).
type ScanAPI interface {
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// BatchWriteAPI is the BatchWriteItem of a DynamoDB client, with which
// `embudo copy` writes a table; *dynamodb.Client implements it.
type BatchWriteAPI interface {
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// ScanTable reads every item of a table with a parallel Scan of segments
// segments (1 when less), each read consistently, page after page; progress,
// when set, is told how many new items each page brought (one call at a
// time). Items are returned once each by key: a
// server that ignores Segment (minidyn, some emulators) gives every segment
// the whole table. The Scan sees each item as it is when its page is read,
// so the result is one consistent state only if nothing writes the table
// meanwhile: stop the writes first (or read a point-in-time restore).
// Errors: those of Scan, naming the table; ctx's.
func ScanTable(ctx context.Context, db ScanAPI, table string, segments int, progress func(items int)) ([]map[string]types.AttributeValue, error) {
	segments = max(segments, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		seen  = map[string]bool{}
		items []map[string]types.AttributeValue
		first error
		wg    sync.WaitGroup
	)
	for seg := range segments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)}
			if segments > 1 {
				in.Segment, in.TotalSegments = aws.Int32(int32(seg)), aws.Int32(int32(segments))
			}
			for {
				out, err := db.Scan(ctx, in)
				mu.Lock()
				if err != nil {
					if first == nil {
						first = fmt.Errorf("dynamo: scan %s: %w", table, err)
						cancel()
					}
					mu.Unlock()
					return
				}
				n := 0
				for _, m := range out.Items {
					if k := itemKey(m); !seen[k] {
						seen[k] = true
						items = append(items, m)
						n++
					}
				}
				if progress != nil && n > 0 {
					progress(n)
				}
				mu.Unlock()
				if len(out.LastEvaluatedKey) == 0 {
					return
				}
				in.ExclusiveStartKey = out.LastEvaluatedKey
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return items, nil
}

// Export reads a whole table (ScanTable) into a snapshot (SnapshotOf), for
// `embudo copy`. The table is read as it is while the Scan runs: for a
// consistent copy, stop the writes to it first (take the API down, or copy
// from a point-in-time restore of the table). Errors: those of ScanTable
// and SnapshotOf.
func Export(ctx context.Context, db ScanAPI, table string, segments int, progress func(items int)) (crm.Snapshot, error) {
	items, err := ScanTable(ctx, db, table, segments, progress)
	if err != nil {
		return crm.Snapshot{}, err
	}
	snap, err := SnapshotOf(items)
	if err != nil {
		return crm.Snapshot{}, fmt.Errorf("%s: %w", table, err)
	}
	return snap, nil
}

// FirstItem returns the key of an item of the table ("PK SK"), and false if
// the table is empty: one Scan of one item. Errors: those of Scan, naming
// the table.
func FirstItem(ctx context.Context, db ScanAPI, table string) (string, bool, error) {
	out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), Limit: aws.Int32(1), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", false, fmt.Errorf("dynamo: scan %s: %w", table, err)
	}
	if len(out.Items) == 0 {
		return "", false, nil
	}
	pk, sk := keyOf(out.Items[0])
	return pk + " " + sk, true, nil
}

// keyOf returns an item's PK and SK.
func keyOf(m map[string]types.AttributeValue) (string, string) {
	var pk, sk string
	if v, ok := m[attrPK].(*types.AttributeValueMemberS); ok {
		pk = v.Value
	}
	if v, ok := m[attrSK].(*types.AttributeValueMemberS); ok {
		sk = v.Value
	}
	return pk, sk
}
