// Command reminder is the target of the reminder schedules: it sends a
// note's notify-note e-mail at its aviso time. Invoked with {"sweep": true}
// (hourly), it sends every due reminder whose schedule was lost.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/embudo/embudo/internal/awsenv"
	"github.com/embudo/embudo/internal/config"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/inbound/reply"
	"github.com/embudo/embudo/internal/mail"
	"github.com/embudo/embudo/internal/stream"
)

// needs is what the function reads besides the core: the mail settings
// (SENDER_EMAIL, SES_CONFIGURATION_SET, SES_ENDPOINT, APP_URL) and what
// signs the reminders' reply addresses (INBOUND_DOMAIN, REPLY_TOKEN_KEY).
// template.yaml gives it exactly these (config_test.go).
var needs = config.Needs{Mail: true, Replies: true}

// event is a schedule's input (remind.Payload) or the sweep's.
type event struct {
	NoteID  string    `json:"noteId"`
	AvisoAt time.Time `json:"avisoAt"`
	Sweep   bool      `json:"sweep"`
}

// result says what the invocation did.
type result struct {
	Reminded bool `json:"reminded,omitempty"`
	Swept    int  `json:"swept,omitempty"`
}

func main() {
	ctx := context.Background()
	cfg, err := config.Load(os.LookupEnv, needs)
	log := awsenv.Logger(cfg.LogLevel)
	if err != nil {
		awsenv.Exit(log, "configuration", err)
	}
	aws := awsenv.AWS(cfg.AWS)
	ses := sesv2.NewFromConfig(aws, func(o *sesv2.Options) { o.BaseEndpoint = awsenv.Endpoint(cfg.Mail.Endpoint) })
	mail.LogSenderCheck(ctx, ses, cfg.Mail.Sender, aws.Region, log)

	store := dynamo.New(awsenv.DynamoDB(aws, cfg.DynamoDBEndpoint), cfg.Table)
	// It only reminds and sweeps, which arm no schedule: no scheduler.
	h := stream.New(stream.Config{
		Service: crm.NewService(store, crm.Config{PhoneRegion: cfg.PhoneRegion, TimeZone: cfg.TimeZone}),
		Store:   store,
		Mailer: reply.Mailer{Mailer: &mail.SES{Client: ses, From: cfg.Mail.Sender, ConfigurationSet: cfg.Mail.ConfigurationSet},
			Tokens: &reply.Tokens{Key: []byte(cfg.Replies.Key), Domain: cfg.Replies.Domain}}, // a reply to a reminder becomes a note
		AppURL: cfg.Mail.AppURL,
		Log:    log,
	})
	lambda.Start(awsenv.Invoke(func(ctx context.Context, e event) (result, error) {
		if e.Sweep {
			n, err := h.Sweep(ctx)
			return result{Swept: n}, err
		}
		if e.NoteID == "" {
			return result{}, crm.InvalidField("noteId", "is required")
		}
		return result{Reminded: true}, h.Remind(ctx, e.NoteID, e.AvisoAt)
	}))
}
