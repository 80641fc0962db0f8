package transfer

import (
	"context"
	"fmt"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/sqlite"
)

// target is the side a copy writes.
type target interface {
	// write writes snap, which must be all the target gets, into it.
	write(ctx context.Context, o Options, snap crm.Snapshot, prog *progress, rep *Report) error
	// snapshot reads the target back, for the verification.
	snapshot(ctx context.Context, o Options, prog *progress) (crm.Snapshot, error)
	close()
}

func openTarget(ctx context.Context, o Options) (target, error) {
	if o.To.DynamoDB() {
		return dynamoTarget{}, nil
	}
	st, err := sqlite.Open(ctx, o.To.DB, sqlite.Options{Logger: o.Log})
	if err != nil {
		return nil, fmt.Errorf("the target %s: %w", o.To.DB, err)
	}
	return sqliteTarget{st}, nil
}

// sqliteTarget loads a database in one transaction: a copy into it is done
// whole or not at all.
type sqliteTarget struct{ st *sqlite.Store }

// write loads snap into the empty database. Resumed, it leaves a database
// that holds the source already as it is (an earlier copy that committed).
func (t sqliteTarget) write(ctx context.Context, o Options, snap crm.Snapshot, prog *progress, rep *Report) error {
	if o.Resume {
		have, err := t.st.Snapshot(ctx)
		if err != nil {
			return err
		}
		switch sum := Summary(have); {
		case Mismatch(rep.Source, sum) == "":
			return nil
		case !empty(sum):
			return crm.Conflict(fmt.Sprintf("the target %s holds other data than the source (%s): it is not an earlier copy of it", o.To.DB, Mismatch(rep.Source, sum)))
		}
	}
	prog.begin("loading", 0, "")
	defer prog.end()
	if err := t.st.Load(ctx, snap); err != nil {
		if crm.ErrorCode(err) == crm.CodeConflict {
			return fmt.Errorf("the target %s: %w; copy into a new directory, or add --resume to finish an earlier copy into it", o.To.DB, err)
		}
		return err
	}
	rep.Loaded = true
	return nil
}

func (t sqliteTarget) snapshot(ctx context.Context, _ Options, _ *progress) (crm.Snapshot, error) {
	return t.st.Snapshot(ctx)
}

func (t sqliteTarget) close() { t.st.Close() }

// dynamoTarget writes a table with BatchWriteItem, kind after kind.
type dynamoTarget struct{}

// write writes the items of snap into the empty table; resumed, the items
// the table lacks or holds otherwise.
func (dynamoTarget) write(ctx context.Context, o Options, snap crm.Snapshot, prog *progress, rep *Report) error {
	groups, err := dynamo.ItemsOf(snap, o.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return err
	}
	table := o.To.Table
	if o.Resume {
		prog.begin("checking", 0, "items")
		have, err := dynamo.ScanTable(ctx, o.DynamoDB, table, segments(o), prog.add)
		prog.end()
		if err != nil {
			return err
		}
		if groups, rep.Skipped, err = dynamo.Remaining(groups, have); err != nil {
			return fmt.Errorf("the target %s: %w", o.To, err)
		}
	} else {
		first, found, err := dynamo.FirstItem(ctx, o.DynamoDB, table)
		if err != nil {
			return err
		}
		if found {
			return crm.Conflict(fmt.Sprintf("the target %s is not empty (it holds %s): copy into the table of a stack nothing has used yet, or add --resume to finish an earlier copy into it", o.To, first))
		}
	}
	w := &dynamo.Writer{DB: o.DynamoDB, Table: table, Workers: o.Workers, Rate: o.Rate}
	for _, g := range groups {
		if len(g.Items) == 0 {
			continue
		}
		prog.begin(g.Kind, len(g.Items), "items")
		w.Progress = func(items, _ int) {
			rep.Written += items
			prog.add(items)
		}
		units, err := w.Write(ctx, g.Items)
		rep.Units += units
		prog.end()
		if err != nil {
			return fmt.Errorf("writing the %s into %s: %w", g.Kind, o.To, err)
		}
	}
	return nil
}

func (dynamoTarget) snapshot(ctx context.Context, o Options, prog *progress) (crm.Snapshot, error) {
	prog.begin("verifying", 0, "items")
	defer prog.end()
	return dynamo.Export(ctx, o.DynamoDB, o.To.Table, segments(o), prog.add)
}

func (dynamoTarget) close() {}
