package rietest

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"
)

var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// ColdStarts starts the bootstrap under aws-lambda-rie afresh b.N times
// with env, invokes it once each time with payload, and reports two
// metrics: init-ms, the init duration the emulator measures (process
// start to the runtime asking for its first event), and first-invoke-ms,
// the first invocation's latency. It resets the benchmark's timer first.
func ColdStarts(b *testing.B, bootstrap string, env []string, payload []byte) {
	b.Helper()
	var initMS, firstMS float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		emu := Start(b, bootstrap, env)
		t0 := time.Now()
		if _, err := emu.Invoke(context.Background(), payload); err != nil {
			b.Fatal(err)
		}
		firstMS += float64(time.Since(t0).Microseconds()) / 1000
		// The emulator writes its report on another pipe than the
		// response's: it may reach the log a moment after the response.
		m := initReport.FindStringSubmatch(emu.Logs())
		for wait := time.Now().Add(time.Second); m == nil && time.Now().Before(wait); {
			time.Sleep(5 * time.Millisecond)
			m = initReport.FindStringSubmatch(emu.Logs())
		}
		if m == nil {
			b.Fatalf("no INIT REPORT in the emulator's log:\n%s", emu.Logs())
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		initMS += v
	}
	b.ReportMetric(initMS/float64(b.N), "init-ms")
	b.ReportMetric(firstMS/float64(b.N), "first-invoke-ms")
}
