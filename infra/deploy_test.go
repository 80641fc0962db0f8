package infra

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/graph"
)

// What the template must do for a first deployment to be safe (issue 11,
// items 1 to 7): the checks that read template.yaml, samconfig.toml,
// events/env-vars.json and the README. The build is checked in
// template_test.go, the functions' permissions in policy_test.go.

// TestDataSurvivesTheStack: the table and the files bucket are kept when
// the stack is deleted or a change would replace them, and the table
// cannot be deleted by accident; the README says how to take it all down.
func TestDataSurvivesTheStack(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::S3::Bucket"} {
		rs := tmpl.resources(typ)
		if len(rs) == 0 {
			t.Errorf("no %s", typ)
		}
		for id, r := range rs {
			for _, p := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
				if got := asString(r[p]); got != "Retain" {
					t.Errorf("%s: %s = %q, want Retain", id, p, got)
				}
			}
			if typ == "AWS::DynamoDB::Table" && lookup(r, "Properties", "DeletionProtectionEnabled") != true {
				t.Errorf("%s: DeletionProtectionEnabled is not true", id)
			}
		}
	}
	readme := readFile(t, "../README.md")
	for _, s := range []string{"sam delete", "--no-deletion-protection-enabled", "aws dynamodb delete-table", "aws s3 rb"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README.md's teardown does not say %q", s)
		}
	}
}

// parameter returns the template's parameter name.
func parameter(t *testing.T, tmpl cfnTemplate, name string) map[string]any {
	t.Helper()
	p, ok := lookup(tmpl, "Parameters", name).(map[string]any)
	if !ok {
		t.Fatalf("template.yaml has no parameter %s", name)
	}
	return p
}

// allowedPattern compiles a parameter's AllowedPattern (CloudFormation
// matches the whole value; the patterns here are anchored anyway).
func allowedPattern(t *testing.T, tmpl cfnTemplate, name string) *regexp.Regexp {
	t.Helper()
	p := asString(parameter(t, tmpl, name)["AllowedPattern"])
	if p == "" {
		t.Fatalf("parameter %s has no AllowedPattern", name)
	}
	re, err := regexp.Compile("^(?:" + p + ")$")
	if err != nil {
		t.Fatalf("parameter %s: AllowedPattern %q: %v", name, p, err)
	}
	return re
}

// TestSenderEmail: no default (SES refuses example.com, so a default would
// deploy a CRM that drops every e-mail), a pattern that takes what the
// mailer takes, the start-up check in every function that sends, and its
// permission.
func TestSenderEmail(t *testing.T) {
	tmpl := loadTemplate(t)
	p := parameter(t, tmpl, "SenderEmail")
	if d, ok := p["Default"]; ok {
		t.Errorf("SenderEmail has a default (%v); it must be given at deploy time", d)
	}
	re := allowedPattern(t, tmpl, "SenderEmail")
	for _, ok := range []string{"no-reply@example.com", "Embudo <no-reply@example.com>", "Ventas Cerámica Sur <ventas@ceramicasur.es>",
		"a.b+crm@mail.example.co.uk"} {
		if !re.MatchString(ok) {
			t.Errorf("SenderEmail's pattern refuses %q", ok)
		}
		if _, err := mail.ParseAddress(ok); err != nil {
			t.Errorf("%q: the pattern's sample is no address for the mailer: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "embudo", "embudo@", "@example.com", "embudo@example", "Embudo no-reply@example.com",
		"Embudo <no-reply@example.com", "a@b.c d@e.f", "<no-reply@example.com>"} {
		if re.MatchString(bad) {
			t.Errorf("SenderEmail's pattern takes %q", bad)
		}
	}

	for id, fn := range tmpl.resources("AWS::Serverless::Function") {
		if lookup(fn, "Properties", "Environment", "Variables", "SENDER_EMAIL") == nil {
			continue
		}
		dir := asString(lookup(fn, "Properties", "CodeUri"))
		// mail.LogSenderCheck, or the API's seshttp.Mailer's.
		if src := readFile(t, filepath.Join("..", dir, "main.go")); !strings.Contains(src, "LogSenderCheck(") {
			t.Errorf("%s sends e-mail but %smain.go does not call a LogSenderCheck", id, dir)
		}
		sts := policyStatements(t, tmpl, id)
		for _, action := range []string{"ses:SendEmail", "ses:GetEmailIdentity"} {
			ok := slices.ContainsFunc(sts, func(s statement) bool {
				return s.Effect == "Allow" && slices.Contains(s.Actions, action) &&
					slices.Contains(s.Resources, "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*")
			})
			if !ok {
				t.Errorf("%s may not %s on its SES identities", id, action)
			}
		}
	}
}

// TestCompanyTimeZone: the pattern takes every Area/Location zone Go knows
// (the functions load it with time.LoadLocation) and the default.
func TestCompanyTimeZone(t *testing.T) {
	tmpl := loadTemplate(t)
	re := allowedPattern(t, tmpl, "CompanyTimeZone")
	def := asString(parameter(t, tmpl, "CompanyTimeZone")["Default"])
	for _, z := range []string{def, "UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+3", "America/Port-au-Prince"} {
		if !re.MatchString(z) {
			t.Errorf("CompanyTimeZone's pattern refuses %q", z)
		}
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("%q: %v", z, err)
		}
	}
	for _, bad := range []string{"", "Madrid", "europe/madrid", "Europe/Madrid ", "../etc/passwd", "Europe/../Madrid", "+02:00"} {
		if re.MatchString(bad) {
			t.Errorf("CompanyTimeZone's pattern takes %q", bad)
		}
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output() // runtime.GOROOT is deprecated
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	zr, err := zip.OpenReader(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		t.Skipf("Go's zone list: %v", err)
	}
	defer zr.Close()
	n := 0
	for _, f := range zr.File {
		if strings.Contains(f.Name, "/") && !f.FileInfo().IsDir() {
			n++
			if !re.MatchString(f.Name) {
				t.Errorf("CompanyTimeZone's pattern refuses the zone %q", f.Name)
			}
		}
	}
	if n < 300 {
		t.Errorf("only %d zones in Go's zone list", n)
	}
}

// TestScheduleGroupName: CloudFormation names the schedule group (a name
// built from a long stack name would pass Scheduler's 64 characters), and
// the stream function and its permissions take the name by Ref.
func TestScheduleGroupName(t *testing.T) {
	tmpl := loadTemplate(t)
	groups := tmpl.resources("AWS::Scheduler::ScheduleGroup")
	if len(groups) != 1 {
		t.Fatalf("%d schedule groups, want 1", len(groups))
	}
	for id, g := range groups {
		if name := lookup(g, "Properties", "Name"); name != nil {
			t.Errorf("%s: Name %v; let CloudFormation name it", id, name)
		}
		fn := tmpl.resource(t, "StreamFunction")
		if got := lookup(fn, "Properties", "Environment", "Variables", "SCHEDULE_GROUP"); fmt.Sprint(got) != fmt.Sprint(map[string]any{"Ref": id}) {
			t.Errorf("StreamFunction's SCHEDULE_GROUP = %v, want !Ref %s", got, id)
		}
		ok := slices.ContainsFunc(policyStatements(t, tmpl, "StreamFunction"), func(s statement) bool {
			return slices.Contains(s.Actions, "scheduler:CreateSchedule") &&
				slices.ContainsFunc(s.Resources, func(r string) bool { return strings.Contains(r, ":schedule/${"+id+"}/") })
		})
		if !ok {
			t.Errorf("StreamFunction's scheduler permissions do not name the group by Ref")
		}
	}
}

// samParameters parses a samconfig parameter_overrides value
// (Key="value" Key2="value").
func samParameters(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(\w+)=("(?:\\.|[^"\\])*"|\S+)`).FindAllStringSubmatch(s, -1) {
		v := m[2]
		if strings.HasPrefix(v, `"`) {
			u, err := strconv.Unquote(v)
			if err != nil {
				t.Fatalf("parameter_overrides: %s: %v", m[0], err)
			}
			v = u
		}
		out[m[1]] = v
	}
	return out
}

// TestSamConfig: samconfig.toml gives sam deploy what it needs (the IAM
// capability, a managed artefact bucket) and a valid value for every
// parameter but SenderEmail, which the guided deploy must ask for.
func TestSamConfig(t *testing.T) {
	tmpl := loadTemplate(t)
	cfg := readFile(t, "../samconfig.toml")
	setting := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + `\s*=\s*(.*)$`).FindStringSubmatch(cfg)
		if m == nil {
			t.Errorf("samconfig.toml sets no %s", name)
			return ""
		}
		return strings.TrimSpace(m[1])
	}
	if got := setting("capabilities"); got != `"CAPABILITY_IAM"` {
		t.Errorf("capabilities = %s, want \"CAPABILITY_IAM\" (the stack creates roles)", got)
	}
	if got := setting("resolve_s3"); got != "true" {
		t.Errorf("resolve_s3 = %s, want true", got)
	}
	raw, err := strconv.Unquote(setting("parameter_overrides"))
	if err != nil {
		t.Fatalf("parameter_overrides: %v", err)
	}
	given := samParameters(t, raw)
	params, _ := tmpl["Parameters"].(map[string]any)
	for _, name := range sortedKeys(params) {
		p, _ := params[name].(map[string]any)
		v, ok := given[name]
		if name == "SenderEmail" {
			if ok {
				t.Errorf("samconfig.toml gives SenderEmail %q; it must be the deployer's own verified sender", v)
			}
			continue
		}
		if !ok {
			t.Errorf("samconfig.toml's parameter_overrides lacks %s", name)
			continue
		}
		if d, has := p["Default"]; has && fmt.Sprint(d) != v {
			t.Errorf("samconfig.toml gives %s=%q, the template's default is %v", name, v, d)
		}
		if av := asList(p["AllowedValues"]); av != nil && !slices.ContainsFunc(av, func(a any) bool { return fmt.Sprint(a) == v }) {
			t.Errorf("samconfig.toml gives %s=%q, not one of %v", name, v, av)
		}
		if pat := asString(p["AllowedPattern"]); pat != "" && !allowedPattern(t, tmpl, name).MatchString(v) {
			t.Errorf("samconfig.toml gives %s=%q, which its AllowedPattern refuses", name, v)
		}
	}
	for name := range given {
		if _, ok := params[name]; !ok {
			t.Errorf("samconfig.toml gives %s, which the template does not declare", name)
		}
	}
}

// TestLocalEnvVars: events/env-vars.json, which `sam local` reads, only
// sets variables the template declares for the function (SAM ignores the
// others), and sets the table and the DynamoDB endpoint.
func TestLocalEnvVars(t *testing.T) {
	tmpl := loadTemplate(t)
	var env map[string]map[string]string
	if err := json.Unmarshal([]byte(readFile(t, "../events/env-vars.json")), &env); err != nil {
		t.Fatalf("events/env-vars.json: %v", err)
	}
	global, _ := lookup(tmpl, "Globals", "Function", "Environment", "Variables").(map[string]any)
	fns := tmpl.resources("AWS::Serverless::Function")
	for section, vars := range env {
		declared := map[string]bool{}
		for k := range global {
			declared[k] = true
		}
		if section != "Parameters" {
			fn, ok := fns[section]
			if !ok {
				t.Errorf("events/env-vars.json: %s is no function of the template", section)
				continue
			}
			own, _ := lookup(fn, "Properties", "Environment", "Variables").(map[string]any)
			for k := range own {
				declared[k] = true
			}
		}
		for k := range vars {
			if !declared[k] {
				t.Errorf("events/env-vars.json: %s.%s is not declared in the template, so sam local ignores it", section, k)
			}
		}
	}
	for _, k := range []string{"TABLE_NAME", "DYNAMODB_ENDPOINT"} {
		if env["Parameters"][k] == "" {
			t.Errorf("events/env-vars.json sets no %s for every function", k)
		}
	}
	readme := readFile(t, "../README.md")
	for _, s := range []string{"has no authentication", "sam local start-api", "sam local invoke", "events/env-vars.json"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README.md does not say %q", s)
		}
	}
}

// TestLogsAndAlarms: a log group per function with the retention
// parameter, JSON logs at LogLevel, access logs for both APIs (without the
// path, which holds webhook tokens), and the alarms sent to the topic.
func TestLogsAndAlarms(t *testing.T) {
	tmpl := loadTemplate(t)
	if d := fmt.Sprint(parameter(t, tmpl, "LogRetentionDays")["Default"]); d != "30" {
		t.Errorf("LogRetentionDays default %s, want 30", d)
	}
	g := lookup(tmpl, "Globals", "Function", "LoggingConfig")
	if asString(lookup(g, "LogFormat")) != "JSON" || fmt.Sprint(lookup(g, "ApplicationLogLevel")) != fmt.Sprint(map[string]any{"Ref": "LogLevel"}) {
		t.Errorf("Globals.Function.LoggingConfig = %v, want LogFormat JSON and ApplicationLogLevel !Ref LogLevel", g)
	}
	lambdaLevels := []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
	for _, v := range asList(parameter(t, tmpl, "LogLevel")["AllowedValues"]) {
		if !slices.Contains(lambdaLevels, asString(v)) {
			t.Errorf("LogLevel value %v is no Lambda ApplicationLogLevel", v)
		}
	}
	logGroups := tmpl.resources("AWS::Logs::LogGroup")
	retained := func(id string) {
		t.Helper()
		lg, ok := logGroups[id]
		if !ok {
			t.Errorf("%s is not a log group of the template", id)
			return
		}
		if got := lookup(lg, "Properties", "RetentionInDays"); fmt.Sprint(got) != fmt.Sprint(map[string]any{"Ref": "LogRetentionDays"}) {
			t.Errorf("%s: RetentionInDays %v, want !Ref LogRetentionDays", id, got)
		}
	}
	fns := tmpl.resources("AWS::Serverless::Function")
	used := map[string]string{}
	for _, id := range sortedKeys(fns) {
		ref, _ := lookup(fns[id], "Properties", "LoggingConfig", "LogGroup").(map[string]any)
		lg := asString(ref["Ref"])
		if lg == "" {
			t.Errorf("%s: LoggingConfig.LogGroup is not a !Ref to its log group", id)
			continue
		}
		if other, ok := used[lg]; ok {
			t.Errorf("%s and %s share the log group %s", id, other, lg)
		}
		used[lg] = id
		retained(lg)
		dir := asString(lookup(fns[id], "Properties", "CodeUri"))
		if src := readFile(t, filepath.Join("..", dir, "main.go")); !strings.Contains(src, "awsenv.Invoke(") {
			t.Errorf("%s: %smain.go does not start its handler through awsenv.Invoke (request IDs in its log lines)", id, dir)
		}
	}
	for id, api := range tmpl.resources("AWS::Serverless::HttpApi") {
		s := lookup(api, "Properties", "AccessLogSettings")
		arn := resolve(lookup(s, "DestinationArn"))
		if lg, ok := strings.CutSuffix(strings.Join(arn, ""), ".Arn}"); len(arn) != 1 || !ok || !strings.HasPrefix(lg, "${") {
			t.Errorf("%s: AccessLogSettings.DestinationArn %v, want !GetAtt <log group>.Arn", id, lookup(s, "DestinationArn"))
		} else {
			retained(strings.TrimPrefix(lg, "${"))
		}
		format := asString(lookup(s, "Format"))
		var fields map[string]string
		if err := json.Unmarshal([]byte(format), &fields); err != nil {
			t.Errorf("%s: access log format is not one JSON object: %v", id, err)
		}
		if fields["requestId"] != "$context.requestId" || fields["functionRequestId"] != "$context.integration.requestId" {
			t.Errorf("%s: the access log does not carry both request IDs: %s", id, format)
		}
		if strings.Contains(format, "$context.path") || strings.Contains(format, "$context.http.path") {
			t.Errorf("%s: the access log has the path, and webhook paths hold secret tokens", id)
		}
	}

	topic := tmpl.resources("AWS::SNS::Topic")
	if _, ok := topic["AlarmTopic"]; !ok {
		t.Fatal("no AlarmTopic")
	}
	if d, ok := parameter(t, tmpl, "AlarmEmail")["Default"]; !ok || d != "" {
		t.Errorf("AlarmEmail default %v, want empty (no subscription)", d)
	}
	subs := tmpl.resources("AWS::SNS::Subscription")
	okSub := slices.ContainsFunc(sortedKeys(subs), func(id string) bool {
		s := subs[id]
		return asString(s["Condition"]) == "HasAlarmEmail" && asString(lookup(s, "Properties", "Protocol")) == "email" &&
			fmt.Sprint(lookup(s, "Properties", "Endpoint")) == fmt.Sprint(map[string]any{"Ref": "AlarmEmail"})
	})
	if !okSub || fmt.Sprint(lookup(tmpl, "Conditions", "HasAlarmEmail")) == "<nil>" {
		t.Error("no e-mail subscription to AlarmTopic under the condition HasAlarmEmail")
	}

	type want struct{ namespace, metric, dimension, value string }
	wants := []want{
		{"AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${StreamDeadLetterQueue.QueueName}"},
		{"AWS/Lambda", "IteratorAge", "FunctionName", "${StreamFunction}"},
	}
	for _, id := range sortedKeys(fns) {
		for _, m := range []string{"Errors", "Throttles"} {
			wants = append(wants, want{"AWS/Lambda", m, "FunctionName", "${" + id + "}"})
		}
	}
	alarms := tmpl.resources("AWS::CloudWatch::Alarm")
	for _, w := range wants {
		found := false
		for _, id := range sortedKeys(alarms) {
			p := lookup(alarms[id], "Properties")
			if asString(lookup(p, "Namespace")) != w.namespace || asString(lookup(p, "MetricName")) != w.metric ||
				asString(lookup(p, "Dimensions", 0, "Name")) != w.dimension || strings.Join(resolve(lookup(p, "Dimensions", 0, "Value")), "") != w.value {
				continue
			}
			found = true
			if !slices.ContainsFunc(asList(lookup(p, "AlarmActions")), func(a any) bool { return fmt.Sprint(a) == fmt.Sprint(map[string]any{"Ref": "AlarmTopic"}) }) {
				t.Errorf("%s does not notify AlarmTopic", id)
			}
		}
		if !found {
			t.Errorf("no alarm on %s %s for %s", w.namespace, w.metric, w.value)
		}
	}
}

// timeoutOf returns a function's Timeout, or the Globals one.
func timeoutOf(t *testing.T, tmpl cfnTemplate, fn string) time.Duration {
	t.Helper()
	v := lookup(tmpl.resource(t, fn), "Properties", "Timeout")
	if v == nil {
		v = lookup(tmpl, "Globals", "Function", "Timeout")
	}
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%s: Timeout %v is not a number", fn, v)
	}
	return time.Duration(f) * time.Second
}

// TestFunctionLimits: the webhook's reserved concurrency is a parameter
// (0 for none); its timeout exceeds a Meta lead's fetch with every retry
// and stays under API Gateway's; the API's timeout and memory fit an import
// batch (docs/performance.md, "Sizing the API function").
func TestFunctionLimits(t *testing.T) {
	tmpl := loadTemplate(t)
	const apiGateway = 30 * time.Second // HTTP API integration timeout

	hook := tmpl.resource(t, "WebhookFunction")
	want := map[string]any{"Fn::If": []any{"HasWebhookReservedConcurrency", map[string]any{"Ref": "WebhookReservedConcurrency"}, map[string]any{"Ref": "AWS::NoValue"}}}
	if got := lookup(hook, "Properties", "ReservedConcurrentExecutions"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("WebhookFunction ReservedConcurrentExecutions %v, want %v", got, want)
	}
	if p := parameter(t, tmpl, "WebhookReservedConcurrency"); p["Default"] == nil || fmt.Sprint(p["MinValue"]) != "0" {
		t.Errorf("WebhookReservedConcurrency %v: want a default and 0 allowed (accounts under 110 concurrent executions)", p)
	}
	// The webhook writes its lead after the fetch: leave it 2 s.
	budget := graph.New("").Budget()
	if got := timeoutOf(t, tmpl, "WebhookFunction"); got < budget+2*time.Second || got >= apiGateway {
		t.Errorf("WebhookFunction Timeout %v, want over the Graph API budget %v + 2 s and under %v", got, budget, apiGateway)
	}

	// An import batch: 500 rows, 8 at a time, 2 DynamoDB requests each
	// (5 to 20 ms in the region; 50 ms at the slow end), and up to 1 s of
	// CPU at 512 MB (BenchmarkImportBatchCPU: 0.2 s of a full core).
	batch := (500+7)/8*2*50*time.Millisecond + time.Second
	if got := timeoutOf(t, tmpl, "ApiFunction"); got < 3*batch || got >= apiGateway {
		t.Errorf("ApiFunction Timeout %v, want at least 3 slow import batches (%v) and under %v", got, 3*batch, apiGateway)
	}
	if mb, _ := lookup(tmpl.resource(t, "ApiFunction"), "Properties", "MemorySize").(float64); mb < 512 {
		t.Errorf("ApiFunction MemorySize %v, want at least 512 MB (the CPU of an import batch)", mb)
	}
}

// readFile returns the file's text, failing the test if it cannot be read.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
