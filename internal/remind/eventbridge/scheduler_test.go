package eventbridge

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/remind"
)

// Both adapters serve the same port.
var (
	_ interface {
		Arm(context.Context, string, time.Time) error
		Disarm(context.Context, string) error
	} = (*Scheduler)(nil)
	_ interface {
		Arm(context.Context, string, time.Time) error
		Disarm(context.Context, string) error
	} = (*remind.Timer)(nil)
	_ API = (*scheduler.Client)(nil)
)

const (
	testNote     = "01JABCDEFGHJKMNPQRSTVWXYZ0"
	testGroup    = "embudo-dev-reminders"
	testFunction = "arn:aws:lambda:eu-west-1:123456789012:function:embudo-reminder"
	testRole     = "arn:aws:iam::123456789012:role/embudo-scheduler-invoke"
	testArn      = "arn:aws:scheduler:eu-west-1:123456789012:schedule/" + testGroup + "/note-" + testNote
)

// wireRequest is one request as the fake Scheduler endpoint saw it.
type wireRequest struct {
	Method, Path, Query string
	Header              http.Header
	Body                map[string]any
}

// reply is one canned answer of the fake endpoint.
type reply struct {
	status    int
	errorType string // x-amzn-ErrorType, for error answers
	body      string
}

func okCreate() reply { return reply{status: 200, body: `{"ScheduleArn":"` + testArn + `"}`} }
func okDelete() reply { return reply{status: 200, body: `{}`} }
func awsError(status int, typ, msg string) reply {
	return reply{status: status, errorType: typ, body: `{"Message":"` + msg + `"}`}
}

// fakeScheduler speaks the EventBridge Scheduler REST-JSON protocol well
// enough for the SDK: it records each request and answers from a script.
type fakeScheduler struct {
	t       *testing.T
	mu      sync.Mutex
	seen    []wireRequest
	replies []reply
}

func (f *fakeScheduler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("read body: %v", err)
	}
	req := wireRequest{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone()}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &req.Body); err != nil {
			f.t.Errorf("request body is not JSON: %v: %s", err, raw)
		}
	}
	f.mu.Lock()
	f.seen = append(f.seen, req)
	var rep reply
	if len(f.replies) == 0 {
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		rep = awsError(500, "InternalServerException", "no reply scripted")
	} else {
		rep, f.replies = f.replies[0], f.replies[1:]
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if rep.errorType != "" {
		w.Header().Set("x-amzn-ErrorType", rep.errorType)
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

func (f *fakeScheduler) requests() []wireRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]wireRequest(nil), f.seen...)
}

// newFake starts a fake endpoint answering with replies in order and returns
// a Scheduler adapter whose real SDK client talks to it, with the clock at now.
func newFake(t *testing.T, now time.Time, replies ...reply) (*Scheduler, *fakeScheduler) {
	t.Helper()
	fake := &fakeScheduler{t: t, replies: replies}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client := scheduler.New(scheduler.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1, // one request per call, so the script is exact
	})
	s := &Scheduler{
		Client: client,
		Target: Target{FunctionARN: testFunction, RoleARN: testRole, Group: testGroup},
		Now:    func() time.Time { return now },
	}
	return s, fake
}

var clientTokenRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// checkSchedule checks everything a reminder schedule's body must carry.
func checkSchedule(t *testing.T, req wireRequest, wantExpr string, wantPayload remind.Payload) {
	t.Helper()
	b := req.Body
	str := func(k string) string { s, _ := b[k].(string); return s }
	if got := str("ScheduleExpression"); got != wantExpr {
		t.Errorf("ScheduleExpression = %q, want %q", got, wantExpr)
	}
	if got := str("ScheduleExpressionTimezone"); got != "UTC" {
		t.Errorf("ScheduleExpressionTimezone = %q, want UTC", got)
	}
	if got := str("ActionAfterCompletion"); got != "DELETE" {
		t.Errorf("ActionAfterCompletion = %q, want DELETE", got)
	}
	if got := str("GroupName"); got != testGroup {
		t.Errorf("GroupName = %q, want %q", got, testGroup)
	}
	if got := str("State"); got != "ENABLED" {
		t.Errorf("State = %q, want ENABLED", got)
	}
	if ftw, _ := b["FlexibleTimeWindow"].(map[string]any); ftw["Mode"] != "OFF" {
		t.Errorf("FlexibleTimeWindow = %v, want Mode OFF", b["FlexibleTimeWindow"])
	}
	if tok := str("ClientToken"); !clientTokenRE.MatchString(tok) || strings.Contains(tok, ".") {
		t.Errorf("ClientToken = %q, want [a-zA-Z0-9-_]{1,64}", tok)
	}
	if _, ok := b["Name"]; ok {
		t.Errorf("Name is in the body; it belongs in the path")
	}
	target, _ := b["Target"].(map[string]any)
	if target == nil {
		t.Fatalf("no Target in %v", b)
	}
	if target["Arn"] != testFunction || target["RoleArn"] != testRole {
		t.Errorf("Target Arn/RoleArn = %v / %v", target["Arn"], target["RoleArn"])
	}
	retry, _ := target["RetryPolicy"].(map[string]any)
	if retry["MaximumRetryAttempts"] != float64(3) || retry["MaximumEventAgeInSeconds"] != float64(3600) {
		t.Errorf("Target.RetryPolicy = %v, want 3 attempts / 3600 s", target["RetryPolicy"])
	}
	input, _ := target["Input"].(string)
	var p remind.Payload
	dec := json.NewDecoder(strings.NewReader(input))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("Target.Input %q: %v", input, err)
	}
	if p.NoteID != wantPayload.NoteID || !p.AvisoAt.Equal(wantPayload.AvisoAt) {
		t.Errorf("Target.Input = %+v, want %+v", p, wantPayload)
	}
	if !strings.Contains(input, `"noteId":`) || !strings.Contains(input, `"avisoAt":`) {
		t.Errorf("Target.Input %q lacks the noteId/avisoAt keys", input)
	}
}

func checkCall(t *testing.T, req wireRequest, method, path string) {
	t.Helper()
	if req.Method != method || req.Path != path {
		t.Errorf("request = %s %s, want %s %s", req.Method, req.Path, method, path)
	}
	auth := req.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !strings.Contains(auth, "/eu-west-1/scheduler/aws4_request") {
		t.Errorf("Authorization = %q, want a SigV4 signature for scheduler in eu-west-1", auth)
	}
}

var now = time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

func TestArmCreates(t *testing.T) {
	s, fake := newFake(t, now, okCreate())
	madrid := time.FixedZone("CET", 3600)
	at := time.Date(2030, 1, 2, 10, 30, 0, 0, madrid) // 09:30 UTC
	if err := s.Arm(context.Background(), testNote, at); err != nil {
		t.Fatalf("Arm: %v", err)
	}
	reqs := fake.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	checkCall(t, reqs[0], http.MethodPost, "/schedules/note-"+testNote)
	checkSchedule(t, reqs[0], "at(2030-01-02T09:30:00)", remind.Payload{NoteID: testNote, AvisoAt: at})
	if reqs[0].Query != "" {
		t.Errorf("query = %q, want none", reqs[0].Query)
	}
}

func TestArmSoonOrPastIsOneMinuteAhead(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
	}{
		{"past", now.Add(-3 * time.Hour)},
		{"now", now},
		{"within a minute", now.Add(30 * time.Second)},
		{"zero", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, fake := newFake(t, now, okCreate())
			if err := s.Arm(context.Background(), testNote, tc.at); err != nil {
				t.Fatalf("Arm: %v", err)
			}
			reqs := fake.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			// The payload keeps the aviso time it was armed for.
			checkSchedule(t, reqs[0], "at(2030-01-01T09:01:00)", remind.Payload{NoteID: testNote, AvisoAt: tc.at})
		})
	}
}

func TestAtExpression(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(2 * time.Minute), "at(2030-01-01T09:02:00)"},
		{now.Add(2*time.Minute + 1), "at(2030-01-01T09:02:01)"}, // rounded up, never early
		{now.Add(time.Minute), "at(2030-01-01T09:01:00)"},
		{now.Add(time.Minute - time.Second), "at(2030-01-01T09:01:00)"},
		{time.Date(2031, 6, 30, 23, 59, 59, 500, time.UTC), "at(2031-07-01T00:00:00)"},
		{time.Date(2031, 6, 30, 23, 0, 0, 0, time.FixedZone("", -5*3600)), "at(2031-07-01T04:00:00)"},
	} {
		if got := atExpression(tc.at, now); got != tc.want {
			t.Errorf("atExpression(%v) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestArmConflictUpdatesWithFullInput(t *testing.T) {
	s, fake := newFake(t, now,
		awsError(409, "ConflictException", "Schedule note-"+testNote+" already exists."),
		reply{status: 200, body: `{"ScheduleArn":"` + testArn + `"}`},
	)
	at := now.Add(48 * time.Hour)
	if err := s.Arm(context.Background(), testNote, at); err != nil {
		t.Fatalf("Arm: %v", err)
	}
	reqs := fake.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want create then update", len(reqs))
	}
	checkCall(t, reqs[0], http.MethodPost, "/schedules/note-"+testNote)
	checkCall(t, reqs[1], http.MethodPut, "/schedules/note-"+testNote)
	want := remind.Payload{NoteID: testNote, AvisoAt: at}
	checkSchedule(t, reqs[0], "at(2030-01-03T09:00:00)", want)
	checkSchedule(t, reqs[1], "at(2030-01-03T09:00:00)", want)
	// The update carries exactly what the create did, token aside.
	create, update := reqs[0].Body, reqs[1].Body
	delete(create, "ClientToken")
	delete(update, "ClientToken")
	cj, _ := json.Marshal(create)
	uj, _ := json.Marshal(update)
	if string(cj) != string(uj) {
		t.Errorf("update body differs from create body:\ncreate %s\nupdate %s", cj, uj)
	}
}

func TestArmConflictThenGoneCreatesAgain(t *testing.T) {
	s, fake := newFake(t, now,
		awsError(409, "ConflictException", "exists"),
		awsError(404, "ResourceNotFoundException", "Schedule not found."),
		okCreate(),
	)
	if err := s.Arm(context.Background(), testNote, now.Add(time.Hour)); err != nil {
		t.Fatalf("Arm: %v", err)
	}
	reqs := fake.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want create, update, create", len(reqs))
	}
	for i, m := range []string{http.MethodPost, http.MethodPut, http.MethodPost} {
		checkCall(t, reqs[i], m, "/schedules/note-"+testNote)
	}
	checkSchedule(t, reqs[2], "at(2030-01-01T10:00:00)", remind.Payload{NoteID: testNote, AvisoAt: now.Add(time.Hour)})
}

func TestArmFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replies []reply
	}{
		{"create 500", []reply{awsError(500, "InternalServerException", "boom")}},
		{"create throttled", []reply{awsError(429, "ThrottlingException", "slow down")}},
		{"create invalid", []reply{awsError(400, "ValidationException", "bad expression")}},
		{"update 500", []reply{awsError(409, "ConflictException", "exists"), awsError(500, "InternalServerException", "boom")}},
		{"never settles", []reply{
			awsError(409, "ConflictException", "exists"), awsError(404, "ResourceNotFoundException", "gone"),
			awsError(409, "ConflictException", "exists"), awsError(404, "ResourceNotFoundException", "gone"),
			awsError(409, "ConflictException", "exists"), awsError(404, "ResourceNotFoundException", "gone"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, fake := newFake(t, now, tc.replies...)
			err := s.Arm(context.Background(), testNote, now.Add(time.Hour))
			if code := crm.ErrorCode(err); code != crm.CodeInternal {
				t.Fatalf("Arm = %v (code %q), want internal", err, code)
			}
			if n := len(fake.requests()); n != len(tc.replies) {
				t.Errorf("%d requests, want %d", n, len(tc.replies))
			}
		})
	}
}

func TestArmRejectsBadNoteIDsAndConfig(t *testing.T) {
	s, fake := newFake(t, now)
	for _, id := range []string{"", "has space", "slash/y", "ñ", strings.Repeat("a", 60)} {
		if err := s.Arm(context.Background(), id, now.Add(time.Hour)); crm.ErrorCode(err) != crm.CodeInvalid {
			t.Errorf("Arm(%q) = %v, want invalid", id, err)
		}
		if err := s.Disarm(context.Background(), id); crm.ErrorCode(err) != crm.CodeInvalid {
			t.Errorf("Disarm(%q) = %v, want invalid", id, err)
		}
	}
	// The longest name Scheduler takes, dots included, is fine for the name.
	if _, err := remind.ScheduleName(strings.Repeat("a.", 29) + "b"); err != nil {
		t.Errorf("59-character ID: %v", err)
	}
	for _, bad := range []*Scheduler{
		{Target: s.Target},
		{Client: s.Client, Target: Target{RoleARN: testRole}},
		{Client: s.Client, Target: Target{FunctionARN: testFunction}},
	} {
		if err := bad.Arm(context.Background(), testNote, now); crm.ErrorCode(err) != crm.CodeInternal {
			t.Errorf("misconfigured Arm = %v, want internal", err)
		}
	}
	if n := len(fake.requests()); n != 0 {
		t.Errorf("%d requests sent for rejected calls", n)
	}
}

func TestArmDefaultGroupOmitsGroupName(t *testing.T) {
	s, fake := newFake(t, now, okCreate(), okDelete())
	s.Target.Group = ""
	if err := s.Arm(context.Background(), testNote, now.Add(time.Hour)); err != nil {
		t.Fatalf("Arm: %v", err)
	}
	if err := s.Disarm(context.Background(), testNote); err != nil {
		t.Fatalf("Disarm: %v", err)
	}
	reqs := fake.requests()
	if _, ok := reqs[0].Body["GroupName"]; ok {
		t.Errorf("GroupName sent for the default group: %v", reqs[0].Body["GroupName"])
	}
	if strings.Contains(reqs[1].Query, "groupName") {
		t.Errorf("delete query %q names a group", reqs[1].Query)
	}
}

func TestDisarm(t *testing.T) {
	for _, tc := range []struct {
		name     string
		reply    reply
		wantCode crm.Code
	}{
		{"deleted", okDelete(), ""},
		{"gone already", awsError(404, "ResourceNotFoundException", "Schedule note-x does not exist."), ""},
		{"server error", awsError(500, "InternalServerException", "boom"), crm.CodeInternal},
		{"conflict", awsError(409, "ConflictException", "busy"), crm.CodeInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, fake := newFake(t, now, tc.reply)
			err := s.Disarm(context.Background(), testNote)
			if code := crm.ErrorCode(err); code != tc.wantCode {
				t.Fatalf("Disarm = %v (code %q), want %q", err, code, tc.wantCode)
			}
			reqs := fake.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			checkCall(t, reqs[0], http.MethodDelete, "/schedules/note-"+testNote)
			q, err := url.ParseQuery(reqs[0].Query)
			if err != nil {
				t.Fatalf("query %q: %v", reqs[0].Query, err)
			}
			if q.Get("groupName") != testGroup {
				t.Errorf("groupName = %q, want %q (query %q)", q.Get("groupName"), testGroup, reqs[0].Query)
			}
			if tok := q.Get("clientToken"); !clientTokenRE.MatchString(tok) {
				t.Errorf("clientToken = %q", tok)
			}
			if len(reqs[0].Body) != 0 {
				t.Errorf("delete has a body: %v", reqs[0].Body)
			}
		})
	}
}
