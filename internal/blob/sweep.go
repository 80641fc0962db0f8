package blob

import (
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// PendingTTL is how long an upload may wait to be completed: after it,
// its bytes are removed (by Dir.Sweep locally, by the files bucket's
// lifecycle rule on pending/ in S3, whose granularity is a day).
const PendingTTL = 24 * time.Hour

// Sweep removes the uploads (pending/<ID>, and the parts of interrupted
// ones) last written more than PendingTTL ago, and forgets the closed
// upload URLs that have expired anyway. It returns how many files it
// removed. Errors: the directory cannot be read or a file removed.
func (d *Dir) Sweep() (int, error) {
	now := d.now()
	d.mu.Lock()
	for k, until := range d.closed {
		if now.After(until) {
			delete(d.closed, k)
		}
	}
	d.mu.Unlock()
	dir := filepath.Join(d.Root, "pending")
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || e.IsDir() || !now.After(info.ModTime().Add(PendingTTL)) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !os.IsNotExist(err) {
			return n, err
		}
		n++
	}
	return n, nil
}

// StartSweep sweeps every interval (embudo serve: every minute) until the
// returned function is called.
func (d *Dir) StartSweep(every time.Duration, log *slog.Logger) (stop func()) {
	done, quit := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				if n, err := d.Sweep(); err != nil {
					log.Error("sweeping abandoned uploads", "err", err)
				} else if n > 0 {
					log.Info("removed uploads never completed", "count", n)
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}
