package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/sqlite"
)

// `embudo copy` from a data directory into a table (minidyn through
// --endpoint, with no AWS credentials configured) and back: the summary of
// each, the token working on the table; flags used wrongly are exit 2.
func TestCopyCommand(t *testing.T) {
	ctx := context.Background()
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "embudo.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := crm.NewService(st, crm.Config{})
	admin, secret, err := svc.BootstrapAdmin(ctx, "marta@example.com", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateContact(ctx, admin, crm.Contact{Name: "Ana", Email: "ana@example.com"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	tbl := dynamotest.New(t)

	var out, errOut bytes.Buffer
	args := []string{"copy", "--from", dir, "--to", "dynamodb:" + tbl.Name, "--endpoint", tbl.URL}
	if code := run(ctx, args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Verified") || !strings.Contains(out.String(), "Wrote ") {
		t.Errorf("summary:\n%s", out.String())
	}
	if u, err := crm.NewService(dynamo.New(tbl.Client, tbl.Name), crm.Config{}).Authenticate(ctx, secret); err != nil || u.ID != admin.ID {
		t.Errorf("the local admin's token on the table: %v %v", u.ID, err)
	}
	out.Reset()
	if code := run(ctx, args, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "not empty") {
		t.Errorf("a second copy into the table: exit %d, %s", code, errOut.String())
	}
	out.Reset()
	if code := run(ctx, append(args, "--resume"), &out, &errOut); code != 0 || !strings.Contains(out.String(), "Wrote 0 items") {
		t.Errorf("--resume of a complete copy: exit %d, %s", code, out.String())
	}
	out.Reset()
	back := filepath.Join(t.TempDir(), "restored")
	if code := run(ctx, []string{"copy", "--from", "dynamodb:" + tbl.Name, "--to", back, "--endpoint", tbl.URL}, &out, &errOut); code != 0 {
		t.Fatalf("back: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Loaded "+filepath.Join(back, "embudo.db")) {
		t.Errorf("summary back:\n%s", out.String())
	}
	for _, bad := range [][]string{
		{"copy", "--from", dir},
		{"copy", "--from", dir, "--to", "dynamodb:"},
		{"copy", "--from", dir, "--to", "dynamodb:x", "--files", "bucket"},
		{"copy", "--from", dir, "--to", "dynamodb:x", "--schedule-group", "g"},
		{"copy", "--from", dir, "--to", t.TempDir(), "--files", "s3:b"},
	} {
		if code := run(ctx, bad, &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
