// Command webhook is the lead intake Lambda: it serves the public
// /hooks/{token} endpoints (HTML forms, JSON senders, Google Ads, Meta) for
// API Gateway HTTP API payload 2.0 events.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/embudo/embudo/internal/awsenv"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/graph"
	"github.com/embudo/embudo/internal/httpapi"
)

func main() {
	ctx := context.Background()
	env, err := awsenv.Load(ctx)
	if err != nil {
		slog.Error("configuration", "err", err)
		os.Exit(1)
	}
	svc := crm.NewService(dynamo.New(env.DynamoDB(), env.Table), env.CRM)
	meta := &graph.Client{BaseURL: os.Getenv("GRAPH_API_URL"), HTTP: &http.Client{Timeout: 5 * time.Second}}
	hooks := httpapi.NewHooks(svc, httpapi.HookOptions{Logger: env.Logger, Meta: meta})
	lambda.Start(httpadapter.NewV2(hooks).ProxyWithContext)
}
