package awstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
)

// asyncAttempts is how many times Lambda runs an asynchronous invocation
// whose function fails: once and two retries (the default of a function
// without an EventInvokeConfig, as the reminder function). The waits
// between them (a minute, then two) are left out.
const asyncAttempts = 3

// Clock is the scheduler's time: the real time moved by an offset, so
// that a test can bring a schedule's time forward.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Set moves the clock to at; it runs on from there.
func (c *Clock) Set(at time.Time) {
	c.mu.Lock()
	c.offset = time.Until(at)
	c.mu.Unlock()
}

// Scheduler plays EventBridge Scheduler for the schedules of one group in
// moto, where they are created and kept but never fire: a one-time
// schedule (at(...) in its ScheduleExpressionTimezone, UTC by default)
// comes due when the clock reaches its time (the start of its window when
// FlexibleTimeWindow is FLEXIBLE); its Target.Input is then the event of
// an asynchronous invocation of its target, a function the harness runs
// (Lambda tries a failing asynchronous invocation three times), and the
// schedule is deleted if its ActionAfterCompletion is DELETE. A disabled
// schedule does not fire; a schedule of another kind (rate, cron) fails
// Fire, as the harness does not play it.
type Scheduler struct {
	Group string
	Clock *Clock

	client  *scheduler.Client
	targets map[string]invoker // by ARN

	mu    sync.Mutex
	fired []Fired
	done  map[string]bool // schedules fired, by name and last modification, for those kept after completion
	err   error           // what stopped Start
}

// Fired is one schedule the scheduler fired.
type Fired struct {
	Name   string
	At     time.Time // its at() time
	Target string    // the function's logical ID
	Input  string
	Result []byte // the function's last answer
	Err    error  // its error, after every attempt failed
}

// NewScheduler plays the schedule group groupID (a logical ID) of the
// stack on clock, firing schedules at targets.
func (s *Stack) NewScheduler(t testing.TB, groupID string, clock *Clock, targets ...*Function) *Scheduler {
	t.Helper()
	sc := &Scheduler{Group: s.Physical(t, groupID), Clock: clock, client: s.Moto.Scheduler(),
		targets: map[string]invoker{}, done: map[string]bool{}}
	for _, f := range targets {
		sc.targets[f.ARN] = f
	}
	return sc
}

// Schedules returns the group's schedules as moto holds them.
func (sc *Scheduler) Schedules(ctx context.Context) ([]*scheduler.GetScheduleOutput, error) {
	var out []*scheduler.GetScheduleOutput
	p := scheduler.NewListSchedulesPaginator(sc.client, &scheduler.ListSchedulesInput{GroupName: aws.String(sc.Group)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.Schedules {
			g, err := sc.client.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: s.Name, GroupName: aws.String(sc.Group)})
			var gone *types.ResourceNotFoundException
			if errors.As(err, &gone) {
				continue // deleted meanwhile
			}
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		}
	}
	return out, nil
}

// Fire fires every schedule of the group that is due on the clock and
// returns what it fired.
func (sc *Scheduler) Fire(ctx context.Context) ([]Fired, error) {
	all, err := sc.Schedules(ctx)
	if err != nil {
		return nil, err
	}
	var out []Fired
	for _, s := range all {
		key := aws.ToString(s.Name) + "@" + aws.ToTime(s.LastModificationDate).String()
		if s.State == types.ScheduleStateDisabled || sc.isDone(key) {
			continue
		}
		at, err := atTime(aws.ToString(s.ScheduleExpression), aws.ToString(s.ScheduleExpressionTimezone))
		if err != nil {
			return out, fmt.Errorf("schedule %s: %w", aws.ToString(s.Name), err)
		}
		if sc.Clock.Now().Before(at) {
			continue
		}
		f, err := sc.fire(ctx, s, at)
		if err != nil {
			return out, err
		}
		sc.mu.Lock()
		sc.done[key] = true
		sc.fired = append(sc.fired, f)
		sc.mu.Unlock()
		out = append(out, f)
	}
	return out, nil
}

// fire invokes one schedule's target and completes the schedule.
func (sc *Scheduler) fire(ctx context.Context, s *scheduler.GetScheduleOutput, at time.Time) (Fired, error) {
	name := aws.ToString(s.Name)
	if s.Target == nil || aws.ToString(s.Target.RoleArn) == "" {
		return Fired{}, fmt.Errorf("schedule %s has no target or no role", name)
	}
	fn := sc.targets[aws.ToString(s.Target.Arn)]
	if fn == nil {
		return Fired{}, fmt.Errorf("schedule %s targets %s, which the harness does not run", name, aws.ToString(s.Target.Arn))
	}
	input := aws.ToString(s.Target.Input)
	if input == "" {
		input = "{}"
	}
	f := Fired{Name: name, At: at, Target: fn.config().LogicalID, Input: input}
	for range asyncAttempts {
		ictx, cancel := context.WithTimeout(ctx, time.Duration(fn.config().Timeout+5)*time.Second)
		out, handlerErr, err := fn.Invoke(ictx, []byte(input))
		cancel()
		f.Result, f.Err = out, errors.Join(handlerErr, err)
		if f.Err == nil {
			break
		}
	}
	if s.ActionAfterCompletion == types.ActionAfterCompletionDelete {
		_, err := sc.client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: s.Name, GroupName: aws.String(sc.Group)})
		var gone *types.ResourceNotFoundException
		if err != nil && !errors.As(err, &gone) {
			return f, fmt.Errorf("delete schedule %s after completion: %w", name, err)
		}
	}
	return f, nil
}

func (sc *Scheduler) isDone(key string) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.done[key]
}

// Fired returns every schedule fired so far.
func (sc *Scheduler) Fired() []Fired {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return append([]Fired(nil), sc.fired...)
}

// atTime reads at(yyyy-mm-ddThh:mm:ss) in the zone tz ("" for UTC).
func atTime(expr, tz string) (time.Time, error) {
	if !strings.HasPrefix(expr, "at(") || !strings.HasSuffix(expr, ")") {
		return time.Time{}, fmt.Errorf("%q: the harness plays one-time at() schedules only", expr)
	}
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return time.Time{}, fmt.Errorf("ScheduleExpressionTimezone %q: %w", tz, err)
		}
		loc = l
	}
	return time.ParseInLocation("2006-01-02T15:04:05", expr[3:len(expr)-1], loc)
}

// Start fires due schedules every quarter of a second until t ends; an
// error of a pass fails t.
func (sc *Scheduler) Start(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for ctx.Err() == nil {
			if _, err := sc.Fire(ctx); err != nil && ctx.Err() == nil {
				sc.mu.Lock()
				sc.err = err
				sc.mu.Unlock()
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(pollInterval):
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
		if err := sc.failure(); err != nil {
			t.Errorf("awstest: scheduler %s: %v", sc.Group, err)
		}
	})
}

// WaitFired waits until the scheduler has fired n schedules in all,
// failing t when it stopped on an error or after timeout.
func (sc *Scheduler) WaitFired(t testing.TB, n int, timeout time.Duration) []Fired {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err := sc.failure(); err != nil {
			t.Fatalf("awstest: scheduler %s: %v", sc.Group, err)
		}
		if f := sc.Fired(); len(f) >= n {
			return f
		}
	}
	t.Fatalf("awstest: scheduler %s fired %d schedules in %s, want %d", sc.Group, len(sc.Fired()), timeout, n)
	return nil
}

func (sc *Scheduler) failure() error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.err
}
