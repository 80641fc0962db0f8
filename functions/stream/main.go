// Command stream is the DynamoDB stream trigger: every change of the table
// becomes its side effects (notification e-mails, reminder schedules, the
// contact timeline, the per-source counters), each once.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/embudo/embudo/internal/awsenv"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
)

func main() {
	ctx := context.Background()
	env, err := awsenv.Load(ctx)
	if err != nil {
		slog.Error("configuration", "err", err)
		os.Exit(1)
	}
	env.CheckSender(ctx)
	svc := crm.NewService(dynamo.New(env.DynamoDB(), env.Table), env.CRM)
	core := env.StreamHandler(svc)
	lambda.Start(awsenv.Invoke(dynamo.StreamHandler{Apply: core.Apply, Log: env.Logger}.Handle))
}
