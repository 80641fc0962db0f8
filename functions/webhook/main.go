// Command webhook is the lead intake Lambda: it serves the public
// /hooks/{token} endpoints (HTML forms, JSON senders, Google Ads, Meta) for
// API Gateway HTTP API payload 2.0 events.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/embudo/embudo/internal/awsenv"
	"github.com/embudo/embudo/internal/config"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/graph"
	"github.com/embudo/embudo/internal/httpapi"
)

// needs is what the function reads besides the core: GRAPH_API_URL.
// template.yaml gives it exactly these (config_test.go).
var needs = config.Needs{Graph: true}

func main() {
	cfg, err := config.Load(os.LookupEnv, needs)
	log := awsenv.Logger(cfg.LogLevel)
	if err != nil {
		awsenv.Exit(log, "configuration", err)
	}
	aws := awsenv.AWS(cfg.AWS)
	svc := crm.NewService(dynamo.New(awsenv.DynamoDB(aws, cfg.DynamoDBEndpoint), cfg.Table),
		crm.Config{PhoneRegion: cfg.PhoneRegion, TimeZone: cfg.TimeZone, NumberBlock: crm.InstanceNumberBlock})
	hooks := httpapi.NewHooks(svc, httpapi.HookOptions{Logger: log, Meta: graph.New(cfg.Graph.URL)})
	lambda.Start(awsenv.Invoke(httpadapter.NewV2(hooks).ProxyWithContext))
}
