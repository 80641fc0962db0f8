// Package local runs the whole CRM on one machine, as `embudo serve` does:
// the API, the lead webhooks and the files on one listener, over the
// embedded SQLite database (internal/sqlite) or a DynamoDB endpoint, with
// the database's change feed driving the same change core (internal/stream)
// the stream Lambda runs, a timer for the reminders and a sweep for the late
// ones. It is wiring, as a Lambda function's main is: cmd/embudo reads the
// flags into a Config; the deployed functions build their own.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/graph"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/inbound"
	"github.com/embudo/embudo/internal/sqlite"
	"github.com/embudo/embudo/internal/webapp"
)

// DBFile is the embedded database's file name inside the data directory.
const DBFile = "embudo.db"

// Config is what a Server runs: `embudo serve`'s flags.
type Config struct {
	Addr string // address to listen on
	Data string // data directory: the database DBFile, files/ and outbox/
	// DynamoDBEndpoint, when not "", is a DynamoDB endpoint to run on
	// instead of the embedded database: DynamoDB Local's URL, or "aws" for
	// the account of the AWS credentials. There is no change feed then.
	DynamoDBEndpoint string
	Table            string // DynamoDB table name (with DynamoDBEndpoint)
	// Template is the SAM template the DynamoDB table definition is read
	// from (with DynamoDBEndpoint); without it, dynamo.Schema's.
	Template    string
	PhoneRegion string         // default country of phone numbers written without a prefix
	TimeZone    *time.Location // company time zone
	GraphURL    string         // Meta Graph API base URL ("": graph.Client's default)
	SESEndpoint string         // send e-mail to this SES v2 endpoint instead of Data/outbox
	MailFrom    string         // sender of notification e-mails
	// AppURL is the web app's public base, which links in e-mails and
	// the sign-in links start with ("": http://<the address listened on>/app).
	AppURL string
	// SignInLink prints a sign-in link for the first admin at start (the
	// first start always does).
	SignInLink bool
	// SyncNormal commits with synchronous=NORMAL: faster, but a power loss
	// may lose the last writes (a crash of the process loses nothing).
	SyncNormal bool
	Logger     *slog.Logger // nil: slog.Default()
	// SMTPAddr is where e-mail in is received (BCC, forwards, replies to
	// notifications: internal/inbound); "" for no listener.
	SMTPAddr string
	// InboundDomain is the domain of the reply addresses of notification
	// e-mails (DefaultInboundDomain when ""); ReplyKey signs them (the data
	// directory's reply.key when nil).
	InboundDomain string
	ReplyKey      []byte
}

// Server is the CRM running locally: Run starts it, Wait waits for its
// end, Close stops it.
type Server struct {
	cfg   Config
	log   *slog.Logger
	ln    net.Listener
	smtp  string // the SMTP listener's address
	app   string // the web app's public base URL
	srv   *http.Server
	errc  chan error
	close []func() error // run in reverse order by Close
}

// NewServer returns a server of c, not started.
func NewServer(c Config) *Server {
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	if c.TimeZone == nil {
		c.TimeZone = time.UTC
	}
	return &Server{cfg: c, log: log, errc: make(chan error, 1)}
}

// Run opens the store, seeds it, creates the first admin on first start
// (printing its token on stdout unless EMBUDO_BOOTSTRAP_TOKEN gives it),
// starts the change feed and the HTTP server, and returns once it is
// listening. Errors: the store cannot be opened (a damaged database names
// its file), the address is taken. After an error, Close releases what Run
// had opened.
func (s *Server) Run(ctx context.Context, stdout io.Writer) error {
	c := s.cfg
	ln, err := net.Listen("tcp", c.Addr)
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
	blobs, err := blob.NewDir(filepath.Join(c.Data, "files"), "http://"+ln.Addr().String())
	if err != nil {
		return err
	}
	stopSweep := blobs.StartSweep(sweepEvery, s.log) // uploads never completed
	s.close = append(s.close, func() error { stopSweep(); return nil })
	store, feedOf, err := s.openStore(ctx)
	if err != nil {
		return err
	}
	svc := crm.NewService(store, crm.Config{PhoneRegion: c.PhoneRegion, TimeZone: c.TimeZone, Blobs: blobs})
	if err := svc.EnsureSeeded(ctx); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	if c.AppURL == "" {
		c.AppURL = localAppURL(ln.Addr())
	}
	s.app = c.AppURL
	first, err := bootstrapAdmin(ctx, svc, store, stdout, s.log)
	if err != nil {
		return err
	}
	if first || c.SignInLink {
		if err := printSignInLink(ctx, svc, c.AppURL, "", stdout); err != nil {
			return err
		}
	}
	mailer := newMailer(c, s.log)
	tokens, err := replyTokens(c)
	if err != nil {
		return err
	}
	if c.SMTPAddr != "" {
		h := &inbound.Handler{Svc: svc, Files: blobs, Tokens: tokens, Log: s.log}
		// A taken SMTP address (another embudo serve, a test) leaves the
		// CRM running without e-mail in, said once.
		if addr, stop, err := startSMTP(c.SMTPAddr, h, s.log); err != nil {
			s.log.Error("not receiving e-mail: the SMTP address is taken; pass another with --smtp-addr", "err", err)
		} else {
			s.smtp = addr
			s.close = append(s.close, stop)
			s.log.Info("receiving e-mail", "smtp", addr, "replies", "n+<token>@"+tokens.Domain)
		}
	}
	if feedOf != nil {
		stop, err := startEffects(ctx, c, svc, feedOf, mailer, tokens, s.log)
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
		Meta: &graph.Client{BaseURL: c.GraphURL, HTTP: &http.Client{Timeout: 5 * time.Second}}}))
	app := webapp.New(svc, webapp.Options{Logger: s.log, Mailer: mailer, AppURL: c.AppURL})
	mux.Handle("/app", app)
	mux.Handle("/app/", app)
	mux.Handle("/", httpapi.New(svc, httpapi.Options{Logger: s.log, Idempotency: store}))
	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	go func() {
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.errc <- err
		}
	}()
	where := filepath.Join(c.Data, DBFile)
	if c.DynamoDBEndpoint != "" {
		where = c.DynamoDBEndpoint
	}
	s.log.Info("embudo is serving", "url", "http://"+ln.Addr().String(), "store", where)
	return nil
}

// AppURL returns the web app's public base URL (Config.AppURL, or the
// address listened on with /app).
func (s *Server) AppURL() string { return s.app }

// SMTPAddr returns the address the SMTP listener listens on ("" for none).
func (s *Server) SMTPAddr() string { return s.smtp }

// Wait returns when ctx is done (nil) or the HTTP server fails (its error).
func (s *Server) Wait(ctx context.Context) error {
	var err error
	select {
	case err = <-s.errc:
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	return err
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
	if c.DynamoDBEndpoint != "" {
		def, err := tableDefinition(c, s.log)
		if err != nil {
			return nil, nil, err
		}
		cl, err := remoteTable(ctx, c.DynamoDBEndpoint, def)
		if err != nil {
			return nil, nil, err
		}
		return dynamo.New(cl, c.Table), nil, nil
	}
	sync := "FULL"
	if c.SyncNormal {
		sync = "NORMAL"
	}
	st, err := sqlite.Open(ctx, filepath.Join(c.Data, DBFile), sqlite.Options{Logger: s.log, Synchronous: sync})
	if err != nil {
		return nil, nil, err
	}
	s.close = append(s.close, st.Close)
	if err := convertChangeLog(ctx, c.Data, st, s.log); err != nil {
		return nil, nil, err
	}
	return st, st, nil
}

// bootstrapAdmin creates the first admin on first start: its token is
// EMBUDO_BOOTSTRAP_TOKEN if set, or a new one printed this once. It
// reports whether it created one.
func bootstrapAdmin(ctx context.Context, svc *crm.Service, users crm.UserStore, stdout io.Writer, log *slog.Logger) (bool, error) {
	has, err := users.HasAdmin(ctx)
	if err != nil || has {
		return false, err
	}
	env := os.Getenv("EMBUDO_BOOTSTRAP_TOKEN")
	u, secret, err := svc.BootstrapAdmin(ctx, "", env, false)
	if err != nil {
		return false, fmt.Errorf("creating the first admin: %w", err)
	}
	if env != "" {
		log.Info("created the first admin with the token in EMBUDO_BOOTSTRAP_TOKEN", "user", u.ID)
		return true, nil
	}
	fmt.Fprintf(stdout, "\nFirst start: created admin user %s.\nAdmin API token (shown only this once, keep it):\n\n    %s\n\n", u.ID, secret)
	return true, nil
}
