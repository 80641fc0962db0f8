package main

import (
	"context"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/truora/minidyn/server"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/emulate"
	"github.com/embudo/embudo/internal/rietest"
)

var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// BenchmarkColdInit starts the API bootstrap under aws-lambda-rie afresh
// for every iteration and reports the init duration the emulator measures
// (process start to the runtime asking for its first event, which includes
// the seeding check, one GetItem), then the first request's latency.
func BenchmarkColdInit(b *testing.B) {
	bootstrap := rietest.Build(b, ".")
	db := httptest.NewServer(server.NewServer())
	b.Cleanup(db.Close)
	client := dynamotest.Client(db.URL)
	ctx := context.Background()
	if _, err := client.CreateTable(ctx, dynamo.Schema("embudo-test")); err != nil {
		b.Fatal(err)
	}
	if err := crm.NewService(dynamo.New(client, "embudo-test"), crm.Config{}).EnsureSeeded(ctx); err != nil {
		b.Fatal(err)
	}
	payload, err := os.ReadFile("../../events/api-healthz.json")
	if err != nil {
		b.Fatal(err)
	}
	// SES answers the sender check (the web app's sign-in links).
	ses := emulate.StartRecorder(b, `{"VerifiedForSendingStatus":true}`)
	var initMS, firstMS float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		emu := rietest.Start(b, bootstrap, []string{"TABLE_NAME=embudo-test", "DYNAMODB_ENDPOINT=" + db.URL,
			"SENDER_EMAIL=no-reply@embudo.example", "SES_ENDPOINT=" + ses.URL})
		t0 := time.Now()
		if _, err := emu.Invoke(ctx, payload); err != nil {
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
