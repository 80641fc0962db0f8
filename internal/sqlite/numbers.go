package sqlite

import (
	"context"
	"fmt"

	"github.com/embudo/embudo/internal/crm"
)

// ReserveNumbers implements crm.PipelineStore: the counter row advanced by
// n in one write transaction. The one writer connection has no hot rows,
// and the service reserves blocks of one here unless configured otherwise,
// so numbers stay in order and without gaps. Errors: unavailable, internal.
func (s *Store) ReserveNumbers(ctx context.Context, counter string, n int) (int64, error) {
	if n < 1 {
		return 0, crm.Internal(fmt.Errorf("reserve %d numbers of %s", n, counter))
	}
	var last int64
	err := s.write(ctx, func(t *wtx) error {
		return t.row(`INSERT INTO counters (name, n) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET n = n + excluded.n RETURNING n`, counter, n).Scan(&last)
	})
	if err != nil {
		return 0, err
	}
	return last - int64(n) + 1, nil
}
