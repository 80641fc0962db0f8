package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// Batching and retries of Writer.
const (
	batchSize = 25 // BatchWriteItem's limit
	// writeTries is how many times in a row a batch may come back wholly
	// unprocessed or throttled before the write gives up.
	writeTries   = 10
	firstBackoff = 50 * time.Millisecond
	maxBackoff   = 5 * time.Second
)

// Writer writes items into a table with BatchWriteItem, for `embudo copy`:
// batches of 25, Workers batches in flight at once, at most Rate write
// units a second (as WriteUnits counts them: the table's and its indexes'),
// retrying the unprocessed items of a batch and a throttled batch with
// exponential backoff and jitter. A put replaces an item whole, so writing
// an item again (a resumed copy) leaves one item, never two. It is safe for
// one Write at a time; the rate cap holds across the Writes of one Writer.
type Writer struct {
	DB      BatchWriteAPI
	Table   string
	Workers int     // batches in flight at once; 4 when 0
	Rate    float64 // write units a second at most; 0 for no cap
	// Progress, when set, is told the items and write units of each batch
	// once it is written, one call at a time.
	Progress func(items, units int)
	// Sleep waits d or until ctx ends (backoff and the rate cap); nil
	// waits on a timer. Now is the rate cap's clock; nil is time.Now.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time

	once sync.Once
	lim  *limiter
}

// Write writes items, whose keys must be distinct (as ItemsOf's are), and
// returns the write units of those it wrote. It stops at the first batch
// that fails; the batches written before it stay written. Errors: a batch
// DynamoDB refuses, or that is still unprocessed or throttled after 10
// tries in a row (naming the table); ctx's when it ends first.
func (w *Writer) Write(ctx context.Context, items []map[string]types.AttributeValue) (int, error) {
	w.once.Do(func() {
		now := w.Now
		if now == nil {
			now = time.Now
		}
		w.lim = &limiter{rate: w.Rate, now: now}
	})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []map[string]types.AttributeValue, (len(items)+batchSize-1)/batchSize)
	for start := 0; start < len(items); start += batchSize {
		batches <- items[start:min(start+batchSize, len(items))]
	}
	close(batches)
	var (
		mu    sync.Mutex
		units int
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
			cancel()
		}
	}
	workers := w.Workers
	if workers <= 0 {
		workers = 4
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				if ctx.Err() != nil {
					return
				}
				u := 0
				for _, m := range b {
					u += WriteUnits(m)
				}
				if err := w.sleep(ctx, w.lim.reserve(u)); err != nil {
					fail(err)
					return
				}
				if err := w.send(ctx, b); err != nil {
					fail(err)
					return
				}
				mu.Lock()
				units += u
				if w.Progress != nil {
					w.Progress(len(b), u)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return units, first
}

// send writes one batch until no item of it is left unprocessed.
func (w *Writer) send(ctx context.Context, items []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(items))
	for i, m := range items {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: m}}
	}
	backoff := firstBackoff
	var last error
	for tries := 1; ; tries++ {
		out, err := w.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{w.Table: reqs}})
		switch {
		case err == nil:
			left := out.UnprocessedItems[w.Table]
			if len(left) == 0 {
				return nil
			}
			if len(left) < len(reqs) {
				tries = 0 // some went through: not stuck
			}
			reqs, last = left, fmt.Errorf("%d items unprocessed", len(left))
		case ctx.Err() != nil:
			return ctx.Err()
		case throttled(err):
			last = err
		default:
			return fmt.Errorf("dynamo: batch write to %s: %w", w.Table, err)
		}
		if tries >= writeTries {
			return fmt.Errorf("dynamo: batch write to %s: still refused after %d tries: %w", w.Table, writeTries, last)
		}
		// Full jitter between half the backoff and all of it.
		if err := w.sleep(ctx, backoff/2+rand.N(backoff/2+1)); err != nil {
			return err
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func (w *Writer) sleep(ctx context.Context, d time.Duration) error {
	if w.Sleep != nil {
		return w.Sleep(ctx, d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// throttled reports an error DynamoDB answers when a table, an index or the
// account is over its capacity for now, or fails for a moment: worth
// waiting and trying again (the SDK has tried a few times already).
func throttled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
		"InternalServerError", "ServiceUnavailable":
		return true
	}
	return false
}

// limiter spaces spending so that it averages rate units a second at most:
// each reservation starts when the one before it has been paid for.
type limiter struct {
	mu   sync.Mutex
	rate float64
	next time.Time
	now  func() time.Time
}

// reserve books units and returns how long to wait before spending them.
func (l *limiter) reserve(units int) time.Duration {
	if l.rate <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.next.Before(now) {
		l.next = now
	}
	wait := l.next.Sub(now)
	l.next = l.next.Add(time.Duration(float64(units) / l.rate * float64(time.Second)))
	return wait
}
