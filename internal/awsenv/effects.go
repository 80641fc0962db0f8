package awsenv

import (
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
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
	ses := sesv2.NewFromConfig(e.AWS, func(o *sesv2.Options) {
		if ep := os.Getenv("SES_ENDPOINT"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
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

// Blobs returns the file store: the S3 bucket FILES_BUCKET, or nil when it
// is not set (files are then refused).
func (e Env) Blobs() crm.Blobs {
	b := os.Getenv("FILES_BUCKET")
	if b == "" {
		return nil
	}
	return &blob.S3{Config: e.AWS, Bucket: b, HTTP: &http.Client{Timeout: 10 * time.Second}}
}
