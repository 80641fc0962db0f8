package config

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// env is a lookup over m.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// all is a valid environment of a function that needs everything.
func all() map[string]string {
	return map[string]string{
		"TABLE_NAME":            "embudo-Table-1ABC",
		"PHONE_REGION":          "MX",
		"COMPANY_TIME_ZONE":     "America/Mexico_City",
		"LOG_LEVEL":             "INFO",
		"AWS_REGION":            "eu-west-1",
		"AWS_ACCESS_KEY_ID":     "AKID",
		"AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_SESSION_TOKEN":     "token",
		"HOOKS_URL":             "https://abc.execute-api.eu-west-1.amazonaws.com",
		"FILES_BUCKET":          "embudo-files",
		"GRAPH_API_URL":         "https://graph.facebook.com/v21.0",
		"SENDER_EMAIL":          "Embudo <no-reply@example.com>",
		"SES_CONFIGURATION_SET": "embudo",
		"APP_URL":               "https://crm.example.com",
		"SCHEDULE_GROUP":        "embudo-ReminderScheduleGroup-X",
		"SCHEDULER_ROLE_ARN":    "arn:aws:iam::123456789012:role/embudo-scheduler",
		"REMINDER_FUNCTION_ARN": "arn:aws:lambda:eu-west-1:123456789012:function:embudo-reminder",
		"DYNAMODB_ENDPOINT":     "",
		"SES_ENDPOINT":          "",
		"SCHEDULER_ENDPOINT":    "",
	}
}

var everything = Needs{API: true, Graph: true, Mail: true, Schedules: true}

func TestLoadReadsEveryPart(t *testing.T) {
	c, err := Load(env(all()), everything)
	if err != nil {
		t.Fatal(err)
	}
	if c.Table != "embudo-Table-1ABC" || c.PhoneRegion != "MX" || c.TimeZone.String() != "America/Mexico_City" || c.LogLevel != slog.LevelInfo {
		t.Errorf("core %+v", c)
	}
	if c.AWS != (AWS{"eu-west-1", "AKID", "secret", "token"}) {
		t.Errorf("AWS %+v", c.AWS)
	}
	if c.API != (API{"https://abc.execute-api.eu-west-1.amazonaws.com", "embudo-files", ""}) || c.Graph.URL != "https://graph.facebook.com/v21.0" {
		t.Errorf("API %+v, Graph %+v", c.API, c.Graph)
	}
	if c.Mail != (Mail{"Embudo <no-reply@example.com>", "embudo", "", "https://crm.example.com"}) {
		t.Errorf("Mail %+v", c.Mail)
	}
	if c.Schedules != (Schedules{"embudo-ReminderScheduleGroup-X", "arn:aws:iam::123456789012:role/embudo-scheduler",
		"arn:aws:lambda:eu-west-1:123456789012:function:embudo-reminder", ""}) {
		t.Errorf("Schedules %+v", c.Schedules)
	}
}

// TestLoadReadsOnlyWhatIsNeeded: the parts a function does not need stay
// zero, and their variables are neither required nor checked.
func TestLoadReadsOnlyWhatIsNeeded(t *testing.T) {
	c, err := Load(env(map[string]string{"TABLE_NAME": "embudo", "SENDER_EMAIL": "not an address", "APP_URL": "crm"}), Needs{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Table != "embudo" || c.TimeZone != nil || c.PhoneRegion != "" || c.Mail != (Mail{}) || c.Schedules != (Schedules{}) || c.API != (API{}) {
		t.Errorf("%+v", c)
	}
}

// TestLoadNamesEveryProblem: a missing required variable or a malformed one
// is named, all of them in one line.
func TestLoadNamesEveryProblem(t *testing.T) {
	for _, c := range []struct {
		set  map[string]string
		drop []string
		want []string
	}{
		{drop: []string{"TABLE_NAME"}, want: []string{"TABLE_NAME is not set"}},
		{set: map[string]string{"TABLE_NAME": ""}, want: []string{"TABLE_NAME is not set"}},
		{drop: []string{"SENDER_EMAIL"}, want: []string{"SENDER_EMAIL is not set"}},
		{drop: []string{"SCHEDULER_ROLE_ARN", "REMINDER_FUNCTION_ARN"}, want: []string{"SCHEDULER_ROLE_ARN is not set", "REMINDER_FUNCTION_ARN is not set"}},
		{set: map[string]string{"TABLE_NAME": "a b"}, want: []string{"TABLE_NAME: \"a b\" is no DynamoDB table name"}},
		{set: map[string]string{"PHONE_REGION": "es"}, want: []string{"PHONE_REGION: \"es\": want two capital letters"}},
		{set: map[string]string{"COMPANY_TIME_ZONE": "Europe/Nowhere"}, want: []string{"COMPANY_TIME_ZONE: unknown time zone Europe/Nowhere"}},
		{set: map[string]string{"LOG_LEVEL": "loud"}, want: []string{"LOG_LEVEL: \"loud\" is no log level"}},
		{set: map[string]string{"AWS_LAMBDA_LOG_LEVEL": "loud"}, want: []string{"AWS_LAMBDA_LOG_LEVEL: \"loud\" is no log level"}},
		{set: map[string]string{"DYNAMODB_ENDPOINT": "localhost:8000"}, want: []string{"DYNAMODB_ENDPOINT: \"localhost:8000\" is no absolute http(s) URL"}},
		{set: map[string]string{"HOOKS_URL": "/hooks"}, want: []string{"HOOKS_URL:"}},
		{set: map[string]string{"GRAPH_API_URL": "ftp://graph"}, want: []string{"GRAPH_API_URL:"}},
		{set: map[string]string{"SENDER_EMAIL": "embudo@"}, want: []string{"SENDER_EMAIL: \"embudo@\" is no e-mail address"}},
		{set: map[string]string{"APP_URL": "crm.example.com"}, want: []string{"APP_URL:"}},
		{set: map[string]string{"SES_ENDPOINT": "x"}, want: []string{"SES_ENDPOINT:"}},
		{set: map[string]string{"SCHEDULER_ENDPOINT": "x"}, want: []string{"SCHEDULER_ENDPOINT:"}},
		{set: map[string]string{"REMINDER_FUNCTION_ARN": "embudo-reminder"}, want: []string{"REMINDER_FUNCTION_ARN: \"embudo-reminder\" is no ARN"}},
		{set: map[string]string{"SCHEDULER_ROLE_ARN": "arn:aws:iam"}, want: []string{"SCHEDULER_ROLE_ARN:"}},
		{set: map[string]string{"TABLE_NAME": "", "COMPANY_TIME_ZONE": "Mars"}, want: []string{"TABLE_NAME is not set; COMPANY_TIME_ZONE: unknown time zone Mars"}},
	} {
		m := all()
		for k, v := range c.set {
			m[k] = v
		}
		for _, k := range c.drop {
			delete(m, k)
		}
		_, err := Load(env(m), everything)
		if err == nil {
			t.Errorf("set %v, dropped %v: no error, want %q", c.set, c.drop, c.want)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error %q is more than one line", err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("set %v, dropped %v: error %q, want it to say %q", c.set, c.drop, err, w)
			}
		}
	}
}

// TestLoadTakesWhatTheTemplateAllows: the values the template's patterns
// take, and the forms the adapters take, load.
func TestLoadTakesWhatTheTemplateAllows(t *testing.T) {
	for k, vs := range map[string][]string{
		"TABLE_NAME":        {"embudo-local", "arn:aws:dynamodb:eu-west-1:123456789012:table/embudo"},
		"COMPANY_TIME_ZONE": {"UTC", "Europe/Madrid", "America/Argentina/Buenos_Aires", "Etc/GMT+3"},
		"SENDER_EMAIL":      {"no-reply@example.com", "Ventas Cerámica Sur <ventas@ceramicasur.es>"},
		"DYNAMODB_ENDPOINT": {"http://127.0.0.1:8000", "http://embudo-dynamodb:8000"},
		"GRAPH_API_URL":     {"http://127.0.0.1:4000/v21.0"},
		"LOG_LEVEL":         {"debug", "WARN", "error"},
	} {
		for _, v := range vs {
			m := all()
			m[k] = v
			if _, err := Load(env(m), everything); err != nil {
				t.Errorf("%s=%q: %v", k, v, err)
			}
		}
	}
}

func TestLogLevel(t *testing.T) {
	for _, c := range []struct {
		lambda, local string
		want          slog.Level
		bad           bool
	}{
		{"", "", slog.LevelInfo, false},
		{"", "debug", slog.LevelDebug, false},
		{"WARN", "debug", slog.LevelWarn, false}, // Lambda's setting wins
		{"TRACE", "", slog.LevelDebug, false},
		{"FATAL", "", slog.LevelError, false},
		{"", "loud", slog.LevelInfo, true},
	} {
		got, err := Load(env(map[string]string{"TABLE_NAME": "embudo", "AWS_LAMBDA_LOG_LEVEL": c.lambda, "LOG_LEVEL": c.local}), Needs{})
		if got.LogLevel != c.want || (err != nil) != c.bad {
			t.Errorf("AWS_LAMBDA_LOG_LEVEL=%q LOG_LEVEL=%q: %v, %v; want %v (error %v)", c.lambda, c.local, got.LogLevel, err, c.want, c.bad)
		}
	}
}

// TestVars: the variables of each part, which are required, and which
// Lambda sets.
func TestVars(t *testing.T) {
	names := func(vs []Var, keep func(Var) bool) []string {
		var out []string
		for _, v := range vs {
			if keep(v) {
				out = append(out, v.Name)
			}
		}
		return out
	}
	every := func(Var) bool { return true }
	core := []string{"TABLE_NAME", "PHONE_REGION", "COMPANY_TIME_ZONE", "AWS_LAMBDA_LOG_LEVEL", "LOG_LEVEL", "DYNAMODB_ENDPOINT",
		"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
	for _, c := range []struct {
		needs Needs
		more  []string
	}{
		{Needs{}, nil},
		{Needs{API: true}, []string{"HOOKS_URL", "FILES_BUCKET", "S3_ENDPOINT"}},
		{Needs{Graph: true}, []string{"GRAPH_API_URL"}},
		{Needs{Mail: true}, []string{"SENDER_EMAIL", "SES_CONFIGURATION_SET", "SES_ENDPOINT", "APP_URL"}},
		{Needs{Mail: true, Schedules: true}, []string{"SENDER_EMAIL", "SES_CONFIGURATION_SET", "SES_ENDPOINT", "APP_URL",
			"SCHEDULE_GROUP", "SCHEDULER_ROLE_ARN", "REMINDER_FUNCTION_ARN", "SCHEDULER_ENDPOINT"}},
	} {
		if got, want := names(Vars(c.needs), every), append(slices.Clone(core), c.more...); !slices.Equal(got, want) {
			t.Errorf("Vars(%+v) = %v, want %v", c.needs, got, want)
		}
	}
	vs := Vars(everything)
	if got := names(vs, func(v Var) bool { return v.Required }); !slices.Equal(got, []string{"TABLE_NAME", "SENDER_EMAIL", "SCHEDULER_ROLE_ARN", "REMINDER_FUNCTION_ARN"}) {
		t.Errorf("required %v", got)
	}
	if got := names(vs, func(v Var) bool { return v.ByLambda }); !slices.Equal(got, []string{"AWS_LAMBDA_LOG_LEVEL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
		t.Errorf("set by Lambda %v", got)
	}
}
