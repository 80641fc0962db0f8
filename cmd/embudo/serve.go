package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/infra"
	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/graph"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/local"
)

var errUsage = errors.New("usage")

// serveConfig are the flags of `embudo serve`.
type serveConfig struct {
	addr, data, endpoint, table, template, region, tz, logLevel, graphURL string
	sesEndpoint, mailFrom, appURL                                         string
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c serveConfig
	fs := flag.NewFlagSet("embudo serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:3000", "address to listen on")
	fs.StringVar(&c.data, "data", ".embudo", "data directory (the change log of the embedded store)")
	fs.StringVar(&c.endpoint, "dynamodb-endpoint", "", "use this DynamoDB endpoint (DynamoDB Local, or \"aws\" for the account of your AWS credentials) instead of the embedded store")
	fs.StringVar(&c.table, "table", "embudo", "table name")
	fs.StringVar(&c.template, "template", "template.yaml", "SAM template the table definition is read from")
	fs.StringVar(&c.region, "phone-region", "ES", "default country of phone numbers written without a prefix")
	fs.StringVar(&c.tz, "time-zone", "Europe/Madrid", "company time zone")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.graphURL, "graph-api-url", "", "Meta Graph API base URL (default https://graph.facebook.com/v21.0)")
	fs.StringVar(&c.sesEndpoint, "ses-endpoint", "", "send e-mail to this SES v2 endpoint (e.g. the aws-ses-v2-local emulator) instead of the outbox directory")
	fs.StringVar(&c.mailFrom, "mail-from", "Embudo <embudo@localhost.localdomain>", "sender of notification e-mails")
	fs.StringVar(&c.appURL, "app-url", "", "base URL links in e-mails point to")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)
	loc, err := time.LoadLocation(c.tz)
	if err != nil {
		return fmt.Errorf("--time-zone: %w", err)
	}

	tableDef, err := tableDefinition(c, log)
	if err != nil {
		return err
	}
	var db dynamo.API
	var st *local.Store
	if c.endpoint == "" {
		st, err = local.Open(ctx, local.Options{DataDir: c.data, Table: tableDef, Logger: log})
		if err != nil {
			return err
		}
		defer func() {
			if err := st.Close(); err != nil {
				log.Error("closing the local store", "err", err)
			}
		}()
		db = st.DB
	} else {
		cl, err := remoteTable(ctx, c.endpoint, tableDef)
		if err != nil {
			return err
		}
		db = cl
	}

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	blobs, err := blob.NewDir(filepath.Join(c.data, "files"), "http://"+ln.Addr().String())
	if err != nil {
		return err
	}
	svc := crm.NewService(dynamo.New(db, c.table), crm.Config{PhoneRegion: c.region, TimeZone: loc, Blobs: blobs})
	if err := svc.EnsureSeeded(ctx); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	if err := bootstrapLocalAdmin(ctx, svc, stdout, log); err != nil {
		return err
	}
	if st != nil {
		stop, err := startEffects(ctx, c, svc, st, log)
		if err != nil {
			return err
		}
		defer stop()
	} else {
		log.Warn("with --dynamodb-endpoint there is no change feed: notifications, reminders, timeline and counters are not produced")
	}

	mux := http.NewServeMux()
	mux.Handle("/blobs/", blobs)
	mux.Handle("/hooks/", httpapi.NewHooks(svc, httpapi.HookOptions{Logger: log,
		Meta: &graph.Client{BaseURL: c.graphURL, HTTP: &http.Client{Timeout: 5 * time.Second}}}))
	mux.Handle("/", httpapi.New(svc, httpapi.Options{Logger: log}))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	log.Info("embudo is serving", "url", "http://"+ln.Addr().String(), "data", c.data)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// tableDefinition reads the table from the SAM template so that the local
// table is the deployed one; without a template (a binary run elsewhere) it
// uses the store's own schema, which a test keeps equal to the template.
func tableDefinition(c serveConfig, log *slog.Logger) (*dynamodb.CreateTableInput, error) {
	if _, err := os.Stat(c.template); err == nil {
		return infra.TableFromTemplate(c.template, c.table)
	}
	log.Info("no template found; using the built-in table definition", "template", c.template)
	return dynamo.Schema(c.table), nil
}

// remoteTable connects to DynamoDB Local ("http://...") or AWS ("aws") and
// creates the table there if it does not exist.
func remoteTable(ctx context.Context, endpoint string, def *dynamodb.CreateTableInput) (*dynamodb.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "eu-west-1"
	}
	cl := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "aws" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	_, err = cl.CreateTable(ctx, def)
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) && !strings.Contains(err.Error(), "already exists") {
		return nil, fmt.Errorf("create table: %w", err)
	}
	return cl, nil
}

// bootstrapLocalAdmin creates the first admin on first start: its token is
// EMBUDO_BOOTSTRAP_TOKEN if set, or a new one printed this once.
func bootstrapLocalAdmin(ctx context.Context, svc *crm.Service, stdout io.Writer, log *slog.Logger) error {
	has, err := svc.Store().HasAdmin(ctx)
	if err != nil || has {
		return err
	}
	env := os.Getenv("EMBUDO_BOOTSTRAP_TOKEN")
	u, secret, err := svc.BootstrapAdmin(ctx, "", env, false)
	if err != nil {
		return fmt.Errorf("creating the first admin: %w", err)
	}
	if env != "" {
		log.Info("created the first admin with the token in EMBUDO_BOOTSTRAP_TOKEN", "user", u.ID)
		return nil
	}
	fmt.Fprintf(stdout, "\nFirst start: created admin user %s.\nAdmin API token (shown only this once, keep it):\n\n    %s\n\n", u.ID, secret)
	return nil
}
