// Command stream is the DynamoDB stream trigger: every change of the table
// becomes its side effects (notification e-mails, reminder schedules, the
// contact timeline, the per-source counters), each once.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/embudo/embudo/internal/awsenv"
	"github.com/embudo/embudo/internal/config"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/inbound/reply"
	"github.com/embudo/embudo/internal/mail"
	"github.com/embudo/embudo/internal/remind/eventbridge"
	"github.com/embudo/embudo/internal/stream"
)

// needs is what the function reads besides the core: the mail settings
// (SENDER_EMAIL, SES_CONFIGURATION_SET, SES_ENDPOINT, APP_URL) and the
// reminder schedules' (SCHEDULE_GROUP, SCHEDULER_ROLE_ARN,
// REMINDER_FUNCTION_ARN, SCHEDULER_ENDPOINT) and what signs the
// notifications' reply addresses (INBOUND_DOMAIN, REPLY_TOKEN_KEY).
// template.yaml gives it exactly these (config_test.go).
var needs = config.Needs{Mail: true, Schedules: true, Replies: true}

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
	sch := scheduler.NewFromConfig(aws, func(o *scheduler.Options) { o.BaseEndpoint = awsenv.Endpoint(cfg.Schedules.Endpoint) })

	store := dynamo.New(awsenv.DynamoDB(aws, cfg.DynamoDBEndpoint), cfg.Table)
	core := stream.New(stream.Config{
		Service: crm.NewService(store, crm.Config{PhoneRegion: cfg.PhoneRegion, TimeZone: cfg.TimeZone}),
		Store:   store,
		Mailer: reply.Mailer{Mailer: &mail.SES{Client: ses, From: cfg.Mail.Sender, ConfigurationSet: cfg.Mail.ConfigurationSet},
			Tokens: &reply.Tokens{Key: []byte(cfg.Replies.Key), Domain: cfg.Replies.Domain}},
		Scheduler: &eventbridge.Scheduler{Client: sch, Target: eventbridge.Target{
			FunctionARN: cfg.Schedules.FunctionARN, RoleARN: cfg.Schedules.RoleARN, Group: cfg.Schedules.Group}},
		AppURL: cfg.Mail.AppURL,
		Log:    log,
	})
	lambda.Start(awsenv.Invoke(dynamo.StreamHandler{Apply: core.Apply, Log: log}.Handle))
}
