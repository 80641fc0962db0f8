package transfer

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress shows a copy advancing: one line per step (reading the source,
// each kind of value written), redrawn in place as it advances, for a
// terminal. With no writer it shows nothing.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	label string
	done  int
	total int // 0: unknown
	unit  string
	start time.Time
	open  bool // a line is drawn and not ended
}

// begin starts the line of a step of total units ("items", "files"; total
// 0 when unknown).
func (p *progress) begin(label string, total int, unit string) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLocked()
	p.label, p.done, p.total, p.unit, p.start, p.open = label, 0, total, unit, time.Now(), true
	p.draw()
}

// add counts n more units done; safe from several goroutines.
func (p *progress) add(n int) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.draw()
}

// end ends the step's line.
func (p *progress) end() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLocked()
}

func (p *progress) endLocked() {
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}

func (p *progress) draw() {
	const width = 24
	rate := ""
	if secs := time.Since(p.start).Seconds(); p.done > 0 && secs > 0.1 {
		rate = fmt.Sprintf("  %.0f %s/s", float64(p.done)/secs, p.unit)
	}
	switch {
	case p.unit == "":
		fmt.Fprintf(p.w, "\r%-14s ...", p.label)
		return
	case p.total <= 0:
		fmt.Fprintf(p.w, "\r%-14s %d %s%s ", p.label, p.done, p.unit, rate)
		return
	}
	filled := width * min(p.done, p.total) / p.total
	fmt.Fprintf(p.w, "\r%-14s [%s%s] %d/%d %s%s ", p.label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		p.done, p.total, p.unit, rate)
}
