package dynamotest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Feed hands a Capture's records of the stream's item types (InStream) to
// a handler on its own goroutine, in order and one at a time, as DynamoDB
// Streams and Lambda do: the records of the handler's own writes come back
// to it after the one it is handling. A record the handler fails is tried
// again (feedTries in all), then reported as an error of the test and
// dropped, so that Wait never waits for ever.
type Feed struct {
	tb     testing.TB
	handle func(context.Context, events.DynamoDBEventRecord) error

	mu      sync.Mutex
	queue   []events.DynamoDBEventRecord
	busy    bool // a record is with the handler
	stopped bool
	idle    *sync.Cond
	wake    chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}
}

// feedTries is how many times a Feed hands a record to a handler that
// fails it.
const feedTries = 5

// StartFeed sets c.OnChange to queue the records of the stream's item
// types for handle, and starts handing them over; the feed stops at the
// end of the test. Records written before it started are not handed over.
func (c *Capture) StartFeed(tb testing.TB, handle func(context.Context, events.DynamoDBEventRecord) error) *Feed {
	ctx, cancel := context.WithCancel(context.Background())
	f := &Feed{tb: tb, handle: handle, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	f.idle = sync.NewCond(&f.mu)
	c.mu.Lock()
	c.OnChange = f.push
	c.mu.Unlock()
	go f.run(ctx)
	tb.Cleanup(f.stop)
	return f
}

// push queues the records of the stream's item types.
func (f *Feed) push(recs []Record) {
	f.mu.Lock()
	for _, r := range recs {
		ev, err := r.Event()
		if err != nil {
			f.tb.Errorf("a change record is not a Lambda stream record: %v", err)
			continue
		}
		if InStream(ev) {
			f.queue = append(f.queue, ev)
		}
	}
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *Feed) run(ctx context.Context) {
	defer close(f.done)
	defer func() {
		f.mu.Lock()
		f.stopped = true
		f.idle.Broadcast()
		f.mu.Unlock()
	}()
	for {
		f.mu.Lock()
		for len(f.queue) == 0 {
			f.busy = false
			f.idle.Broadcast()
			f.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-f.wake:
			}
			f.mu.Lock()
		}
		rec := f.queue[0]
		f.queue = f.queue[1:]
		f.busy = true
		f.mu.Unlock()
		f.deliver(ctx, rec)
		if ctx.Err() != nil {
			return
		}
	}
}

// deliver hands one record to the handler until it takes it, feedTries
// times at most, backing off between tries.
func (f *Feed) deliver(ctx context.Context, rec events.DynamoDBEventRecord) {
	backoff := 10 * time.Millisecond
	var err error
	for range feedTries {
		if err = f.handle(ctx, rec); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff *= 2
	}
	f.tb.Errorf("stream record %s (%s) failed %d times; dropped: %v", rec.EventID, rec.EventName, feedTries, err)
}

// Wait blocks until every record queued so far, and those of the writes
// their handling made, is handled (or the feed stopped).
func (f *Feed) Wait() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for (len(f.queue) > 0 || f.busy) && !f.stopped {
		f.idle.Wait()
	}
}

// stop stops the feed; records not handled yet are dropped.
func (f *Feed) stop() {
	f.cancel()
	<-f.done
}
