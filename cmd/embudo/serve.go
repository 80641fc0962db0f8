package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/embudo/embudo/internal/local"
)

// errUsage is returned for a command used wrongly, once the flag package
// has said why (exit status 2).
var errUsage = errors.New("usage")

// serve is `embudo serve`: the whole CRM on this machine (local.Server)
// until ctx ends (SIGINT, SIGTERM) or the server fails.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := serveFlags(args, stderr)
	if err != nil {
		return err
	}
	s := local.NewServer(c)
	if err := s.Run(ctx, stdout); err != nil {
		return errors.Join(err, s.Close())
	}
	return errors.Join(s.Wait(ctx), s.Close())
}

// serveFlags reads the flags of `embudo serve` into a configuration, with
// a logger at the level asked for writing on stderr (also slog's default).
// Errors: errUsage, or a flag value that does not parse.
func serveFlags(args []string, stderr io.Writer) (local.Config, error) {
	var c local.Config
	var tz, logLevel string
	fs := flag.NewFlagSet("embudo serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:3000", "address to listen on")
	fs.StringVar(&c.Data, "data", ".embudo", "data directory: the database "+local.DBFile+", files/ and outbox/")
	fs.StringVar(&c.DynamoDBEndpoint, "dynamodb-endpoint", "", "run on this DynamoDB endpoint (DynamoDB Local, or \"aws\" for the account of your AWS credentials) instead of the embedded database")
	fs.StringVar(&c.Table, "table", "embudo", "DynamoDB table name (with --dynamodb-endpoint)")
	fs.StringVar(&c.Template, "template", "template.yaml", "SAM template the DynamoDB table definition is read from (with --dynamodb-endpoint)")
	fs.StringVar(&c.PhoneRegion, "phone-region", "ES", "default country of phone numbers written without a prefix")
	fs.StringVar(&tz, "time-zone", "Europe/Madrid", "company time zone")
	fs.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.GraphURL, "graph-api-url", "", "Meta Graph API base URL (default https://graph.facebook.com/v21.0)")
	fs.StringVar(&c.SESEndpoint, "ses-endpoint", "", "send e-mail to this SES v2 endpoint (e.g. the aws-ses-v2-local emulator) instead of the outbox directory")
	fs.StringVar(&c.MailFrom, "mail-from", "Embudo <embudo@localhost.localdomain>", "sender of notification e-mails")
	fs.StringVar(&c.AppURL, "app-url", "", "the web app's public base URL, which links in e-mails start with (default http://<addr>/app)")
	fs.BoolVar(&c.SignInLink, "signin-link", false, "print a sign-in link to the web app for the first admin at start (the first start always does)")
	fs.BoolVar(&c.SyncNormal, "sync-normal", false, "commit with synchronous=NORMAL: faster, but a power loss may lose the last writes (a crash of the process loses nothing either way)")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", "127.0.0.1:2525", "receive e-mail here (BCC, forwards and replies to notifications become notes); \"\" for no listener")
	fs.StringVar(&c.InboundDomain, "inbound-domain", local.DefaultInboundDomain, "domain of the reply addresses of notification e-mails")
	if err := fs.Parse(args); err != nil {
		return c, errUsage
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return c, fmt.Errorf("--log-level: %w", err)
	}
	c.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(c.Logger)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, fmt.Errorf("--time-zone: %w", err)
	}
	c.TimeZone = loc
	return c, nil
}
