package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/remind/eventbridge"
	"github.com/embudo/embudo/internal/transfer"
)

const copyUsage = `Usage: embudo copy --from SOURCE --to TARGET [flags]

Copies a whole CRM (every entity with its IDs, versions, numbers and
counters, API tokens, webhook URLs, timelines and report counters) from
SOURCE into TARGET, which must be empty (or hold an earlier, interrupted
copy: --resume). SOURCE and TARGET are each a data directory (./.embudo),
an SQLite file (FILE.db) or dynamodb:TABLE. The source is only read. Stop
writes to a DynamoDB source first (or copy from a point-in-time restore of
it); a copy into DynamoDB sends no e-mail and counts nothing again.

  embudo copy --from ./.embudo --to dynamodb:TABLE --files s3:BUCKET
  embudo copy --from dynamodb:TABLE --to ./restored --files s3:BUCKET

Flags:
`

// runCopy is `embudo copy`: flags in, internal/transfer does the copy, its
// summary out (progress on standard error when it is a terminal).
func runCopy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("embudo copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the CRM to copy: a data directory, an SQLite file or dynamodb:TABLE")
	to := fs.String("to", "", "where to copy it: a data directory, an SQLite file or dynamodb:TABLE")
	endpoint := fs.String("endpoint", "", "DynamoDB endpoint URL (DynamoDB Local); default: AWS")
	region := fs.String("region", "", "AWS region (default: from your AWS configuration)")
	files := fs.String("files", "", "s3:BUCKET, the files bucket of the DynamoDB side (the stack's FilesBucketName): file contents follow between it and the local files directory")
	s3Endpoint := fs.String("s3-endpoint", "", "S3 endpoint URL, path style (an S3-compatible store); default: AWS")
	resume := fs.Bool("resume", false, "finish an earlier copy into the same target: write only what it lacks")
	rate := fs.Float64("rate", 0, "write at most this many DynamoDB write units a second (table and indexes); 0: no cap")
	workers := fs.Int("workers", 4, "batches (and files) copied at once")
	segments := fs.Int("segments", 4, "segments of the parallel Scan of a DynamoDB source")
	group := fs.String("schedule-group", "", "the stack's reminder schedule group (output ReminderScheduleGroup): with the two below, arms the pending reminders on a DynamoDB target")
	role := fs.String("scheduler-role", "", "the role EventBridge Scheduler invokes the reminder function with (output SchedulerRoleArn)")
	function := fs.String("reminder-function", "", "the reminder function's ARN (output ReminderFunctionArn)")
	progress := fs.Bool("progress", false, "show progress even when standard error is not a terminal")
	fs.Usage = func() {
		fmt.Fprint(stderr, copyUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	usage := func(msg string) error {
		fmt.Fprintf(stderr, "embudo copy: %s\n\n", msg)
		fs.Usage()
		return errUsage
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return usage("--from and --to are required")
	}
	o := transfer.Options{Resume: *resume, Rate: *rate, Workers: *workers, Segments: *segments,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	var err error
	if o.From, err = transfer.ParseEndpoint(*from); err != nil {
		return usage("--from: " + err.Error())
	}
	if o.To, err = transfer.ParseEndpoint(*to); err != nil {
		return usage("--to: " + err.Error())
	}
	reminders := *group != "" || *role != "" || *function != ""
	if reminders && (*group == "" || *role == "" || *function == "") {
		return usage("--schedule-group, --scheduler-role and --reminder-function go together")
	}
	bucket, ok := strings.CutPrefix(*files, "s3:")
	if *files != "" && (!ok || bucket == "") {
		return usage("--files takes s3:BUCKET")
	}
	if *progress || isTerminal(stderr) {
		o.Progress = stderr
	}
	if o.From.DynamoDB() || o.To.DynamoDB() {
		cfg, err := awsConfig(ctx, *region, *endpoint)
		if err != nil {
			return err
		}
		o.DynamoDB = dynamodb.NewFromConfig(cfg, func(d *dynamodb.Options) {
			if *endpoint != "" {
				d.BaseEndpoint = aws.String(*endpoint)
				d.DisableValidateResponseChecksum = true // local servers send no CRC32
			}
		})
		if bucket != "" {
			o.Bucket = &blob.S3{Config: cfg, Bucket: bucket, Endpoint: *s3Endpoint}
		}
		if reminders {
			o.Reminders = &eventbridge.Scheduler{Client: scheduler.NewFromConfig(cfg),
				Target: eventbridge.Target{Group: *group, RoleARN: *role, FunctionARN: *function}}
		}
	} else if *files != "" {
		return usage("--files names the bucket of a DynamoDB side; between data directories the files directory is copied anyway")
	}
	rep, err := transfer.Copy(ctx, o)
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted; run the same command with --resume to finish the copy")
	}
	if len(rep.Target) > 0 {
		rep.Print(stdout, o)
	}
	return err
}

// awsConfig is the AWS configuration of the operator's credentials; with an
// endpoint (DynamoDB Local) and no credentials configured, any will do.
func awsConfig(ctx context.Context, region, endpoint string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, err
	}
	if endpoint != "" {
		if cfg.Region == "" {
			cfg.Region = "eu-west-1"
		}
		if cfg.Credentials == nil {
			cfg.Credentials = credentials.NewStaticCredentialsProvider("local", "local", "")
		} else if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			cfg.Credentials = credentials.NewStaticCredentialsProvider("local", "local", "")
		}
	}
	if cfg.Region == "" {
		return cfg, errors.New("no AWS region: give --region, or set AWS_REGION")
	}
	return cfg, nil
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
