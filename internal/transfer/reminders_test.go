package transfer_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/remind"
	"github.com/embudo/embudo/internal/remind/eventbridge"
	"github.com/embudo/embudo/internal/transfer"
)

// schedules records the schedules EventBridge Scheduler is asked for.
type schedules struct {
	mu      sync.Mutex
	created []*scheduler.CreateScheduleInput
}

func (s *schedules) CreateSchedule(_ context.Context, in *scheduler.CreateScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created = append(s.created, in)
	return &scheduler.CreateScheduleOutput{}, nil
}

func (s *schedules) UpdateSchedule(context.Context, *scheduler.UpdateScheduleInput, ...func(*scheduler.Options)) (*scheduler.UpdateScheduleOutput, error) {
	return &scheduler.UpdateScheduleOutput{}, nil
}

func (s *schedules) DeleteSchedule(context.Context, *scheduler.DeleteScheduleInput, ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error) {
	return &scheduler.DeleteScheduleOutput{}, nil
}

// The reminders still to send are armed on a DynamoDB target, in the
// stack's schedule group, for the reminder function, at their time; a sent
// one is not.
func TestPendingRemindersAreArmedOnTheTable(t *testing.T) {
	l := newLocal(t)
	tbl := dynamotest.New(t)
	api := &schedules{}
	s := &eventbridge.Scheduler{Client: api, Target: eventbridge.Target{Group: "embudo-ReminderScheduleGroup-X",
		RoleARN: "arn:aws:iam::1:role/invoke", FunctionARN: "arn:aws:lambda:eu-west-1:1:function:reminder"}}
	rep, err := transfer.Copy(bg, transfer.Options{From: endpoint(t, l.dir), To: transfer.Endpoint{Table: tbl.Name}, DynamoDB: tbl.Client,
		Reminders: s, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pending != 1 || rep.Armed != 1 || len(api.created) != 1 {
		t.Fatalf("%d pending, %d armed, %d schedules", rep.Pending, rep.Armed, len(api.created))
	}
	in := api.created[0]
	var p remind.Payload
	if err := json.Unmarshal([]byte(aws.ToString(in.Target.Input)), &p); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(in.Name) != "note-"+l.pending.ID || aws.ToString(in.GroupName) != s.Target.Group ||
		aws.ToString(in.Target.Arn) != s.Target.FunctionARN || !p.AvisoAt.Equal(*l.pending.AvisoAt) ||
		aws.ToString(in.ScheduleExpression) != "at("+l.pending.AvisoAt.UTC().Format("2006-01-02T15:04:05")+")" {
		t.Errorf("schedule %+v, payload %+v", in, p)
	}
}
