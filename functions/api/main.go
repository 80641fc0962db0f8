// Command api is the API Lambda: it serves Embudo's REST API (the same
// http.Handler as `embudo serve`) for API Gateway HTTP API payload 2.0
// events.
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
	cfg := env.CRM
	cfg.Blobs = env.Blobs()
	svc := crm.NewService(dynamo.New(env.DynamoDB(), env.Table), cfg)
	if err := svc.EnsureSeeded(ctx); err != nil {
		slog.Error("seeding states and settings", "err", err)
		os.Exit(1)
	}
	api := httpapi.New(svc, httpapi.Options{Logger: env.Logger, HooksURL: os.Getenv("HOOKS_URL")})
	lambda.Start(awsenv.Invoke(httpadapter.NewV2(api).ProxyWithContext))
}
