// Command reminder is the target of the reminder schedules: it sends a
// note's notify-note e-mail at its aviso time. Invoked with {"sweep": true}
// (hourly), it sends every due reminder whose schedule was lost.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/embudo/embudo/internal/awsenv"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
)

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
	env, err := awsenv.Load(ctx)
	if err != nil {
		slog.Error("configuration", "err", err)
		os.Exit(1)
	}
	env.CheckSender(ctx)
	svc := crm.NewService(dynamo.New(env.DynamoDB(), env.Table), env.CRM)
	h := env.StreamHandler(svc)
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
