package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// importProgress shows how many rows of an import were answered: a bar
// redrawn in place on a terminal (or with --progress), plain lines every
// few seconds and at the end otherwise, nothing with --quiet.
type importProgress struct {
	mu       sync.Mutex
	w        io.Writer
	total    int
	n        int
	bar      bool
	quiet    bool
	start    time.Time
	lastLine time.Time
}

// newImportProgress writes to w (standard error) for total rows.
func newImportProgress(w io.Writer, total int, force, quiet bool) *importProgress {
	p := &importProgress{w: w, total: total, bar: force || isTerminal(w), quiet: quiet || total == 0, start: time.Now()}
	p.lastLine = p.start
	if p.bar && !p.quiet {
		p.draw()
	}
	return p
}

// isTerminal is true when w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// add counts n more rows answered.
func (p *importProgress) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += n
	if p.quiet {
		return
	}
	if p.bar {
		p.draw()
		return
	}
	if now := time.Now(); now.Sub(p.lastLine) >= 2*time.Second {
		p.lastLine = now
		fmt.Fprintf(p.w, "imported %d of %d rows\n", p.n, p.total)
	}
}

// draw redraws the bar on its line.
func (p *importProgress) draw() {
	const width = 30
	filled := width * p.n / max(p.total, 1)
	rate := ""
	if secs := time.Since(p.start).Seconds(); p.n > 0 && secs > 0 {
		rate = fmt.Sprintf("  %.0f rows/s", float64(p.n)/secs)
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d %3d%%%s ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		p.n, p.total, 100*p.n/max(p.total, 1), rate)
}

// done ends the bar's line, or writes the last plain line.
func (p *importProgress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quiet {
		return
	}
	if p.bar {
		fmt.Fprintln(p.w)
		return
	}
	fmt.Fprintf(p.w, "imported %d of %d rows in %s\n", p.n, p.total, time.Since(p.start).Round(time.Millisecond))
}
