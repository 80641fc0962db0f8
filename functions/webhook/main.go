// Command webhook is the lead intake Lambda: it serves the public
// /hooks/{token} endpoints (HTML forms, JSON senders, Google Ads, Meta) for
// API Gateway HTTP API payload 2.0 events.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/embudo/embudo/internal/awsenv"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
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
	hooks := httpapi.NewHooks(svc, httpapi.HookOptions{Logger: env.Logger, Meta: env.Graph()})
	lambda.Start(awsenv.Invoke(httpadapter.NewV2(hooks).ProxyWithContext))
}
