// Package awsenv is what every Lambda function shares: its logger (JSON
// lines carrying the invocation's request IDs: Logger, Invoke), the exit at
// init when it cannot start (Exit), the AWS SDK configuration from the
// variables Lambda sets, and the DynamoDB client. It imports no adapter:
// each functions/<name>/main.go reads its config.Config and builds its own
// adapters, so a function links only the SDK clients it uses. Only
// functions/* import it.
package awsenv

import (
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/embudo/embudo/internal/config"
)

// Exit logs err as the one line of a function that cannot start (msg says
// what failed: "configuration", "seeding states and settings") and exits
// with status 1, which Lambda reports as an init error.
func Exit(log *slog.Logger, msg string, err error) {
	log.Error(msg, "err", err)
	os.Exit(1)
}

// AWS builds the SDK configuration from the variables the Lambda runtime
// sets (AWS_REGION and the execution role's AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which is all that
// config.LoadDefaultConfig would find in a function. Building it directly
// leaves the shared-config, SSO, STS and IMDS providers out of the binary:
// 4 MB less, and a faster cold start.
func AWS(c config.AWS) aws.Config {
	return aws.Config{
		Region:      c.Region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)),
	}
}

// Endpoint returns an SDK client's BaseEndpoint: nil (the service's own)
// for "", else url, an emulator's (DYNAMODB_ENDPOINT, SES_ENDPOINT,
// SCHEDULER_ENDPOINT).
func Endpoint(url string) *string {
	if url == "" {
		return nil
	}
	return aws.String(url)
}

// DynamoDB returns a DynamoDB client, on endpoint when it is set (a local
// DynamoDB-protocol server, for tests under the runtime emulator).
func DynamoDB(cfg aws.Config, endpoint string) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			// Local DynamoDB-protocol servers send no CRC32 header.
			o.DisableValidateResponseChecksum = true
		}
	})
}
