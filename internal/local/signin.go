package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/sqlite"
	"github.com/embudo/embudo/internal/webapp"
)

// localAppURL is the web app's base on the address a server listens on:
// http://127.0.0.1:3000/app, with a loopback address for an unspecified
// one (":3000" listens on every address; the browser of this machine
// reaches it on 127.0.0.1).
func localAppURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/app"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/app"
}

// printSignInLink prints a sign-in link for the active user of email (the
// first admin when ""), under appURL. Errors: no such user, the store.
func printSignInLink(ctx context.Context, svc *crm.Service, appURL, email string, stdout io.Writer) error {
	link, u, err := signInLink(ctx, svc, appURL, email)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Sign in to the web app as %s (the link works once, for %d minutes):\n\n    %s\n\n",
		u.Email, int(crm.SignInTTL.Minutes()), link)
	return nil
}

// signInLink makes a sign-in link for the active user of email, or for the
// first active admin when email is "".
func signInLink(ctx context.Context, svc *crm.Service, appURL, email string) (string, crm.User, error) {
	if email == "" {
		u, err := firstAdmin(ctx, svc)
		if err != nil {
			return "", crm.User{}, err
		}
		email = u.Email
	}
	u, secret, err := svc.RequestSignIn(ctx, email)
	if crm.ErrorCode(err) == crm.CodeNotFound {
		return "", crm.User{}, fmt.Errorf("no active user has the e-mail %q", email)
	}
	if err != nil {
		return "", crm.User{}, err
	}
	return webapp.SignInURL(appURL, secret, ""), u, nil
}

// firstAdmin returns the oldest active admin.
func firstAdmin(ctx context.Context, svc *crm.Service) (crm.User, error) {
	o := crm.ListOptions{Limit: crm.MaxLimit}
	for {
		p, err := svc.ListUsers(ctx, o)
		if err != nil {
			return crm.User{}, err
		}
		for _, u := range p.Items {
			if u.IsAdmin() {
				return u, nil
			}
		}
		if p.NextCursor == "" {
			return crm.User{}, errors.New("there is no active admin")
		}
		o.Cursor = p.NextCursor
	}
}

// SignInLink prints a sign-in link for the active user of email (the first
// admin when "") of the embedded database in the data directory dir,
// under appURL (`embudo signin-link`), whether a Server runs on it or not.
// Errors: there is no database in dir, no such user.
func SignInLink(ctx context.Context, dir, appURL, email string, stdout io.Writer, log *slog.Logger) error {
	path := filepath.Join(dir, DBFile)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database: %w", err)
	}
	st, err := sqlite.Open(ctx, path, sqlite.Options{Logger: log})
	if err != nil {
		return err
	}
	defer st.Close()
	svc := crm.NewService(st, crm.Config{TimeZone: time.UTC})
	return printSignInLink(ctx, svc, appURL, email, stdout)
}
