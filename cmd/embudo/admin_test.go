package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
)

// `embudo admin bootstrap` against a deployed table (here minidyn through
// --endpoint): it prints a working token once, refuses a second first admin,
// and adds one with --force.
func TestAdminBootstrap(t *testing.T) {
	tbl := dynamotest.New(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	args := []string{"admin", "bootstrap", "--table", tbl.Name, "--region", "eu-west-1", "--endpoint", tbl.URL, "--email", "ops@example.com"}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	svc := crm.NewService(dynamo.New(tbl.Client, tbl.Name), crm.Config{})
	first := adminOfPrintedToken(t, svc, out.String(), "ops@example.com")
	if states, err := svc.ListStates(context.Background()); err != nil || len(states) != 5 {
		t.Fatalf("states not seeded: %d %v", len(states), err)
	}

	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), args, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "admin exists") || strings.Contains(out.String(), "emb_") {
		t.Fatalf("a second bootstrap: exit %d, out %q, err %q", code, out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	force := append(append([]string{}, args[:len(args)-1]...), "ops2@example.com", "--force")
	if code := run(context.Background(), force, &out, &errOut); code != 0 {
		t.Fatalf("--force: exit %d: %s", code, errOut.String())
	}
	second := adminOfPrintedToken(t, svc, out.String(), "ops2@example.com")
	if second.ID == first.ID {
		t.Fatalf("--force printed the first admin's token: %+v", second)
	}
	// Both admins exist, each with its e-mail.
	users, err := svc.ListUsers(context.Background(), crm.ListOptions{Limit: crm.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	admins := map[string]string{}
	for _, u := range users.Items {
		if u.IsAdmin() {
			admins[u.Email] = u.ID
		}
	}
	if len(admins) != 2 || admins["ops@example.com"] != first.ID || admins["ops2@example.com"] != second.ID {
		t.Fatalf("admins after --force: %v, want ops@example.com and ops2@example.com", admins)
	}
	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), []string{"admin", "bootstrap"}, &out, &errOut); code != 2 {
		t.Fatalf("missing --table: exit %d", code)
	}
}

// adminOfPrintedToken finds the one API token printed in out and returns
// the user it authenticates, which must be an admin with e-mail email.
func adminOfPrintedToken(t *testing.T, svc *crm.Service, out, email string) crm.User {
	t.Helper()
	var tokens []string
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, "emb_") {
			tokens = append(tokens, f)
		}
	}
	if len(tokens) != 1 {
		t.Fatalf("printed %d tokens, want 1:\n%s", len(tokens), out)
	}
	u, err := svc.Authenticate(context.Background(), tokens[0])
	if err != nil || !u.IsAdmin() || u.Email != email || !u.Active {
		t.Fatalf("printed token %q authenticates %+v (%v), want the active admin %s", tokens[0], u, err, email)
	}
	return u
}
