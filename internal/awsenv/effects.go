package awsenv

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/graph"
	"github.com/embudo/embudo/internal/mail"
	"github.com/embudo/embudo/internal/remind"
	"github.com/embudo/embudo/internal/stream"
)

// StreamHandler builds the change-stream handler of the stream and
// reminder functions from the environment: SENDER_EMAIL and optional
// SES_CONFIGURATION_SET (and SES_ENDPOINT, for an emulator), APP_URL, and
// for the reminder schedules SCHEDULE_GROUP, SCHEDULER_ROLE_ARN and
// REMINDER_FUNCTION_ARN.
func (e Env) StreamHandler(svc *crm.Service) *stream.Handler {
	ses := e.ses()
	sch := scheduler.NewFromConfig(e.AWS, func(o *scheduler.Options) {
		if ep := os.Getenv("SCHEDULER_ENDPOINT"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
	return &stream.Handler{
		Svc:    svc,
		Mailer: &mail.SES{Client: ses, From: os.Getenv("SENDER_EMAIL"), ConfigurationSet: os.Getenv("SES_CONFIGURATION_SET")},
		Scheduler: &remind.Scheduler{Client: sch, Target: remind.Target{
			FunctionARN: os.Getenv("REMINDER_FUNCTION_ARN"), RoleARN: os.Getenv("SCHEDULER_ROLE_ARN"), Group: os.Getenv("SCHEDULE_GROUP")}},
		AppURL: e.AppURL,
		Log:    e.Logger,
	}
}

// ses returns an SES v2 client, on SES_ENDPOINT when set (an emulator).
func (e Env) ses() *sesv2.Client {
	return sesv2.NewFromConfig(e.AWS, func(o *sesv2.Options) {
		if ep := os.Getenv("SES_ENDPOINT"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
}

// senderCheckTimeout bounds CheckSender, which runs in the cold start.
const senderCheckTimeout = 2 * time.Second

// CheckSender logs one error line when SES would refuse every e-mail from
// SENDER_EMAIL because neither the address nor its domain is verified in
// the function's region (mail.CheckSender: one or two GetEmailIdentity
// requests, at most senderCheckTimeout). When it cannot tell (no
// permission, no network, an emulator without the API) it logs a warning.
// It never fails: sending, and its own errors, are unaffected. The stream
// and reminder functions call it once, at cold start.
func (e Env) CheckSender(ctx context.Context) {
	e.checkSender(ctx, e.ses(), os.Getenv("SENDER_EMAIL"))
}

func (e Env) checkSender(ctx context.Context, c mail.IdentityAPI, from string) {
	log := e.Logger
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithTimeout(ctx, senderCheckTimeout)
	defer cancel()
	switch err := mail.CheckSender(ctx, c, from); {
	case errors.Is(err, mail.ErrSenderNotVerified):
		log.ErrorContext(ctx, "SES will refuse every notification e-mail: the sender is not verified", "sender", from, "region", e.AWS.Region, "err", err)
	case err != nil:
		log.WarnContext(ctx, "could not check that SES may send from the sender", "sender", from, "err", err)
	}
}

// GraphAttemptTimeout bounds each request of the webhook function to the
// Meta Graph API; with graph.DefaultRetries and graph.DefaultBackoff it
// sets the webhook's longest fetch (graph.Client.Budget), which the
// template's webhook timeout must exceed.
const GraphAttemptTimeout = 5 * time.Second

// Graph returns the Meta Graph API client of the webhook function, on
// GRAPH_API_URL.
func (e Env) Graph() *graph.Client {
	return &graph.Client{BaseURL: os.Getenv("GRAPH_API_URL"), HTTP: &http.Client{Timeout: GraphAttemptTimeout}}
}

// Blobs returns the file store: the S3 bucket FILES_BUCKET, or nil when it
// is not set (files are then refused).
func (e Env) Blobs() crm.Blobs {
	b := os.Getenv("FILES_BUCKET")
	if b == "" {
		return nil
	}
	return &blob.S3{Config: e.AWS, Bucket: b, HTTP: &http.Client{Timeout: 10 * time.Second}}
}
