package main

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/truora/minidyn/server"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/emulate"
	"github.com/embudo/embudo/internal/rietest"
)

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
	rietest.ColdStarts(b, bootstrap, []string{"TABLE_NAME=embudo-test", "DYNAMODB_ENDPOINT=" + db.URL,
		"SENDER_EMAIL=no-reply@embudo.example", "SES_ENDPOINT=" + ses.URL}, payload)
}
