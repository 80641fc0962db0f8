package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
)

// DynamoDB is what a copy needs of a DynamoDB client: Scan to read a table
// whole, BatchWriteItem to write one. *dynamodb.Client implements it.
type DynamoDB interface {
	dynamo.ScanAPI
	dynamo.BatchWriteAPI
}

// Options describe a copy.
type Options struct {
	From, To Endpoint
	// DynamoDB is the client of the DynamoDB sides (of both, when both
	// are tables).
	DynamoDB DynamoDB
	// Bucket, when set, is the S3 bucket of the DynamoDB side's files: the
	// contents of the SQLite side's files directory are copied into it, or
	// from it. (Between two SQLite sides the files directory is copied
	// without it; two tables share no local side.)
	Bucket *blob.S3
	// Resume continues an earlier copy into the same target instead of
	// requiring an empty one: what is there already as it should be is
	// left alone, the rest written.
	Resume bool
	// Rate caps the writes into a DynamoDB target, in write units a second
	// (the table's and its indexes'); 0 for no cap.
	Rate float64
	// Workers is how many batches are written at once (4 when 0);
	// Segments how many segments a DynamoDB source is scanned in (4 when 0).
	Workers, Segments int
	// Reminders, when set, arms the reminders of pending notes on a
	// DynamoDB target (eventbridge.Scheduler with the stack's group, role and
	// reminder function); without it the stack's hourly sweep sends each
	// within the hour after its time.
	Reminders crm.Scheduler
	// Progress receives a line per step, redrawn in place; nil for none.
	Progress io.Writer
	// Log receives the SQLite stores' lines; slog.Default() when nil.
	Log *slog.Logger
	// Now is the clock (the copied marker's value); time.Now when nil.
	Now func() time.Time
}

// Report is what a copy did.
type Report struct {
	From, To Endpoint
	// Source and Target are the verification pass: every kind of value
	// counted and summed on both sides (Summary).
	Source, Target []Kind
	// Written is how many items were written into a DynamoDB target (rows
	// count as one load into SQLite), Skipped how many were there already
	// (a resumed copy), Units the write units they cost (WriteUnits).
	Written, Skipped, Units int
	// Loaded is set when an SQLite target was loaded (not when a resumed
	// copy found it complete).
	Loaded bool
	// Files counts the files whose contents were copied, FilesSkipped
	// those the target had already, FilesMissing the file records whose
	// contents the source lacks (uploads never completed); FileBytes the
	// bytes copied.
	Files, FilesSkipped, FilesMissing int
	FileBytes                         int64
	// Pending is how many notes have a reminder still to send, Armed how
	// many schedules the copy made for them.
	Pending, Armed int
	Elapsed        time.Duration
}

// ErrMismatch is wrapped by Copy's error when the target, read back, does
// not hold what the source does.
var ErrMismatch = errors.New("the target does not hold what the source does")

// Copy copies the whole CRM at o.From into o.To (see the package comment)
// and returns what it did. It reads the source once, writes the target,
// copies the files, arms the pending reminders, then reads the target back
// and compares it with the source. Errors: the two sides are one store; the
// source cannot be read (a missing SQLite file); conflict when the target
// is not empty (without Resume) or holds something other than an earlier
// copy of this source (with it); those of the stores, the bucket and the
// scheduler; ErrMismatch naming the kinds that differ (with the Report);
// ctx's when it ends first (resume with Resume).
func Copy(ctx context.Context, o Options) (Report, error) {
	start := time.Now()
	rep := Report{From: o.From, To: o.To}
	if same(o.From, o.To) {
		return rep, fmt.Errorf("the source and the target are one store (%s)", o.From)
	}
	if (o.From.DynamoDB() || o.To.DynamoDB()) && o.DynamoDB == nil {
		return rep, errors.New("transfer: no DynamoDB client")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	prog := &progress{w: o.Progress}
	snap, err := readSource(ctx, o, prog)
	if err != nil {
		return rep, err
	}
	rep.Source = Summary(snap)
	tgt, err := openTarget(ctx, o)
	if err != nil {
		return rep, err
	}
	defer tgt.close()
	if err := tgt.write(ctx, o, snap, prog, &rep); err != nil {
		return rep, err
	}
	if err := copyFiles(ctx, o, snap.Files, prog, &rep); err != nil {
		return rep, err
	}
	for _, n := range snap.Notes {
		if n.Pending() {
			rep.Pending++
		}
	}
	if o.To.DynamoDB() && o.Reminders != nil {
		if err := armReminders(ctx, o.Reminders, snap.Notes, prog, &rep); err != nil {
			return rep, err
		}
	}
	back, err := tgt.snapshot(ctx, o, prog)
	if err != nil {
		return rep, fmt.Errorf("verifying %s: %w", o.To, err)
	}
	rep.Target = Summary(back)
	rep.Elapsed = time.Since(start)
	if bad := Mismatch(rep.Source, rep.Target); bad != "" {
		return rep, fmt.Errorf("%w: %s", ErrMismatch, bad)
	}
	return rep, nil
}

// armReminders arms the reminder of every pending note.
func armReminders(ctx context.Context, s crm.Scheduler, ns []crm.Note, prog *progress, rep *Report) error {
	prog.begin("reminders", rep.Pending, "schedules")
	defer prog.end()
	for _, n := range ns {
		if !n.Pending() {
			continue
		}
		if err := s.Arm(ctx, n.ID, *n.AvisoAt); err != nil {
			return fmt.Errorf("arming the reminder of note %s: %w", n.ID, err)
		}
		rep.Armed++
		prog.add(1)
	}
	return nil
}
