package main

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/emulate"
	"github.com/embudo/embudo/internal/inbound/inboundtest"
	"github.com/embudo/embudo/internal/rietest"
)

// BenchmarkColdInit starts the inbound bootstrap under aws-lambda-rie
// afresh for every iteration and reports the init duration the emulator
// measures, then the first invocation's latency (a BCC from Gmail: the
// message read from S3, parsed, its note and file written; the users
// listed once, as in every cold start) (docs/performance.md).
func BenchmarkColdInit(b *testing.B) {
	bootstrap := rietest.Build(b, ".")
	ctx := context.Background()
	dbURL, client, table := emulate.Table(b, "../../template.yaml")
	svc := crm.NewService(dynamo.New(client, table), crm.Config{})
	if err := svc.EnsureSeeded(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := inboundtest.Team(ctx, svc); err != nil {
		b.Fatal(err)
	}
	s3 := &bucket{objects: map[string][]byte{}}
	srv := httptest.NewServer(s3)
	b.Cleanup(srv.Close)
	payload, err := os.ReadFile("../../events/inbound-bcc.json")
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile(inboundtest.Dir() + "/gmail-bcc-alternative.eml")
	if err != nil {
		b.Fatal(err)
	}
	s3.objects["/embudo-files/inbound/0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a90"] = raw
	rietest.ColdStarts(b, bootstrap, []string{"TABLE_NAME=" + table, "DYNAMODB_ENDPOINT=" + dbURL, "FILES_BUCKET=embudo-files",
		"S3_ENDPOINT=" + srv.URL, "INBOUND_DOMAIN=" + inboundtest.Domain, "REPLY_TOKEN_KEY=bench-reply-key-0123456789abcdef0123"}, payload)
}
