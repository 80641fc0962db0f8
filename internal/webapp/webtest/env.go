// Package webtest is the test support of the web app (internal/webapp):
// a whole app on a real SQLite store in a temporary directory, with the
// outbox mailer, served by httptest; signed-in HTTP clients without a
// browser; the sign-in links read from the outbox; and a headless Chromium
// for browser tests. Tests only: nothing else imports it.
package webtest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
	emailout "github.com/embudo/embudo/internal/mail"
	"github.com/embudo/embudo/internal/sqlite"
	"github.com/embudo/embudo/internal/stream"
	"github.com/embudo/embudo/internal/webapp"
)

// Env is one web app under test: its service over a new SQLite database,
// its outbox directory, the first admin (with an API token) and its URL.
type Env struct {
	Svc        *crm.Service
	Store      *sqlite.Store
	Server     *httptest.Server
	URL        string // the server's base, such as http://127.0.0.1:41234 (the app is under /app)
	Outbox     string // the directory of the e-mails sent
	Admin      crm.User
	AdminToken string // the admin's API token
	Clock      *Clock // the service's and the app's clock
	feed       *sqlite.Feed
}

// Option changes what New builds.
type Option func(*config)

type config struct {
	mux    func(mux *http.ServeMux, svc *crm.Service)
	upload string
	hooks  string // WithHooksURL
	feed   bool   // WithChangeFeed
	files  bool   // WithFiles
}

// WithChangeFeed runs the change core over the store's change feed, as
// `embudo serve` does, so that writes make their timeline entries (and
// notification e-mails, in the outbox); Env.Drain waits for it. Reminders
// are not armed.
func WithChangeFeed() Option {
	return func(c *config) { c.feed = true }
}

// WithFiles gives the service a file store (a directory, its signed URLs
// served under /blobs/ on the same server, as `embudo serve` does).
func WithFiles() Option {
	return func(c *config) { c.files = true }
}

// WithHooksURL sets the app's Options.HooksURL, the base of the webhook
// URLs the sources page shows.
func WithHooksURL(base string) Option {
	return func(c *config) { c.hooks = base }
}

// WithUploadOrigin sets the app's Options.UploadOrigin.
func WithUploadOrigin(origin string) Option {
	return func(c *config) { c.upload = origin }
}

// WithRoutes lets a test add handlers beside the app (the API under /v1,
// say) on the same server.
func WithRoutes(f func(mux *http.ServeMux, svc *crm.Service)) Option {
	return func(c *config) { c.mux = f }
}

// New starts a web app on a fresh SQLite database in t.TempDir(): seeded
// (the pipeline states, the settings), with a first admin, the outbox
// mailer, and a clock that starts now and moves only when told. It is
// stopped when the test ends.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	dir := t.TempDir()
	// Failures go to the test's output (shown when it fails); the store's
	// and the outbox's info lines do not.
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "embudo.db"), sqlite.Options{Logger: log, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clock := &Clock{at: time.Now().UTC().Truncate(time.Millisecond)}
	tz, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	cfg := crm.Config{TimeZone: tz, Now: clock.Now}
	var blobs *blob.Dir
	if c.files {
		if blobs, err = blob.NewDir(filepath.Join(dir, "files"), ""); err != nil {
			t.Fatal(err)
		}
		cfg.Blobs = blobs
	}
	svc := crm.NewService(st, cfg)
	admin, token, err := svc.BootstrapAdmin(t.Context(), "admin@example.com", "", false)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Svc: svc, Store: st, Outbox: filepath.Join(dir, "outbox"), Admin: admin, AdminToken: token, Clock: clock}
	mailer := &emailout.Outbox{Dir: e.Outbox, From: "Embudo <embudo@example.com>", Logger: log}
	mux := http.NewServeMux()
	app := webapp.New(svc, webapp.Options{Logger: log, Mailer: mailer, UploadOrigin: c.upload, HooksURL: c.hooks})
	mux.Handle("/app", app)
	mux.Handle("/app/", app)
	if c.mux != nil {
		c.mux(mux, svc)
	}
	if blobs != nil {
		mux.Handle("/blobs/", blobs)
	}
	e.Server = httptest.NewServer(mux)
	t.Cleanup(e.Server.Close)
	e.URL = e.Server.URL
	if blobs != nil {
		blobs.BaseURL = e.URL
	}
	if c.feed {
		h := stream.New(stream.Config{Service: svc, Store: st, Mailer: mailer, Scheduler: noReminders{}, Log: log, Now: clock.Now})
		e.feed = st.StartFeed(h.Apply, log)
		t.Cleanup(e.feed.Close)
	}
	return e
}

// noReminders is the scheduler of WithChangeFeed: it arms nothing.
type noReminders struct{}

func (noReminders) Arm(context.Context, string, time.Time) error { return nil }
func (noReminders) Disarm(context.Context, string) error         { return nil }

// Drain waits until the change core has applied every change committed
// so far (WithChangeFeed).
func (e *Env) Drain(t testing.TB) {
	t.Helper()
	if e.feed == nil {
		t.Fatal("Drain needs webtest.WithChangeFeed()")
	}
	if err := e.feed.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// Clock is a clock that moves only when told.
type Clock struct {
	mu sync.Mutex
	at time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// User creates an active user of role with e-mail email (name: the part
// before the @).
func (e *Env) User(t testing.TB, role crm.Role, email string) crm.User {
	t.Helper()
	name, _, _ := strings.Cut(email, "@")
	u, err := e.Svc.CreateUser(t.Context(), crm.User{Name: name, Email: email, Role: role, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Client is an HTTP client of the app with a cookie jar, signed in or not,
// that does not follow redirects (tests look at them).
type Client struct {
	HTTP   *http.Client
	Base   string // the server's base URL
	Secret string // the session's secret ("" signed out)
	CSRF   string // the session's CSRF token ("" signed out)
}

// Anonymous returns a client with no session.
func (e *Env) Anonymous(t testing.TB) *Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{Base: e.URL, HTTP: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignIn returns a client signed in as u, without a browser or e-mail: the
// service makes a sign-in link and spends it, as the link's form would,
// and the session's secret goes into the client's cookie jar.
func (e *Env) SignIn(t testing.TB, u crm.User) *Client {
	t.Helper()
	_, link, err := e.Svc.RequestSignIn(t.Context(), u.Email)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, _, err := e.Svc.SignIn(t.Context(), link)
	if err != nil {
		t.Fatal(err)
	}
	c := e.Anonymous(t)
	c.SetSession(t, secret)
	return c
}

// SetSession puts a session's secret in the client's cookie jar.
func (c *Client) SetSession(t testing.TB, secret string) {
	t.Helper()
	u, err := url.Parse(c.Base + "/app/")
	if err != nil {
		t.Fatal(err)
	}
	c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: webapp.CookieName, Value: secret, Path: "/app"}})
	c.Secret, c.CSRF = secret, webapp.CSRFToken(secret)
}

// Response is a response read whole.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Location is where a redirect points ("" for none).
func (r *Response) Location() string { return r.Header.Get("Location") }

// Get requests path (such as /app/pipeline) with GET.
func (c *Client) Get(t testing.TB, path string) *Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.Base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(t, req)
}

// PostForm posts form to path as the app's own pages do: from the app's
// origin (Origin and Sec-Fetch-Site as a browser sends them) and, signed
// in, with the CSRF field.
func (c *Client) PostForm(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = slices.Clone(v)
	}
	if c.CSRF != "" && !f.Has(webapp.CSRFField) {
		f.Set(webapp.CSRFField, c.CSRF)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, c.Base+path, strings.NewReader(f.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.Base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(t, req)
}

// Do sends req with the client and reads the response whole.
func (c *Client) Do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// Mail is an e-mail read from the outbox.
type Mail struct {
	To, Subject, Text string
}

// Mails returns the e-mails in the outbox, oldest first.
func (e *Env) Mails(t testing.TB) []Mail {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(e.Outbox, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	var out []Mail
	for _, f := range files {
		out = append(out, readMail(t, f))
	}
	return out
}

// readMail reads an outbox file: its recipient, subject and text part.
func readMail(t testing.TB, file string) Mail {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	out := Mail{To: m.Header.Get("To"), Subject: subject}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(quotedprintable.NewReader(p))
			if err != nil {
				t.Fatal(err)
			}
			out.Text = string(b)
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`https?://\S+/app/signin/link\?\S+`)

// SignInLink returns the sign-in link of the newest e-mail to address in
// the outbox, failing the test when there is none.
func (e *Env) SignInLink(t testing.TB, address string) string {
	t.Helper()
	ms := e.Mails(t)
	for i := len(ms) - 1; i >= 0; i-- {
		if strings.Contains(ms[i].To, address) {
			if l := linkRE.FindString(ms[i].Text); l != "" {
				return l
			}
		}
	}
	t.Fatalf("no sign-in link to %s in the outbox (%d e-mails)", address, len(ms))
	return ""
}
