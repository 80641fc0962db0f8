package local

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Feed hands the change records to the stream handler, as DynamoDB Streams
// and Lambda would: in order, one at a time, each retried until it
// succeeds. It remembers in the data directory how far it got, so records
// written but not yet handled when the process stopped are handled at the
// next start (effects are idempotent, so one handled twice is harmless).
type Feed struct {
	handle func(context.Context, events.DynamoDBEventRecord) error
	log    *slog.Logger
	path   string // checkpoint file
	types  map[string]bool

	mu      sync.Mutex
	queue   []Record
	wake    chan struct{}
	done    chan struct{}
	cancel  context.CancelFunc
	handled uint64
	idle    *sync.Cond
}

const checkpointName = "stream.checkpoint"

func readCheckpoint(dir string) uint64 {
	b, err := os.ReadFile(filepath.Join(dir, checkpointName))
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// StartFeed starts feeding s's changes of the given item types to handle,
// beginning with those the last run did not finish.
func (s *Store) StartFeed(types []string, handle func(context.Context, events.DynamoDBEventRecord) error, log *slog.Logger) *Feed {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &Feed{handle: handle, log: log, path: filepath.Join(s.dir, checkpointName), types: map[string]bool{},
		wake: make(chan struct{}, 1), done: make(chan struct{}), cancel: cancel, handled: readCheckpoint(s.dir)}
	f.idle = sync.NewCond(&f.mu)
	for _, t := range types {
		f.types[t] = true
	}
	f.push(s.unhandled)
	s.DB.OnChange = f.push
	go f.run(ctx)
	return f
}

// push queues records (in order) for the handler.
func (f *Feed) push(recs []Record) {
	f.mu.Lock()
	for _, r := range recs {
		if r.Seq() > f.handled && f.wanted(r) {
			f.queue = append(f.queue, r)
		}
	}
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// wanted reports whether the record's item is of a type the stream acts on
// (the local equivalent of the stream function's FilterCriteria).
func (f *Feed) wanted(r Record) bool {
	for _, img := range []json.RawMessage{r.Change.NewImage, r.Change.OldImage} {
		var m struct {
			Type struct {
				S string `json:"S"`
			} `json:"type"`
		}
		if len(img) > 0 && json.Unmarshal(img, &m) == nil && f.types[m.Type.S] {
			return true
		}
	}
	return false
}

func (f *Feed) run(ctx context.Context) {
	defer close(f.done)
	for {
		f.mu.Lock()
		for len(f.queue) == 0 {
			f.idle.Broadcast()
			f.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-f.wake:
			}
			f.mu.Lock()
		}
		r := f.queue[0]
		f.mu.Unlock()
		f.deliver(ctx, r)
		if ctx.Err() != nil {
			return
		}
		f.mu.Lock()
		f.queue = f.queue[1:]
		f.handled = r.Seq()
		f.mu.Unlock()
		_ = os.WriteFile(f.path, []byte(strconv.FormatUint(r.Seq(), 10)), 0o600)
	}
}

// deliver hands one record to the handler until it succeeds (or the feed
// stops), backing off between tries.
func (f *Feed) deliver(ctx context.Context, r Record) {
	b, _ := json.Marshal(r)
	var ev events.DynamoDBEventRecord
	if err := json.Unmarshal(b, &ev); err != nil {
		f.log.Error("change record does not decode; skipped", "seq", r.Seq(), "err", err)
		return
	}
	backoff := 50 * time.Millisecond
	for {
		err := f.handle(ctx, ev)
		if err == nil {
			return
		}
		f.log.Warn("stream handler failed; retrying", "seq", r.Seq(), "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

// Wait blocks until every record queued so far is handled (for tests and
// a graceful stop).
func (f *Feed) Wait() {
	f.mu.Lock()
	for len(f.queue) > 0 {
		f.idle.Wait()
	}
	f.mu.Unlock()
}

// Close stops the feed; records not handled yet are handled at the next
// start.
func (f *Feed) Close() {
	f.cancel()
	<-f.done
}
