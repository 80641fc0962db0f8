package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
)

// adminBootstrap creates the first admin of a deployed table with the
// operator's AWS credentials and prints its token once.
func adminBootstrap(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("embudo admin bootstrap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	table := fs.String("table", "", "the deployed table (the stack output TableName); required")
	region := fs.String("region", "", "AWS region (default: from your AWS configuration)")
	email := fs.String("email", "", "the admin's e-mail")
	force := fs.Bool("force", false, "create another admin even if one exists")
	endpoint := fs.String("endpoint", "", "DynamoDB endpoint (for DynamoDB Local)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *table == "" {
		fmt.Fprintln(stderr, "embudo admin bootstrap: --table is required")
		fs.Usage()
		return errUsage
	}
	var opts []func(*config.LoadOptions) error
	if *region != "" {
		opts = append(opts, config.WithRegion(*region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return err
	}
	cl := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if *endpoint != "" {
			o.BaseEndpoint = aws.String(*endpoint)
			o.DisableValidateResponseChecksum = true // local servers send no CRC32
		}
	})
	svc := crm.NewService(dynamo.New(cl, *table), crm.Config{})
	u, secret, err := svc.BootstrapAdmin(ctx, *email, "", *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created admin user %s (%s).\nAPI token (shown only this once):\n\n    %s\n", u.ID, u.Email, secret)
	return nil
}
