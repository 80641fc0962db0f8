// Command api is the API Lambda: it serves Embudo's REST API (the same
// http.Handler as `embudo serve`) for API Gateway HTTP API payload 2.0
// events.
package main

import (
	"context"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/embudo/embudo/internal/awsenv"
	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/config"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/httpapi"
)

// needs is what the function reads besides the core: HOOKS_URL,
// FILES_BUCKET and S3_ENDPOINT. template.yaml gives it exactly these
// (config_test.go).
var needs = config.Needs{API: true}

func main() {
	ctx := context.Background()
	cfg, err := config.Load(os.LookupEnv, needs)
	log := awsenv.Logger(cfg.LogLevel)
	if err != nil {
		awsenv.Exit(log, "configuration", err)
	}
	aws := awsenv.AWS(cfg.AWS)
	crmCfg := crm.Config{PhoneRegion: cfg.PhoneRegion, TimeZone: cfg.TimeZone, NumberBlock: crm.InstanceNumberBlock}
	if b := cfg.API.FilesBucket; b != "" { // else files are refused
		crmCfg.Blobs = &blob.S3{Config: aws, Bucket: b, Endpoint: cfg.API.S3Endpoint, HTTP: &http.Client{Timeout: 10 * time.Second}}
	}
	store := dynamo.New(awsenv.DynamoDB(aws, cfg.DynamoDBEndpoint), cfg.Table)
	svc := crm.NewService(store, crmCfg)
	if err := svc.EnsureSeeded(ctx); err != nil {
		awsenv.Exit(log, "seeding states and settings", err)
	}
	api := httpapi.New(svc, httpapi.Options{Logger: log, HooksURL: cfg.API.HooksURL, Idempotency: store})
	lambda.Start(awsenv.Invoke(httpadapter.NewV2(api).ProxyWithContext))
}
