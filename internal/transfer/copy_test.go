package transfer_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/sqlite"
	"github.com/embudo/embudo/internal/transfer"
)

func endpoint(t *testing.T, s string) transfer.Endpoint {
	t.Helper()
	e, err := transfer.ParseEndpoint(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// diff names the first kind of value two snapshots differ in.
func diff(a, b crm.Snapshot) string {
	a, b = transfer.Canonical(a), transfer.Canonical(b)
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			return va.Type().Field(i).Name + ":\n" + strings.ReplaceAll(
				sprint(va.Field(i).Interface())+"\n"+sprint(vb.Field(i).Interface()), "}, {", "},\n{")
		}
	}
	return ""
}

// A local CRM moved into DynamoDB and back is the same CRM: every entity,
// number, counter, token and marker, and every file's content.
func TestRoundTripSQLiteDynamoDBSQLite(t *testing.T) {
	l := newLocal(t)
	before := snapshotOf(t, l.dir)
	db := filepath.Join(l.dir, "embudo.db")
	sum := fileSum(t, db)
	tbl := dynamotest.New(t)
	b := newBucket(t)
	table := transfer.Endpoint{Table: tbl.Name}

	up, err := transfer.Copy(bg, transfer.Options{From: endpoint(t, l.dir), To: table, DynamoDB: tbl.Client, Bucket: b.s3, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if fileSum(t, db) != sum {
		t.Error("the copy changed the source database")
	}
	onDynamo, err := dynamo.Export(bg, tbl.Client, tbl.Name, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(before, onDynamo); d != "" {
		t.Fatalf("the table holds another CRM: %s", d)
	}
	if up.Written == 0 || up.Units < up.Written || up.Skipped != 0 || up.Files != 2 || up.FilesMissing != 1 || up.Pending != 1 {
		t.Errorf("report %+v", up)
	}
	for key, want := range l.contents {
		if got, ok := b.object(key); !ok || !bytes.Equal(got, want) {
			t.Errorf("%s in the bucket: %q", key, got)
		}
	}

	back := t.TempDir()
	onTable := items(t, tbl)
	down, err := transfer.Copy(bg, transfer.Options{From: table, To: endpoint(t, back), DynamoDB: tbl.Client, Bucket: b.s3, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(items(t, tbl), onTable) {
		t.Error("the copy back changed the table")
	}
	if d := diff(before, snapshotOf(t, back)); d != "" {
		t.Fatalf("back in SQLite, another CRM: %s", d)
	}
	if !down.Loaded || down.Files != 2 {
		t.Errorf("report %+v", down)
	}
	for key, want := range l.contents {
		if got, err := os.ReadFile(filepath.Join(back, "files", key)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s back in the files directory: %q %v", key, got, err)
		}
	}
	var out strings.Builder
	down.Print(&out, transfer.Options{})
	if !strings.Contains(out.String(), "Verified") || strings.Contains(out.String(), "DIFFERS") {
		t.Errorf("summary:\n%s", out.String())
	}
	t.Logf("the copy back's summary:\n%s", out.String())
}

// The API tokens in people's scripts and the webhook URLs pasted into
// forms keep working after the move, through the real handlers: on the
// table, and back in a data directory.
func TestOldTokensAndWebhookURLsWorkOnTheTarget(t *testing.T) {
	l := newLocal(t)
	tbl := dynamotest.New(t)
	table := transfer.Endpoint{Table: tbl.Name}
	if _, err := transfer.Copy(bg, transfer.Options{From: endpoint(t, l.dir), To: table, DynamoDB: tbl.Client, Log: quiet}); err != nil {
		t.Fatal(err)
	}
	checkCredentials(t, "DynamoDB", crm.NewService(dynamo.New(tbl.Client, tbl.Name), crm.Config{}), l, "carla@example.com", "633444555")

	back := t.TempDir()
	if _, err := transfer.Copy(bg, transfer.Options{From: table, To: endpoint(t, back), DynamoDB: tbl.Client, Log: quiet}); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(bg, filepath.Join(back, "embudo.db"), sqlite.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkCredentials(t, "SQLite", crm.NewService(st, crm.Config{}), l, "dora@example.com", "644555666")
}

func checkCredentials(t *testing.T, where string, svc *crm.Service, l local, email, phone string) {
	t.Helper()
	api := httptest.NewServer(httpapi.New(svc, httpapi.Options{TokenCacheTTL: -1, Logger: quiet}))
	defer api.Close()
	for who, token := range map[string]string{"admin": l.adminToken, "staff": l.staffToken} {
		req, _ := http.NewRequest(http.MethodGet, api.URL+"/v1/contacts?q=ana", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(body.String(), "ana.perez@example.com") {
			t.Errorf("%s: the %s token: %d %s", where, who, res.StatusCode, body.String())
		}
	}
	hooks := httptest.NewServer(httpapi.NewHooks(svc, httpapi.HookOptions{Logger: quiet}))
	defer hooks.Close()
	form := url.Values{"name": {"Carla"}, "email": {email}, "tel": {phone}}
	res, err := http.PostForm(hooks.URL+"/hooks/"+l.hookToken, form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: the form's webhook URL: %d", where, res.StatusCode)
	}
	p, err := svc.ListContacts(bg, crm.ContactFilter{Email: email}, crm.ListOptions{Limit: 1})
	if err != nil || len(p.Items) != 1 {
		t.Errorf("%s: the form's lead is not a contact: %v %v", where, p.Items, err)
	}
}

// A copy writes only into an empty target, and refuses one store as both
// sides; a resumed copy refuses a target that is not an earlier copy.
func TestTheTargetMustBeEmpty(t *testing.T) {
	l := newLocal(t)
	from := endpoint(t, l.dir)
	if _, err := transfer.Copy(bg, transfer.Options{From: from, To: endpoint(t, filepath.Join(l.dir, "embudo.db")), Log: quiet}); err == nil {
		t.Error("a copy of a store onto itself")
	}
	// A table the API has started on is seeded: not empty.
	tbl := dynamotest.New(t)
	if err := crm.NewService(dynamo.New(tbl.Client, tbl.Name), crm.Config{}).EnsureSeeded(bg); err != nil {
		t.Fatal(err)
	}
	table := transfer.Endpoint{Table: tbl.Name}
	_, err := transfer.Copy(bg, transfer.Options{From: from, To: table, DynamoDB: tbl.Client, Log: quiet})
	if crm.ErrorCode(err) != crm.CodeConflict || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("into a seeded table: %v", err)
	}
	_, err = transfer.Copy(bg, transfer.Options{From: from, To: table, DynamoDB: tbl.Client, Resume: true, Log: quiet})
	if crm.ErrorCode(err) != crm.CodeConflict || !strings.Contains(err.Error(), "not an earlier copy") {
		t.Errorf("resumed into a seeded table: %v", err)
	}
	// A data directory that holds another CRM.
	other := newLocal(t)
	_, err = transfer.Copy(bg, transfer.Options{From: from, To: endpoint(t, other.dir), Log: quiet})
	if crm.ErrorCode(err) != crm.CodeConflict || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("into a data directory in use: %v", err)
	}
	_, err = transfer.Copy(bg, transfer.Options{From: from, To: endpoint(t, other.dir), Resume: true, Log: quiet})
	if crm.ErrorCode(err) != crm.CodeConflict || !strings.Contains(err.Error(), "not an earlier copy") {
		t.Errorf("resumed into a data directory in use: %v", err)
	}
	if _, err := transfer.Copy(bg, transfer.Options{From: endpoint(t, t.TempDir()), To: endpoint(t, t.TempDir()), Log: quiet}); err == nil ||
		!strings.Contains(err.Error(), "no database to copy") {
		t.Errorf("from a directory without a database: %v", err)
	}
}

// Between two data directories the files directory follows; a second run
// with --resume finds the copy complete.
func TestCopyBetweenDataDirectories(t *testing.T) {
	l := newLocal(t)
	dst := t.TempDir()
	o := transfer.Options{From: endpoint(t, l.dir), To: endpoint(t, dst), Log: quiet}
	rep, err := transfer.Copy(bg, o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 2 || rep.FilesMissing != 1 || !rep.Loaded {
		t.Errorf("report %+v", rep)
	}
	o.Resume = true
	rep, err = transfer.Copy(bg, o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Loaded || rep.Files != 0 || rep.FilesSkipped != 2 {
		t.Errorf("a resumed complete copy: %+v", rep)
	}
	if d := diff(snapshotOf(t, l.dir), snapshotOf(t, dst)); d != "" {
		t.Fatal(d)
	}
}

func TestParseEndpoint(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "backup")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]transfer.Endpoint{
		"dynamodb:embudo-Table-1": {Table: "embudo-Table-1"},
		"./.embudo":               {DB: ".embudo/embudo.db", Files: ".embudo/files"},
		"/tmp/copia.db":           {DB: "/tmp/copia.db", Files: "/tmp/files"},
		file:                      {DB: file, Files: filepath.Join(dir, "files")},
	} {
		got, err := transfer.ParseEndpoint(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "dynamodb:"} {
		if _, err := transfer.ParseEndpoint(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func sprint(v any) string { return fmt.Sprintf("%+v", v) }

// Every part of a snapshot is counted and summed by the verification: a
// part added to crm.Snapshot must be added to Summary (and to the copy).
func TestSummaryCoversTheWholeSnapshot(t *testing.T) {
	covered := map[string]string{"Contacts": "contacts", "Parties": "parties", "Opportunities": "opportunities", "Quotes": "quotes",
		"Notes": "notes", "Files": "files", "Sources": "sources", "Interests": "interests", "Agents": "agents", "States": "states",
		"Users": "users", "Tokens": "tokens", "Settings": "settings", "Leads": "leads", "Timeline": "timeline", "Stats": "stats",
		"Counters": "counters", "StateCounts": "tab counts", "Seeded": "markers", "AdminCreated": "markers"}
	kinds := map[string]bool{}
	for _, k := range transfer.Summary(crm.Snapshot{}) {
		kinds[k.Name] = true
	}
	typ := reflect.TypeOf(crm.Snapshot{})
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if k, ok := covered[name]; !ok || !kinds[k] {
			t.Errorf("crm.Snapshot.%s is not in the verification's Summary", name)
		}
	}
}
