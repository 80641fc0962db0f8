// Command api is the API Lambda: it serves Embudo's REST API (the same
// http.Handler as `embudo serve`) and the staff web app under /app, for
// API Gateway HTTP API payload 2.0 events.
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
	"github.com/embudo/embudo/internal/mail/seshttp"
	"github.com/embudo/embudo/internal/webapp"
)

// needs is what the function reads besides the core: HOOKS_URL,
// FILES_BUCKET and S3_ENDPOINT, and the mail settings of the web app's
// sign-in links (SENDER_EMAIL, SES_CONFIGURATION_SET, SES_ENDPOINT,
// APP_URL). template.yaml gives it exactly these (config_test.go).
var needs = config.Needs{API: true, Mail: true}

func main() {
	ctx := context.Background()
	cfg, err := config.Load(os.LookupEnv, needs)
	log := awsenv.Logger(cfg.LogLevel)
	if err != nil {
		awsenv.Exit(log, "configuration", err)
	}
	aws := awsenv.AWS(cfg.AWS)
	crmCfg := crm.Config{PhoneRegion: cfg.PhoneRegion, TimeZone: cfg.TimeZone, NumberBlock: crm.InstanceNumberBlock}
	var uploads string                     // the origin browsers upload files to
	if b := cfg.API.FilesBucket; b != "" { // else files are refused
		s3 := &blob.S3{Config: aws, Bucket: b, Endpoint: cfg.API.S3Endpoint, HTTP: &http.Client{Timeout: 10 * time.Second}}
		crmCfg.Blobs, uploads = s3, s3.Origin()
	}
	// SES's two calls as signed HTTPS requests: the SDK's client would
	// cost this binary 2.3 MiB (docs/performance.md).
	mailer := &seshttp.Mailer{Config: aws, Endpoint: cfg.Mail.Endpoint, HTTP: &http.Client{Timeout: 10 * time.Second},
		From: cfg.Mail.Sender, ConfigurationSet: cfg.Mail.ConfigurationSet}
	// In the background: the first request does not wait for SES.
	go mailer.LogSenderCheck(ctx, log)
	store := dynamo.New(awsenv.DynamoDB(aws, cfg.DynamoDBEndpoint), cfg.Table)
	svc := crm.NewService(store, crmCfg)
	if err := svc.EnsureSeeded(ctx); err != nil {
		awsenv.Exit(log, "seeding states and settings", err)
	}
	// APP_URL empty: the app's links take the host the request came to
	// (the HTTP API's own URL).
	app := webapp.New(svc, webapp.Options{Logger: log, AppURL: cfg.Mail.AppURL, HooksURL: cfg.API.HooksURL, UploadOrigin: uploads, Mailer: mailer})
	mux := http.NewServeMux()
	mux.Handle("/app", app)
	mux.Handle("/app/", app)
	mux.Handle("/", httpapi.New(svc, httpapi.Options{Logger: log, HooksURL: cfg.API.HooksURL, Idempotency: store}))
	lambda.Start(awsenv.Invoke(httpadapter.NewV2(mux).ProxyWithContext))
}
