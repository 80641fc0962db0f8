package infra

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/graph"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/stream"
)

// The least-privilege functions (webhook, reminder) are allowed only the
// DynamoDB actions and item key prefixes (dynamodb:LeadingKeys) they use.
// These tests run their code paths on minidyn through a client that records
// every request as IAM authorizes it, and evaluate each against the
// function's statements in template.yaml: a path that starts touching a new
// kind of item fails here, not in production with AccessDenied.

// Resource names the checks use for the table and its indexes (the
// template's !GetAtt Table.Arn, and !Sub "${Table.Arn}/index/<name>").
const tableARN = "${Table.Arn}"

// access is one authorization DynamoDB makes for a request: an action on
// the table or one of its indexes, with the partition key values it names.
// A TransactWriteItems is one access per item (Put, Update, Delete and
// ConditionCheck are authorized as PutItem, UpdateItem, DeleteItem and
// ConditionCheckItem); a BatchGetItem is one access with all its keys.
type access struct {
	Action      string // dynamodb:GetItem
	Resource    string // ${Table.Arn} or ${Table.Arn}/index/GSI1
	LeadingKeys []string
}

func (a access) String() string {
	return fmt.Sprintf("%s on %s for %s", a.Action, a.Resource, strings.Join(a.LeadingKeys, ", "))
}

// recorder is a dynamo.API that records each request's accesses.
type recorder struct {
	dynamo.API
	mu   sync.Mutex
	seen []access
	// beforeTx, when set, runs once before the next TransactWriteItems
	// (a test's concurrent writer).
	beforeTx func()
}

func (r *recorder) add(a access) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, a)
}

// accesses returns the distinct accesses recorded, in order.
func (r *recorder) accesses() []access {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []access
	seen := map[string]bool{}
	for _, a := range r.seen {
		if k := a.String(); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}

func pkOf(key map[string]types.AttributeValue) string {
	if s, ok := key["PK"].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return "?"
}

func (r *recorder) item(action string, key map[string]types.AttributeValue) {
	r.add(access{"dynamodb:" + action, tableARN, []string{pkOf(key)}})
}

func (r *recorder) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.item("GetItem", in.Key)
	return r.API.GetItem(ctx, in, o...)
}

func (r *recorder) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.item("PutItem", in.Item)
	return r.API.PutItem(ctx, in, o...)
}

func (r *recorder) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.item("UpdateItem", in.Key)
	return r.API.UpdateItem(ctx, in, o...)
}

func (r *recorder) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	r.item("DeleteItem", in.Key)
	return r.API.DeleteItem(ctx, in, o...)
}

// keyCondition finds "<name> = <:value>" in a key condition expression.
var keyCondition = regexp.MustCompile(`(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)`)

func (r *recorder) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	res, hash := tableARN, "PK"
	if in.IndexName != nil {
		res, hash = tableARN+"/index/"+*in.IndexName, *in.IndexName+"PK"
	}
	pk := "?"
	for _, m := range keyCondition.FindAllStringSubmatch(aws.ToString(in.KeyConditionExpression), -1) {
		name := m[1]
		if n, ok := in.ExpressionAttributeNames[name]; ok {
			name = n
		}
		if v, ok := in.ExpressionAttributeValues[m[2]].(*types.AttributeValueMemberS); ok && name == hash {
			pk = v.Value
		}
	}
	r.add(access{"dynamodb:Query", res, []string{pk}})
	return r.API.Query(ctx, in, o...)
}

func (r *recorder) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	for _, ka := range in.RequestItems {
		var pks []string
		for _, k := range ka.Keys {
			if pk := pkOf(k); !slices.Contains(pks, pk) {
				pks = append(pks, pk)
			}
		}
		r.add(access{"dynamodb:BatchGetItem", tableARN, pks})
	}
	return r.API.BatchGetItem(ctx, in, o...)
}

func (r *recorder) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	r.mu.Lock()
	before := r.beforeTx
	r.beforeTx = nil
	r.mu.Unlock()
	if before != nil {
		before()
	}
	for _, it := range in.TransactItems {
		switch {
		case it.Put != nil:
			r.item("PutItem", it.Put.Item)
		case it.Update != nil:
			r.item("UpdateItem", it.Update.Key)
		case it.Delete != nil:
			r.item("DeleteItem", it.Delete.Key)
		case it.ConditionCheck != nil:
			r.item("ConditionCheckItem", it.ConditionCheck.Key)
		}
	}
	return r.API.TransactWriteItems(ctx, in, o...)
}

// statement is an IAM statement of a function's Policies, its resources
// written with the names the checks use (${Table.Arn}, ${FilesBucket.Arn}).
type statement struct {
	Sid       string
	Effect    string
	Actions   []string
	Resources []string
	Condition map[string]any
}

// policyStatements returns the inline statements of a function's Policies.
// A SAM policy template or managed policy in the list fails the test: the
// checks cannot see what it allows.
func policyStatements(t *testing.T, tmpl cfnTemplate, fn string) []statement {
	t.Helper()
	var out []statement
	for _, p := range asList(lookup(tmpl.resource(t, fn), "Properties", "Policies")) {
		st, ok := lookup(p, "Statement").([]any)
		if !ok {
			t.Fatalf("%s: policy %v is not an inline statement list; the least-privilege checks cannot read it", fn, p)
		}
		for _, s := range st {
			var x statement
			x.Sid = asString(lookup(s, "Sid"))
			x.Effect = asString(lookup(s, "Effect"))
			for _, a := range asList(lookup(s, "Action")) {
				x.Actions = append(x.Actions, asString(a))
			}
			for _, r := range asList(lookup(s, "Resource")) {
				x.Resources = append(x.Resources, resolve(r)...)
			}
			x.Condition, _ = lookup(s, "Condition").(map[string]any)
			out = append(out, x)
		}
	}
	return out
}

// resolve renders a resource written with intrinsics as the checks name
// it: !GetAtt X.Arn is ${X.Arn}, !Ref X is ${X}, !Sub keeps its string,
// and !If gives both branches (AWS::NoValue none).
func resolve(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		if g, ok := x["Fn::GetAtt"]; ok {
			if l, ok := g.([]any); ok && len(l) == 2 {
				return []string{fmt.Sprintf("${%v.%v}", l[0], l[1])}
			}
			return []string{fmt.Sprintf("${%v}", g)}
		}
		if r, ok := x["Ref"].(string); ok {
			if r == "AWS::NoValue" {
				return nil
			}
			return []string{"${" + r + "}"}
		}
		if s, ok := x["Fn::Sub"].(string); ok {
			return []string{s}
		}
		if l, ok := x["Fn::If"].([]any); ok && len(l) == 3 {
			return append(resolve(l[1]), resolve(l[2])...)
		}
	}
	return []string{fmt.Sprint(v)}
}

// globMatch is IAM's wildcard match: * any run of characters, ? one.
func globMatch(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(s)
}

// allows reports whether the statement allows a, and fails the test on a
// condition the checks cannot evaluate.
func (s statement) allows(t *testing.T, a access) bool {
	t.Helper()
	if s.Effect != "Allow" {
		return false
	}
	if !slices.ContainsFunc(s.Actions, func(p string) bool { return globMatch(p, a.Action) }) {
		return false
	}
	if !slices.ContainsFunc(s.Resources, func(p string) bool { return globMatch(p, a.Resource) }) {
		return false
	}
	for op, kv := range s.Condition {
		m, _ := kv.(map[string]any)
		for key, vals := range m {
			if key != "dynamodb:LeadingKeys" {
				t.Fatalf("statement %s: condition key %s is not evaluated by these checks", s.Sid, key)
			}
			var match func(p, v string) bool
			switch op {
			case "ForAllValues:StringLike":
				match = globMatch
			case "ForAllValues:StringEquals":
				match = func(p, v string) bool { return p == v }
			default:
				t.Fatalf("statement %s: condition operator %s is not evaluated by these checks", s.Sid, op)
			}
			for _, k := range a.LeadingKeys {
				if !slices.ContainsFunc(asList(vals), func(p any) bool { return match(asString(p), k) }) {
					return false
				}
			}
		}
	}
	return true
}

// allowed reports whether any statement allows a.
func allowed(t *testing.T, sts []statement, a access) bool {
	t.Helper()
	return slices.ContainsFunc(sts, func(s statement) bool { return s.allows(t, a) })
}

// checkAccesses fails for each access the function's statements do not
// allow, and for each that must be denied but is allowed.
func checkAccesses(t *testing.T, fn string, got []access, denied []access) {
	t.Helper()
	sts := policyStatements(t, loadTemplate(t), fn)
	if len(got) == 0 {
		t.Fatal("no DynamoDB request was recorded")
	}
	for _, a := range got {
		if !allowed(t, sts, a) {
			t.Errorf("%s makes a request its policy denies: %s", fn, a)
		}
	}
	for _, a := range denied {
		if allowed(t, sts, a) {
			t.Errorf("%s's policy allows %s", fn, a)
		}
	}
	if testing.Verbose() {
		for _, a := range got {
			t.Logf("%s", a)
		}
	}
}

// storeActions are the IAM actions of the requests internal/dynamo can
// make: one per method of dynamo.API, TransactWriteItems being its four
// item actions.
func storeActions() []string {
	var out []string
	api := reflect.TypeFor[dynamo.API]()
	for i := range api.NumMethod() {
		switch m := api.Method(i).Name; m {
		case "TransactWriteItems":
			out = append(out, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem")
		default:
			out = append(out, "dynamodb:"+m)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// TestPoliciesTableActions: no function may Scan, or make a DynamoDB
// request the store never makes; the API and stream functions may make
// every one the store makes, on the table and its indexes.
func TestPoliciesTableActions(t *testing.T) {
	tmpl := loadTemplate(t)
	want := storeActions()
	for _, fn := range sortedKeys(tmpl.resources("AWS::Serverless::Function")) {
		for _, s := range policyStatements(t, tmpl, fn) {
			for _, a := range s.Actions {
				if strings.HasPrefix(a, "dynamodb:") && (strings.Contains(a, "*") || !slices.Contains(want, a)) {
					t.Errorf("%s: statement %s allows %s, a request the store never makes", fn, s.Sid, a)
				}
			}
		}
		if fn != "ApiFunction" && fn != "StreamFunction" {
			continue
		}
		sts := policyStatements(t, tmpl, fn)
		for _, a := range want {
			for _, res := range []string{tableARN, tableARN + "/index/GSI3"} {
				if a != "dynamodb:Query" && res != tableARN {
					continue
				}
				if acc := (access{a, res, []string{"CONTACT#x"}}); !allowed(t, sts, acc) {
					t.Errorf("%s may not make %s", fn, acc)
				}
			}
		}
	}
}

// TestPoliciesFilesBucket: only the API and inbound functions touch the
// files bucket, with only the S3 actions internal/blob uses, the inbound
// function on its two prefixes.
func TestPoliciesFilesBucket(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, fn := range sortedKeys(tmpl.resources("AWS::Serverless::Function")) {
		var got []string
		for _, s := range policyStatements(t, tmpl, fn) {
			for _, a := range s.Actions {
				if strings.HasPrefix(a, "s3:") {
					for _, r := range s.Resources {
						got = append(got, a+" "+r)
					}
				}
			}
		}
		sort.Strings(got)
		var want []string
		if fn == "ApiFunction" {
			// PutObject and GetObject are presigned (uploads, downloads),
			// GetObject is also the HeadObject of Size, DeleteObject is
			// Delete; ListBucket makes a missing object's HEAD a 404.
			want = []string{"s3:DeleteObject ${FilesBucket.Arn}/*", "s3:GetObject ${FilesBucket.Arn}/*",
				"s3:ListBucket ${FilesBucket.Arn}", "s3:PutObject ${FilesBucket.Arn}/*"}
		}
		if fn == "InboundFunction" {
			// The message SES stored under inbound/, and the files of the
			// note it writes (deleted again when the note is not written).
			want = []string{"s3:DeleteObject ${FilesBucket.Arn}/files/*", "s3:GetObject ${FilesBucket.Arn}/inbound/*",
				"s3:PutObject ${FilesBucket.Arn}/files/*"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: S3 permissions %q, want %q", fn, got, want)
		}
	}
}

// The URL tokens and secrets of the sample webhook events (events/README.md).
const (
	sampleFormToken   = "embudo-sample-webhook-token-000000000000"
	sampleGoogleToken = "embudo-sample-google-ads-token-00000000"
	sampleMetaToken   = "embudo-sample-meta-token-00000000000000"
	jsonToken         = "embudo-policy-test-json-token-000000000"
	metaPageToken     = "sample-page-access-token"
	metaAppSecret     = "sample-meta-app-secret"
	metaLeadgenID     = "1234567890123456789"
)

// TestPolicyWebhook runs the webhook function's paths (every sample event,
// each delivered twice; a JSON lead with an interest and a round-robin
// agent; a merge into an existing contact; an opportunity opened by a
// lead; a honeypot catch) and checks each request against its policy.
func TestPolicyWebhook(t *testing.T) {
	ctx := context.Background()
	table := dynamotest.New(t)
	seedStore := dynamo.New(table.Client, table.Name)
	seed := crm.NewService(seedStore, crm.Config{})
	if err := seed.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	interest, err := seed.CreateInterest(ctx, crm.Interest{Name: "Placas solares"})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := seed.CreateAgent(ctx, crm.Agent{Code: "BRUNO", Name: "Bruno Díaz", Email: "bruno.diaz@example.com", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.CreateAgent(ctx, crm.Agent{Code: "CARLA", Name: "Carla Gil", Email: "carla.gil@example.com", Active: true}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, s := range []struct {
		name, token string
		hook        crm.Webhook
	}{
		{"Web", sampleFormToken, crm.Webhook{Kind: crm.FormatForm, RedirectURL: "https://www.example.com/gracias",
			AllowedOrigins: []string{"https://www.example.com"}, Assignment: crm.AssignFixed, DefaultAgentID: agent.ID, CreateOpportunity: true}},
		{"Google Ads", sampleGoogleToken, crm.Webhook{Kind: crm.FormatGoogleAds, Secret: "sample-google-key"}},
		{"Meta", sampleMetaToken, crm.Webhook{Kind: crm.FormatMeta, Secret: metaAppSecret, VerifyToken: "sample-verify-token", AccessToken: metaPageToken}},
		{"Zapier", jsonToken, crm.Webhook{Kind: crm.FormatJSON, Assignment: crm.AssignRoundRobin, CreateOpportunity: true}},
	} {
		wh := s.hook
		src := crm.Source{Name: s.name, Webhook: &wh}
		if err := src.Normalize(); err != nil {
			t.Fatalf("source %s: %v", s.name, err)
		}
		wh.TokenHash = crm.HashToken(s.token)
		src.ID, src.CreatedAt, src.UpdatedAt, src.Version = crm.NewID(now), now, now, 1
		if err := seedStore.CreateSource(ctx, src); err != nil {
			t.Fatalf("source %s: %v", s.name, err)
		}
	}
	graphAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"`+metaLeadgenID+`","created_time":"2026-11-27T09:59:45+0000","field_data":[`+
			`{"name":"full_name","values":["Ainhoa Etxeberria"]},{"name":"email","values":["ainhoa@example.eus"]}]}`)
	}))
	t.Cleanup(graphAPI.Close)

	rec := &recorder{API: table.Client}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	hooks := httpapi.NewHooks(crm.NewService(dynamo.New(rec, table.Name), crm.Config{PhoneRegion: "ES"}),
		httpapi.HookOptions{Meta: graph.New(graphAPI.URL), Logger: quiet})
	lambda := httpadapter.NewV2(hooks)

	files, err := filepath.Glob("../events/webhook-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("sample events: %v %v", files, err)
	}
	for range 2 { // a second delivery of each finds the first one's record
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			res, err := lambda.ProxyWithContext(ctx, ev)
			if err != nil || res.StatusCode >= 500 {
				t.Fatalf("%s: %d %s %v", path.Base(f), res.StatusCode, res.Body, err)
			}
		}
	}
	post := func(body, key string) {
		t.Helper()
		r := httptest.NewRequest("POST", "/hooks/"+jsonToken, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		w := httptest.NewRecorder()
		hooks.ServeHTTP(w, r)
		if w.Code >= 300 {
			t.Fatalf("POST %s: %d %s", body, w.Code, w.Body)
		}
	}
	post(`{"name":"Ana","surname":"Ruiz","email":"ana.ruiz@example.com","phone":"611 22 33 44","interests":["Placas solares"]}`, "lead-1")
	post(`{"name":"Ana","surname":"Ruiz","email":"ana.ruiz@example.com","phone":"611 22 33 44","interests":["Placas solares"]}`, "lead-1")
	post(`{"name":"Ana","email":"ana.ruiz@example.com","company":"ACME","interests":["`+interest.ID+`"]}`, "lead-2")
	// Another surname than hers: the merge reads her to leave it out.
	post(`{"name":"Ana","surname":"Rubio","email":"ana.ruiz@example.com"}`, "lead-3")
	post(`{"name":"Luis","phone":"622 33 44 55","_gotcha":"http://spam.example"}`, "")
	// A contact with her e-mail made while a lead of hers is on its way:
	// the lead's transaction is refused, the word items and interest link
	// written before it are deleted, and the lead merges into that contact.
	rec.beforeTx = func() {
		if _, err := seed.CreateContact(ctx, crm.User{ID: "admin"}, crm.Contact{Name: "Marta", Email: "marta.gil@example.com"}); err != nil {
			t.Error(err)
		}
	}
	post(`{"name":"Marta","surname":"Gil","email":"marta.gil@example.com","interests":["Placas solares"]}`, "lead-4")
	if !slices.ContainsFunc(rec.accesses(), func(a access) bool {
		return a.String() == (access{"dynamodb:DeleteItem", tableARN, []string{"WORD#m"}}).String()
	}) {
		t.Error("the refused lead's word items were not deleted")
	}

	denied := []access{
		{"dynamodb:Scan", tableARN, []string{"CONTACT#x"}},
		{"dynamodb:GetItem", tableARN, []string{"USER#x"}},
		{"dynamodb:GetItem", tableARN, []string{"TOKEN#x"}},
		{"dynamodb:BatchGetItem", tableARN, []string{"LEAD#x", "TOKEN#x"}},
		{"dynamodb:Query", tableARN + "/index/GSI1", []string{"USER"}},
		{"dynamodb:Query", tableARN + "/index/GSI1", []string{"CONTACT"}},
		{"dynamodb:PutItem", tableARN, []string{"USER#x"}},
		{"dynamodb:PutItem", tableARN, []string{"UNIQUE#hook#x"}},
		{"dynamodb:PutItem", tableARN, []string{"SOURCE#x"}},
		{"dynamodb:DeleteItem", tableARN, []string{"CONTACT#x"}},
	}
	checkAccesses(t, "WebhookFunction", rec.accesses(), denied)
}

// mailbox is a crm.Mailer that keeps what it is given, after failing the
// first fail sends (as SES does when throttled).
type mailbox struct {
	mu   sync.Mutex
	fail int
	sent []crm.Email
}

func (m *mailbox) Send(_ context.Context, e crm.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail > 0 {
		m.fail--
		return crm.Internal(fmt.Errorf("SES is throttling"))
	}
	m.sent = append(m.sent, e)
	return nil
}

// TestPolicyReminder runs the reminder function's paths (a schedule firing
// for a team note on an opportunity, to everyone; again, when it was sent
// already; for a note that is gone; the hourly sweep finding a lost
// reminder, whose first send fails) and checks each request against its
// policy.
func TestPolicyReminder(t *testing.T) {
	ctx := context.Background()
	table := dynamotest.New(t)
	seed := crm.NewService(dynamo.New(table.Client, table.Name), crm.Config{})
	if err := seed.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	marta, err := seed.CreateUser(ctx, crm.User{Name: "Marta Ruiz", Email: "marta.ruiz@example.com", Active: true, Lang: crm.LangES})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.CreateUser(ctx, crm.User{Name: "Ana Smith", Email: "ana.smith@example.com", Active: true, Lang: crm.LangEN}); err != nil {
		t.Fatal(err)
	}
	contact, err := seed.CreateContact(ctx, marta, crm.Contact{Name: "Lucía", Surname: "Fernández"})
	if err != nil {
		t.Fatal(err)
	}
	opp, err := seed.CreateOpportunity(ctx, marta, crm.Opportunity{ContactID: contact.ID, Description: "Tienda online"})
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	lost, err := seed.CreateNote(ctx, marta, crm.ParentContact, contact.ID, crm.Note{Text: "Llamar a Lucía", AvisoAt: &due})
	if err != nil {
		t.Fatal(err)
	}
	team, err := seed.CreateNote(ctx, marta, crm.ParentOpportunity, opp.ID, crm.Note{Text: "Revisar", AvisoAt: &due, RemindAll: true, Visibility: crm.VisibilityTeam})
	if err != nil {
		t.Fatal(err)
	}

	rec := &recorder{API: table.Client}
	box := &mailbox{}
	st := dynamo.New(rec, table.Name)
	h := stream.New(stream.Config{Service: crm.NewService(st, crm.Config{}), Store: st, Mailer: box, AppURL: "https://crm.example.com",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := h.Remind(ctx, team.ID, due); err != nil {
		t.Fatal(err)
	}
	if err := h.Remind(ctx, team.ID, due); err != nil { // sent already
		t.Fatal(err)
	}
	if err := h.Remind(ctx, "01KJQ0PH50Z7F4317VNGHT5RMY", due); err != nil { // gone
		t.Fatal(err)
	}
	box.fail = 1 // the sweep's first try fails and releases its marker
	if _, err := h.Sweep(ctx); err == nil {
		t.Fatal("sweep: no error from a failed send")
	}
	if n, err := h.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v; want the lost reminder %s", n, err, lost.ID)
	}
	if len(box.sent) < 3 {
		t.Fatalf("%d e-mails sent, want the team note's two and the lost one's", len(box.sent))
	}

	denied := []access{
		{"dynamodb:Scan", tableARN, []string{"NOTE#x"}},
		{"dynamodb:GetItem", tableARN, []string{"TOKEN#x"}},
		{"dynamodb:PutItem", tableARN, []string{"USER#x"}},
		{"dynamodb:PutItem", tableARN, []string{"CONTACT#x"}},
		{"dynamodb:Query", tableARN + "/index/GSI1", []string{"CONTACT"}},
	}
	checkAccesses(t, "ReminderFunction", rec.accesses(), denied)
}
