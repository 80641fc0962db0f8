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
	var token string
	for _, f := range strings.Fields(out.String()) {
		if strings.HasPrefix(f, "emb_") {
			token = f
		}
	}
	svc := crm.NewService(dynamo.New(tbl.Client, tbl.Name), crm.Config{})
	u, err := svc.Authenticate(context.Background(), token)
	if err != nil || !u.IsAdmin() || u.Email != "ops@example.com" {
		t.Fatalf("printed token %q: %+v %v", token, u, err)
	}
	if states, err := svc.ListStates(context.Background()); err != nil || len(states) != 5 {
		t.Fatalf("states not seeded: %d %v", len(states), err)
	}

	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), args, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "admin exists") || strings.Contains(out.String(), "emb_") {
		t.Fatalf("a second bootstrap: exit %d, out %q, err %q", code, out.String(), errOut.String())
	}
	force := append(append([]string{}, args[:len(args)-1]...), "ops2@example.com", "--force")
	if code := run(context.Background(), force, &out, &errOut); code != 0 {
		t.Fatalf("--force: exit %d: %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"admin", "bootstrap"}, &out, &errOut); code != 2 {
		t.Fatalf("missing --table: exit %d", code)
	}
}
