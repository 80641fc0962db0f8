package awstest_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/embudo/embudo/internal/awstest"
	"github.com/embudo/embudo/internal/client"
	"github.com/embudo/embudo/internal/emulate"
)

// deployParams are the journey's deploy parameters: a sender, links to a
// front end, the company's zone and e-mail in (so that every function of
// the template is deployed, the inbound one too).
var deployParams = map[string]string{
	"SenderEmail":     "Embudo <no-reply@embudo.example>",
	"AppUrl":          "https://crm.embudo.example",
	"CompanyTimeZone": "Europe/Madrid",
	"PhoneRegion":     "ES",
	"InboundDomain":   "in.embudo.example",
	"ReplyTokenKey":   "journey-reply-key-0123456789abcdef0123",
}

// rig is the deployed stack with its functions running, the mapping and
// the scheduler played, and the SES emulator behind them.
type rig struct {
	stack    *awstest.Stack
	ses      *emulate.SES
	mail     *mailbox
	counter  *awstest.Counter
	fns      map[string]*awstest.Function
	mapping  *awstest.Mapping
	clock    *awstest.Clock
	sched    *awstest.Scheduler
	http     *http.Client
	table    string
	db       *dynamodb.Client // the operator's client, straight to moto
	indexes  []awstest.Index
	deployed time.Duration
	started  time.Duration
}

// newRig deploys template.yaml into moto and starts the four functions the
// journey goes through, each on its own counted DynamoDB endpoint.
func newRig(t *testing.T) *rig {
	t.Helper()
	begin := time.Now()
	r := &rig{fns: map[string]*awstest.Function{}, clock: &awstest.Clock{}}
	r.stack = awstest.Deploy(t, awstest.Options{Parameters: deployParams})
	r.deployed = time.Since(begin)
	r.ses = emulate.StartSES(t)
	r.table = r.stack.Physical(t, "Table")
	r.db = r.stack.Moto.DynamoDB()
	r.indexes = indexesOf(t, r.db, r.table)
	r.counter = awstest.NewCounter(r.stack.Moto, "PK", "SK")
	for _, id := range []string{"ApiFunction", "WebhookFunction", "StreamFunction", "ReminderFunction"} {
		r.fns[id] = r.stack.Start(t, id, awstest.Endpoints{
			"DYNAMODB_ENDPOINT":  r.counter.Endpoint(t, id),
			"SES_ENDPOINT":       r.ses.URL,
			"SCHEDULER_ENDPOINT": r.stack.Moto.URL,
			"S3_ENDPOINT":        r.stack.Moto.URL,
		})
	}
	api := r.stack.Gateway(t, "HttpApi", r.fns["ApiFunction"])
	hooks := r.stack.Gateway(t, "HooksApi", r.fns["WebhookFunction"])
	r.http = awstest.Client(api, hooks)
	r.mapping = r.stack.NewMapping(t, "StreamFunctionChanges", r.fns["StreamFunction"])
	r.mapping.Start(t)
	r.sched = r.stack.NewScheduler(t, "ReminderScheduleGroup", r.clock, r.fns["ReminderFunction"])
	r.sched.Start(t)
	r.mail = watchMail(t, r.ses)
	r.started = time.Since(begin) - r.deployed
	return r
}

// api is the staff API's client (the CLI's) through the stack's HTTP API.
func (r *rig) api(token string) *client.Client {
	c := client.New(r.stack.Outputs["ApiUrl"], token)
	c.HTTP = r.http
	return c
}

// indexesOf reads the table's global secondary indexes.
func indexesOf(t *testing.T, db *dynamodb.Client, table string) []awstest.Index {
	t.Helper()
	out, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	var idx []awstest.Index
	for _, g := range out.Table.GlobalSecondaryIndexes {
		var i awstest.Index
		for _, k := range g.KeySchema {
			if k.KeyType == "HASH" {
				i.PK = aws.ToString(k.AttributeName)
			} else {
				i.SK = aws.ToString(k.AttributeName)
			}
		}
		idx = append(idx, i)
	}
	return idx
}

// mailbox watches the SES emulator, noting when each e-mail first appears.
type mailbox struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	mails []emulate.Email
}

// watchMail polls the emulator every 20 ms until t ends.
func watchMail(t *testing.T, ses *emulate.SES) *mailbox {
	b := &mailbox{seen: map[string]time.Time{}}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			got, err := sesEmails(ses.URL)
			if err != nil {
				continue
			}
			now := time.Now()
			b.mu.Lock()
			for _, m := range got {
				if _, ok := b.seen[m.MessageID]; !ok {
					b.seen[m.MessageID] = now
					b.mails = append(b.mails, m)
				}
			}
			b.mu.Unlock()
		}
	}()
	t.Cleanup(func() { close(done); <-stopped })
	return b
}

// all returns the e-mails seen so far, oldest first.
func (b *mailbox) all() []emulate.Email {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]emulate.Email(nil), b.mails...)
}

// at returns when m was first seen.
func (b *mailbox) at(m emulate.Email) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seen[m.MessageID]
}

// wait waits until an e-mail to `to` whose subject starts with prefix is
// there, and returns it; it fails t after timeout.
func (b *mailbox) wait(t *testing.T, to, prefix string, timeout time.Duration) emulate.Email {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m, ok := find(b.all(), to, prefix); ok {
			return m
		}
	}
	t.Fatalf("no e-mail to %s with a subject starting %q after %s; the emulator holds:\n%s", to, prefix, timeout, describe(b.all()))
	return emulate.Email{}
}

// find returns the first e-mail to `to` whose subject starts with prefix.
func find(mails []emulate.Email, to, prefix string) (emulate.Email, bool) {
	for _, m := range mails {
		if strings.HasPrefix(m.Subject, prefix) && strings.Contains(strings.Join(m.Destination.To, ","), to) {
			return m, true
		}
	}
	return emulate.Email{}, false
}

// describe lists e-mails for a failure message.
func describe(mails []emulate.Email) string {
	var b strings.Builder
	for _, m := range mails {
		b.WriteString("  " + strings.Join(m.Destination.To, ",") + ": " + m.Subject + "\n")
	}
	return b.String()
}
