package transfer_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/transfer"
)

// interrupting is a DynamoDB client that ends the copy's context after n
// batch writes, as a Ctrl-C or a dropped connection ends a copy half way.
type interrupting struct {
	transfer.DynamoDB
	n      int
	cancel context.CancelFunc
	mu     sync.Mutex
	calls  int
}

func (c *interrupting) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	out, err := c.DynamoDB.BatchWriteItem(ctx, in, o...)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls++; c.calls == c.n {
		c.cancel()
	}
	return out, err
}

// items reads a table's items by key, without the copied marker.
func items(t *testing.T, tbl *dynamotest.Table) map[string]map[string]types.AttributeValue {
	t.Helper()
	all, err := dynamo.ScanTable(bg, tbl.Client, tbl.Name, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]types.AttributeValue{}
	for _, m := range all {
		delete(m, "copied")
		out[m["PK"].(*types.AttributeValueMemberS).Value+" "+m["SK"].(*types.AttributeValueMemberS).Value] = m
	}
	return out
}

// A copy ended half way resumes with Resume to the same table as a copy
// that ran through, item for item, writing only what was missing; resumed
// once more, it finds nothing to do.
func TestAnInterruptedCopyResumes(t *testing.T) {
	l := newLocal(t)
	from := endpoint(t, l.dir)
	whole := dynamotest.New(t)
	if _, err := transfer.Copy(bg, transfer.Options{From: from, To: transfer.Endpoint{Table: whole.Name}, DynamoDB: whole.Client, Log: quiet}); err != nil {
		t.Fatal(err)
	}
	want := items(t, whole)

	tbl := dynamotest.New(t)
	to := transfer.Endpoint{Table: tbl.Name}
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	_, err := transfer.Copy(ctx, transfer.Options{From: from, To: to, DynamoDB: &interrupting{DynamoDB: tbl.Client, n: 3, cancel: cancel}, Workers: 2, Log: quiet})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted copy: %v", err)
	}
	half := len(items(t, tbl))
	t.Logf("%d of %d items written before the interruption", half, len(want))
	if half == 0 || half >= len(want) {
		t.Fatalf("%d of %d items written before the interruption", half, len(want))
	}
	if _, err := transfer.Copy(bg, transfer.Options{From: from, To: to, DynamoDB: tbl.Client, Log: quiet}); crm.ErrorCode(err) != crm.CodeConflict {
		t.Fatalf("a copy into the half-written table without --resume: %v", err)
	}
	rep, err := transfer.Copy(bg, transfer.Options{From: from, To: to, DynamoDB: tbl.Client, Resume: true, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != half || rep.Written != len(want)-half {
		t.Errorf("resumed: %d written, %d skipped; want %d and %d", rep.Written, rep.Skipped, len(want)-half, half)
	}
	if got := items(t, tbl); !reflect.DeepEqual(got, want) {
		for k := range want {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Errorf("%s: %v, want %v", k, got[k], want[k])
			}
		}
		t.Fatalf("the resumed copy holds %d items, the whole one %d", len(got), len(want))
	}
	rep, err = transfer.Copy(bg, transfer.Options{From: from, To: to, DynamoDB: tbl.Client, Resume: true, Log: quiet})
	if err != nil || rep.Written != 0 || rep.Skipped != len(want) {
		t.Fatalf("resumed again: %d written, %d skipped, %v", rep.Written, rep.Skipped, err)
	}
}
