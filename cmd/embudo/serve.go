package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
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
	"github.com/embudo/embudo/internal/sqlite"
)

var errUsage = errors.New("usage")

// dbFile is the embedded database's file name inside the data directory.
const dbFile = "embudo.db"

// serveConfig are the flags of `embudo serve`.
type serveConfig struct {
	addr, data, endpoint, table, template, region, tz, logLevel, graphURL string
	sesEndpoint, mailFrom, appURL                                         string
	syncNormal                                                            bool
}

// Server is `embudo serve`: the API, the webhooks and the local files on one
// listener, over the embedded SQLite store (or a DynamoDB endpoint), with
// the change feed driving the same change core the stream Lambda runs.
type Server struct {
	cfg   serveConfig
	log   *slog.Logger
	loc   *time.Location
	ln    net.Listener
	srv   *http.Server
	errc  chan error
	close []func() error // run in reverse order by Close
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var s Server
	if err := s.ParseFlags(args, stderr); err != nil {
		return err
	}
	if err := s.Run(ctx, stdout); err != nil {
		return errors.Join(err, s.Close())
	}
	var err error
	select {
	case err = <-s.errc:
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	return errors.Join(err, s.Close())
}

// ParseFlags reads the flags of `embudo serve` and sets up logging.
// Errors: errUsage, or a flag value that does not parse.
func (s *Server) ParseFlags(args []string, stderr io.Writer) error {
	c := &s.cfg
	fs := flag.NewFlagSet("embudo serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:3000", "address to listen on")
	fs.StringVar(&c.data, "data", ".embudo", "data directory: the database "+dbFile+", files/ and outbox/")
	fs.StringVar(&c.endpoint, "dynamodb-endpoint", "", "run on this DynamoDB endpoint (DynamoDB Local, or \"aws\" for the account of your AWS credentials) instead of the embedded database")
	fs.StringVar(&c.table, "table", "embudo", "DynamoDB table name (with --dynamodb-endpoint)")
	fs.StringVar(&c.template, "template", "template.yaml", "SAM template the DynamoDB table definition is read from (with --dynamodb-endpoint)")
	fs.StringVar(&c.region, "phone-region", "ES", "default country of phone numbers written without a prefix")
	fs.StringVar(&c.tz, "time-zone", "Europe/Madrid", "company time zone")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.graphURL, "graph-api-url", "", "Meta Graph API base URL (default https://graph.facebook.com/v21.0)")
	fs.StringVar(&c.sesEndpoint, "ses-endpoint", "", "send e-mail to this SES v2 endpoint (e.g. the aws-ses-v2-local emulator) instead of the outbox directory")
	fs.StringVar(&c.mailFrom, "mail-from", "Embudo <embudo@localhost.localdomain>", "sender of notification e-mails")
	fs.StringVar(&c.appURL, "app-url", "", "base URL links in e-mails point to")
	fs.BoolVar(&c.syncNormal, "sync-normal", false, "commit with synchronous=NORMAL: faster, but a power loss may lose the last writes (a crash of the process loses nothing either way)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	s.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(s.log)
	loc, err := time.LoadLocation(c.tz)
	if err != nil {
		return fmt.Errorf("--time-zone: %w", err)
	}
	s.loc = loc
	return nil
}

// Run opens the store, seeds it, creates the first admin on first start,
// starts the change feed and the HTTP server, and returns once it is
// listening. Errors: the store cannot be opened (a damaged database names
// its file), the address is taken.
func (s *Server) Run(ctx context.Context, stdout io.Writer) error {
	c := s.cfg
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.close = append(s.close, func() error {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	})
	blobs, err := blob.NewDir(filepath.Join(c.data, "files"), "http://"+ln.Addr().String())
	if err != nil {
		return err
	}
	store, feedOf, err := s.openStore(ctx)
	if err != nil {
		return err
	}
	svc := crm.NewService(store, crm.Config{PhoneRegion: c.region, TimeZone: s.loc, Blobs: blobs})
	if err := svc.EnsureSeeded(ctx); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	if err := bootstrapLocalAdmin(ctx, svc, stdout, s.log); err != nil {
		return err
	}
	if feedOf != nil {
		stop, err := startEffects(ctx, c, svc, feedOf, s.log)
		if err != nil {
			return err
		}
		s.close = append(s.close, func() error { stop(); return nil })
	} else {
		s.log.Warn("with --dynamodb-endpoint there is no change feed: notifications, reminders, timeline and counters are not produced")
	}

	mux := http.NewServeMux()
	mux.Handle("/blobs/", blobs)
	mux.Handle("/hooks/", httpapi.NewHooks(svc, httpapi.HookOptions{Logger: s.log,
		Meta: &graph.Client{BaseURL: c.graphURL, HTTP: &http.Client{Timeout: 5 * time.Second}}}))
	mux.Handle("/", httpapi.New(svc, httpapi.Options{Logger: s.log}))
	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	s.errc = make(chan error, 1)
	go func() {
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.errc <- err
		}
	}()
	where := filepath.Join(c.data, dbFile)
	if c.endpoint != "" {
		where = c.endpoint
	}
	s.log.Info("embudo is serving", "url", "http://"+ln.Addr().String(), "store", where)
	return nil
}

// Close stops the HTTP server (letting requests in flight finish), the
// change feed and the reminder timer, and closes the store.
func (s *Server) Close() error {
	var errs []error
	if s.srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, s.srv.Shutdown(sctx))
		cancel()
	}
	for i := len(s.close) - 1; i >= 0; i-- {
		errs = append(errs, s.close[i]())
	}
	return errors.Join(errs...)
}

// openStore opens the embedded database (converting a data directory of
// the earlier change-log format once), or connects to the DynamoDB
// endpoint. feed is nil on DynamoDB (its stream drives the Lambda there).
func (s *Server) openStore(ctx context.Context) (crm.Store, *sqlite.Store, error) {
	c := s.cfg
	if c.endpoint != "" {
		def, err := tableDefinition(c, s.log)
		if err != nil {
			return nil, nil, err
		}
		cl, err := remoteTable(ctx, c.endpoint, def)
		if err != nil {
			return nil, nil, err
		}
		return dynamo.New(cl, c.table), nil, nil
	}
	sync := "FULL"
	if c.syncNormal {
		sync = "NORMAL"
	}
	st, err := sqlite.Open(ctx, filepath.Join(c.data, dbFile), sqlite.Options{Logger: s.log, Synchronous: sync})
	if err != nil {
		return nil, nil, err
	}
	s.close = append(s.close, st.Close)
	if err := convertChangeLog(ctx, c.data, st, s.log); err != nil {
		return nil, nil, err
	}
	return st, st, nil
}

// legacyLog is the change log of the embedded store of earlier versions.
const legacyLog = "changes.log"

// convertChangeLog loads a data directory written by an earlier version
// (its changes.log) into the database, once: the log is then renamed, never
// deleted. A load that committed but was not followed by the rename (a crash
// between the two) is recognised by the database being seeded already.
func convertChangeLog(ctx context.Context, dir string, st *sqlite.Store, log *slog.Logger) error {
	path := filepath.Join(dir, legacyLog)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	states, err := st.ListStates(ctx)
	if err != nil {
		return err
	}
	if len(states) == 0 { // nothing loaded yet
		snap, err := dynamo.ReadChangeLog(path)
		if err != nil {
			return fmt.Errorf("converting %s: %w (the file is untouched; the earlier version still reads it)", path, err)
		}
		if err := st.Load(ctx, snap); err != nil {
			return fmt.Errorf("converting %s: %w", path, err)
		}
		log.Info("converted the data directory of an earlier version into the database",
			"from", path, "to", st.Path(), "contacts", len(snap.Contacts), "opportunities", len(snap.Opportunities))
	}
	kept := path + ".converted"
	if err := os.Rename(path, kept); err != nil {
		return err
	}
	log.Info("the earlier change log is kept", "file", kept)
	return nil
}

// tableDefinition reads the table from the SAM template so that a table
// created on a DynamoDB endpoint is the deployed one; without a template (a
// binary run elsewhere) it uses the store's own schema, which a test keeps
// equal to the template.
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
