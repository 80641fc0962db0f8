// Command inbound is the target of the SES receipt rule of the inbound
// domain: the rule stores each message under inbound/ in the files bucket
// and invokes this function, which turns it into a note (a BCC, a
// forward, a reply to a notification) or keeps it aside as rejected with
// its reason (internal/inbound).
package main

import (
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/embudo/embudo/internal/awsenv"
	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/config"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/inbound"
	"github.com/embudo/embudo/internal/inbound/reply"
)

// needs is the core configuration; the function also reads FILES_BUCKET,
// INBOUND_DOMAIN, REPLY_TOKEN_KEY and S3_ENDPOINT (inboundVars).
var needs = config.Needs{}

func main() {
	cfg, err := config.Load(os.LookupEnv, needs)
	log := awsenv.Logger(cfg.LogLevel)
	if err != nil {
		awsenv.Exit(log, "configuration", err)
	}
	in, err := readInbound(os.LookupEnv)
	if err != nil {
		awsenv.Exit(log, "configuration", err)
	}
	aws := awsenv.AWS(cfg.AWS)
	files := &blob.S3{Config: aws, Bucket: in.bucket, Endpoint: in.s3Endpoint, HTTP: &http.Client{Timeout: 30 * time.Second}}
	svc := crm.NewService(dynamo.New(awsenv.DynamoDB(aws, cfg.DynamoDBEndpoint), cfg.Table),
		crm.Config{PhoneRegion: cfg.PhoneRegion, TimeZone: cfg.TimeZone, Blobs: files})
	h := &inbound.Handler{Svc: svc, Files: files, Tokens: &reply.Tokens{Key: in.key, Domain: in.domain}, Log: log}
	lambda.Start(awsenv.Invoke(inbound.SES{Handler: h, Raw: files, Prefix: "inbound/"}.Handle))
}
