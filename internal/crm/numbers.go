package crm

import (
	"context"
	"slices"
	"sync"
	"time"
)

// The counters lead intake takes its numbers of from blocks the instance
// reserves (numberPool) rather than in the transaction that uses them:
// the opportunity numbers, and each round-robin source's turns
// (RoundRobinCounter). Every lead of a burst needs them; an opportunity a
// user opens, a client or supplier code and a quote number are taken at a
// person's pace and stay in their transaction (Batch.Counters, gapless,
// nothing written when refused), from the same counters.
const opportunityCounter = "opportunity"

// RoundRobinCounter is the counter of a round-robin source's turns.
func RoundRobinCounter(sourceID string) string { return "round-robin-" + sourceID }

// InstanceNumberBlock is the NumberBlock of the services that share a
// store with other instances taking numbers at the same time: the Lambda
// functions over one DynamoDB table. Blocks of up to 16 write a counter
// at most once per 16 numbers of an instance in a burst (see numberPool);
// an instance that stops holds at most 15 numbers, a gap.
const InstanceNumberBlock = 16

// blockSpan is how long a block should last at the rate the last one was
// used: the next block is that rate times blockSpan (1 to NumberBlock).
// Numbers taken seldom come one at a time, in order and without gaps; in
// a burst, an instance that stops loses at most some seconds' worth.
const blockSpan = 10 * time.Second

// numberPool hands out the numbers of the pooled counters. Each counter's
// numbers come from blocks reserved with one write of the counter
// (Store.ReserveNumbers), outside the transactions that use them, so that
// the counter is written once per block rather than once per number: a
// block of one while numbers are taken seldom, up to the limit in a burst
// (blockSpan). A number whose use was refused goes back to the pool and is the
// next one given, so refused requests leave no gaps; what an instance
// holds when it stops is lost (a gap), and instances holding blocks at the
// same time give numbers out of creation order across them.
type numberPool struct {
	mu       sync.Mutex
	counters map[string]*numberBlock
}

// numberBlock is what an instance holds of one counter.
type numberBlock struct {
	free []int64   // reserved and not used, ascending
	size int       // the size of the last reservation
	at   time.Time // when it was made
}

// take returns the next number of counter, reserving a block of at most
// limit numbers when none is left. Errors: those of the store.
func (p *numberPool) take(ctx context.Context, st Store, counter string, limit int, now time.Time) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.counters == nil {
		p.counters = map[string]*numberBlock{}
	}
	c := p.counters[counter]
	if c == nil {
		c = &numberBlock{}
		p.counters[counter] = c
	}
	if len(c.free) == 0 {
		size := 1
		if c.size > 0 {
			lasted := max(now.Sub(c.at), time.Millisecond)
			size = max(1, min(int(int64(c.size)*int64(blockSpan)/int64(lasted)), limit))
		}
		first, err := st.ReserveNumbers(ctx, counter, size)
		if err != nil {
			return 0, err
		}
		for i := range int64(size) {
			c.free = append(c.free, first+i)
		}
		c.size, c.at = size, now
	}
	n := c.free[0]
	c.free = c.free[1:]
	return n, nil
}

// giveBack returns numbers whose use was refused: each is given again
// before the rest of its counter's block.
func (p *numberPool) giveBack(taken []pooledNumber) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range taken {
		if c := p.counters[t.counter]; c != nil && !slices.Contains(c.free, t.n) {
			i, _ := slices.BinarySearch(c.free, t.n)
			c.free = slices.Insert(c.free, i, t.n)
		}
	}
}

// pooledNumber is a number a use case took from the pool for a batch.
type pooledNumber struct {
	counter string
	n       int64
}

// takePooled takes the next number of a pooled counter for b; if b is
// not committed, release gives it back. Errors: internal.
func (s *Service) takePooled(ctx context.Context, b *Batch, counter string) (int64, error) {
	n, err := s.numbers.take(ctx, s.store, counter, s.cfg.NumberBlock, s.cfg.Now())
	if err != nil {
		return 0, err
	}
	b.pooled = append(b.pooled, pooledNumber{counter, n})
	return n, nil
}

// release gives back the pooled numbers of a batch that was not committed.
func (s *Service) release(b *Batch) {
	s.numbers.giveBack(b.pooled)
	b.pooled = nil
}
