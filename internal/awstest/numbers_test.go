package awstest_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/embudo/embudo/internal/awstest"
	"github.com/embudo/embudo/internal/emulate"
)

// numbers are what one lead cost on the stack, as moto saw it.
type numbers struct {
	requests  awstest.Counts       // DynamoDB requests by function and operation
	records   int                  // stream records the lead's writes made
	delivered int                  // of which handed to the stream function
	mapping   awstest.MappingStats // the mapping's counts over the lead
	units     awstest.Units        // write units of those records
	answered  time.Duration        // the webhook's answer
	toContact time.Duration        // webhook request to the new-contact-agent e-mail
	toOpp     time.Duration        // webhook request to the new-opportunity-agent e-mail
	ops       map[string]int       // requests by operation, every function

	newContact emulate.Email // the new-contact-agent e-mail
}

// leadNumbers reads the lead's costs from the marks taken before it.
func leadNumbers(r *rig, mark int, counts awstest.Counts, stats awstest.MappingStats, nrec int) numbers {
	recs := r.mapping.Records()[nrec:]
	now := r.mapping.Stats()
	n := numbers{requests: r.counter.Counts().Sub(counts), records: len(recs),
		units: r.counter.WriteUnits(recs, mark, r.indexes), ops: map[string]int{}}
	n.mapping = awstest.MappingStats{Read: now.Read - stats.Read, NoOps: now.NoOps - stats.NoOps, Filtered: now.Filtered - stats.Filtered,
		Delivered: now.Delivered - stats.Delivered, Invocations: now.Invocations - stats.Invocations, Retried: now.Retried - stats.Retried}
	n.delivered = n.mapping.Delivered
	for _, ops := range n.requests {
		for op, k := range ops {
			n.ops[op] += k
		}
	}
	return n
}

// report logs the journey's numbers (go test -v -run TestJourney
// ./internal/awstest): its times, then each lead's.
func (r *rig) report(t *testing.T, total time.Duration, setupMails int, leads ...numbers) {
	t.Logf("deploy (moto, translate, create the stack) %s; build and start the functions, gateways, mapping and scheduler %s; whole journey %s; e-mails of the setup %d",
		r.deployed.Round(time.Millisecond), r.started.Round(time.Millisecond), total.Round(time.Millisecond), setupMails)
	for i, n := range leads {
		n.report(t, []string{"first lead (cold functions)", "second lead (warm)"}[min(i, 1)])
	}
}

// report logs one lead's numbers.
func (n numbers) report(t *testing.T, title string) {
	t.Logf("%s, a form lead with contact and opportunity: %d DynamoDB requests (webhook %d, stream %d), %s",
		title,
		n.requests.Requests(""), n.requests.Requests("WebhookFunction"), n.requests.Requests("StreamFunction"), opsLine(n.ops))
	for _, fn := range slices.Sorted(maps.Keys(n.requests)) {
		t.Logf("  %s: %s", fn, opsLine(n.requests[fn]))
	}
	t.Logf("  %d item writes (%d in transactions, %d index entries): %d write units", n.units.Writes, n.units.Transact, n.units.IndexWrites, n.units.Units)
	t.Logf("  %d stream records (%d no-op, %d filtered out), %d delivered to the stream function in %d invocations",
		n.records, n.mapping.NoOps, n.mapping.Filtered, n.delivered, n.mapping.Invocations)
	t.Logf("  webhook answered in %s; e-mails after the request: new-contact-agent %s, new-opportunity-agent %s",
		n.answered.Round(time.Millisecond), n.toContact.Round(time.Millisecond), n.toOpp.Round(time.Millisecond))
}

// opsLine writes operations and their counts, sorted.
func opsLine(ops map[string]int) string {
	var parts []string
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		parts = append(parts, fmt.Sprintf("%s %d", op, ops[op]))
	}
	return strings.Join(parts, ", ")
}

// schedule is one schedule in moto's Scheduler.
type schedule struct{ name, expression, input string }

// waitSchedule waits until the group holds the schedule name.
func waitSchedule(t *testing.T, r *rig, name string) schedule {
	t.Helper()
	for deadline := time.Now().Add(mailWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		all, err := r.sched.Schedules(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range all {
			if aws.ToString(s.Name) == name {
				return schedule{name: name, expression: aws.ToString(s.ScheduleExpression), input: aws.ToString(s.Target.Input)}
			}
		}
	}
	t.Fatalf("no schedule %s in %s after %s; stream function:\n%s", name, r.sched.Group, mailWait, r.fns["StreamFunction"].Logs())
	return schedule{}
}

// schedulesLeft lists the group's schedules.
func schedulesLeft(t *testing.T, r *rig) []string {
	t.Helper()
	all, err := r.sched.Schedules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range all {
		names = append(names, aws.ToString(s.Name))
	}
	return names
}
