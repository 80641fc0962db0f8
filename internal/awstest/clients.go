package awstest

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// The harness's SDK clients of moto's services, each with moto's URL as
// its endpoint.

// DynamoDB returns a DynamoDB client of moto, one request at a time
// (DynamoDBURL).
func (m *Moto) DynamoDB() *dynamodb.Client {
	return dynamodb.NewFromConfig(m.Config(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(m.DynamoDBURL()) })
}

// Streams returns a DynamoDB Streams client of moto.
func (m *Moto) Streams() *dynamodbstreams.Client {
	return dynamodbstreams.NewFromConfig(m.Config(), func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(m.URL) })
}

// CloudFormation returns a CloudFormation client of moto.
func (m *Moto) CloudFormation() *cloudformation.Client {
	return cloudformation.NewFromConfig(m.Config(), func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(m.URL) })
}

// Lambda returns a Lambda client of moto (for the functions' configuration:
// moto runs no Go function; Stack.Start does, under aws-lambda-rie).
func (m *Moto) Lambda() *lambda.Client {
	return lambda.NewFromConfig(m.Config(), func(o *lambda.Options) { o.BaseEndpoint = aws.String(m.URL) })
}

// S3 returns an S3 client of moto, addressing buckets by path.
func (m *Moto) S3() *s3.Client {
	return s3.NewFromConfig(m.Config(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(m.URL)
		o.UsePathStyle = true
	})
}

// Scheduler returns an EventBridge Scheduler client of moto.
func (m *Moto) Scheduler() *scheduler.Client {
	return scheduler.NewFromConfig(m.Config(), func(o *scheduler.Options) { o.BaseEndpoint = aws.String(m.URL) })
}

// SQS returns an SQS client of moto.
func (m *Moto) SQS() *sqs.Client {
	return sqs.NewFromConfig(m.Config(), func(o *sqs.Options) { o.BaseEndpoint = aws.String(m.URL) })
}
