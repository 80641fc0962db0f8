// Package config reads the configuration of the Lambda functions from their
// environment, once, at cold start, and validates it. Every function reads
// the core (the table, the phone region, the time zone, the log level, the
// DynamoDB endpoint and the credentials Lambda sets); each names the other
// parts it needs (Load(os.LookupEnv, Needs{Mail: true})). A required
// variable that is missing, or any variable that is malformed, makes Load
// fail with one line naming it, and the function exits at init with it
// instead of failing at its first send or schedule.
//
// It is plain parsing of strings: no AWS code and no adapter. Each
// functions/<name>/main.go builds its own adapters from the values. Vars
// lists the variables a function reads, for the tests that check that
// template.yaml gives each function exactly those.
package config

import (
	"errors"
	"log/slog"
	"strings"
	"time"
)

// Config is the configuration of a Lambda function. The parts its Needs
// leave out are zero.
type Config struct {
	Table            string         // TABLE_NAME (required): the DynamoDB table
	PhoneRegion      string         // PHONE_REGION: ISO 3166-1 alpha-2 ("ES"); "" for crm's default
	TimeZone         *time.Location // COMPANY_TIME_ZONE: an IANA zone; nil when unset (crm's default)
	LogLevel         slog.Level     // AWS_LAMBDA_LOG_LEVEL, else LOG_LEVEL, else info
	DynamoDBEndpoint string         // DYNAMODB_ENDPOINT: a local DynamoDB-protocol server (tests, sam local); "" on AWS
	AWS              AWS            // the region and credentials Lambda sets

	API       API       // Needs.API
	Graph     Graph     // Needs.Graph
	Mail      Mail      // Needs.Mail
	Schedules Schedules // Needs.Schedules
	Replies   Replies   // Needs.Replies
}

// AWS is what Lambda sets for the SDK: the region and the execution role's
// temporary credentials. Nothing here is required (a test may run without).
type AWS struct {
	Region          string // AWS_REGION
	AccessKeyID     string // AWS_ACCESS_KEY_ID
	SecretAccessKey string // AWS_SECRET_ACCESS_KEY
	SessionToken    string // AWS_SESSION_TOKEN
}

// API is the configuration of the REST API function.
type API struct {
	HooksURL    string // HOOKS_URL: the public base URL of the lead webhooks, shown with each source
	FilesBucket string // FILES_BUCKET: the S3 bucket of files; "" refuses files
	S3Endpoint  string // S3_ENDPOINT: an S3-compatible endpoint (tests); "" on AWS
}

// Graph is the webhook function's access to the Meta Graph API.
type Graph struct {
	URL string // GRAPH_API_URL: its base URL with the version; "" for graph.DefaultBaseURL
}

// Mail is what the functions that send notification e-mails need.
type Mail struct {
	Sender           string // SENDER_EMAIL (required): "no-reply@example.com" or "Embudo <no-reply@example.com>"
	ConfigurationSet string // SES_CONFIGURATION_SET: "" for none
	Endpoint         string // SES_ENDPOINT: an SES v2 emulator (tests, sam local); "" on AWS
	AppURL           string // APP_URL: the staff front end, for links in e-mails; "" for no links
}

// Schedules is what the function that arms reminder schedules needs: the
// EventBridge Scheduler group and the target of each schedule.
type Schedules struct {
	Group       string // SCHEDULE_GROUP: "" for the default group
	RoleARN     string // SCHEDULER_ROLE_ARN (required): the role Scheduler assumes to invoke the target
	FunctionARN string // REMINDER_FUNCTION_ARN (required): the reminder function
	Endpoint    string // SCHEDULER_ENDPOINT: an emulator (tests, sam local); "" on AWS
}

// Replies is what signs the reply addresses of notification e-mails
// (e-mail in: a reply becomes a note on the e-mail's record). Both empty
// leave the notifications without a Reply-To.
type Replies struct {
	Domain string // INBOUND_DOMAIN: the domain SES receives the replies for
	Key    string // REPLY_TOKEN_KEY: the HMAC key, 32 characters or more
}

// Needs names the parts of Config a function reads besides the core.
type Needs struct {
	API       bool // HOOKS_URL, FILES_BUCKET, S3_ENDPOINT
	Graph     bool // GRAPH_API_URL
	Mail      bool // SENDER_EMAIL, SES_CONFIGURATION_SET, SES_ENDPOINT, APP_URL
	Schedules bool // SCHEDULE_GROUP, SCHEDULER_ROLE_ARN, REMINDER_FUNCTION_ARN, SCHEDULER_ENDPOINT
	Replies   bool // INBOUND_DOMAIN, REPLY_TOKEN_KEY
}

// Var is an environment variable a function reads.
type Var struct {
	Name     string
	Required bool // the function does not start without it
	ByLambda bool // Lambda sets it, not template.yaml
}

// Load reads the core and the parts n names through lookup (os.LookupEnv)
// and validates them. Its error, when any variable is missing or
// malformed, is one line naming each of them; the Config returned with it
// holds what could be read (its LogLevel too, so that the error can be
// logged at the configured level).
func Load(lookup func(string) (string, bool), n Needs) (Config, error) {
	r := &reader{lookup: lookup}
	c := read(r, n)
	if len(r.problems) > 0 {
		return c, errors.New(strings.Join(r.problems, "; "))
	}
	return c, nil
}

// Vars returns the variables a function that needs n reads, in the order
// Load reads them.
func Vars(n Needs) []Var {
	r := &reader{lookup: func(string) (string, bool) { return "", false }}
	read(r, n)
	return r.vars
}

// read fills a Config from r: the core, then the parts n names.
func read(r *reader, n Needs) Config {
	c := Config{
		Table:            r.get("TABLE_NAME", required, tableName),
		PhoneRegion:      r.get("PHONE_REGION", optional, region),
		TimeZone:         r.location("COMPANY_TIME_ZONE"),
		LogLevel:         r.logLevel("AWS_LAMBDA_LOG_LEVEL", "LOG_LEVEL"),
		DynamoDBEndpoint: r.get("DYNAMODB_ENDPOINT", optional, httpURL),
		AWS: AWS{
			Region:          r.get("AWS_REGION", byLambda, nil),
			AccessKeyID:     r.get("AWS_ACCESS_KEY_ID", byLambda, nil),
			SecretAccessKey: r.get("AWS_SECRET_ACCESS_KEY", byLambda, nil),
			SessionToken:    r.get("AWS_SESSION_TOKEN", byLambda, nil),
		},
	}
	if n.API {
		c.API = API{
			HooksURL:    r.get("HOOKS_URL", optional, httpURL),
			FilesBucket: r.get("FILES_BUCKET", optional, nil),
			S3Endpoint:  r.get("S3_ENDPOINT", optional, httpURL),
		}
	}
	if n.Graph {
		c.Graph = Graph{URL: r.get("GRAPH_API_URL", optional, httpURL)}
	}
	if n.Mail {
		c.Mail = Mail{
			Sender:           r.get("SENDER_EMAIL", required, address),
			ConfigurationSet: r.get("SES_CONFIGURATION_SET", optional, nil),
			Endpoint:         r.get("SES_ENDPOINT", optional, httpURL),
			AppURL:           r.get("APP_URL", optional, httpURL),
		}
	}
	if n.Replies {
		c.Replies = Replies{Domain: r.get("INBOUND_DOMAIN", optional, domain), Key: r.get("REPLY_TOKEN_KEY", optional, replyKey)}
		if (c.Replies.Domain == "") != (c.Replies.Key == "") {
			r.problems = append(r.problems, "INBOUND_DOMAIN and REPLY_TOKEN_KEY go together: set both, or neither")
		}
	}
	if n.Schedules {
		c.Schedules = Schedules{
			Group:       r.get("SCHEDULE_GROUP", optional, nil),
			RoleARN:     r.get("SCHEDULER_ROLE_ARN", required, arn),
			FunctionARN: r.get("REMINDER_FUNCTION_ARN", required, arn),
			Endpoint:    r.get("SCHEDULER_ENDPOINT", optional, httpURL),
		}
	}
	return c
}
