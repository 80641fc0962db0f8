// Package eventbridge is the reminders' adapter on AWS: Scheduler arms one
// EventBridge Scheduler one-time schedule per note, targeting the reminder
// function (functions/reminder) with a remind.Payload. It is apart from the
// reminders' logic (internal/remind) so that the reminder function, which
// arms nothing, links no Scheduler client.
package eventbridge

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/remind"
)

// Target is what a reminder schedule invokes: FunctionARN is the reminder
// function, RoleARN the execution role Scheduler assumes to invoke it, and
// Group the schedule group the schedules live in ("" means Scheduler's
// "default" group).
type Target struct {
	FunctionARN string
	RoleARN     string
	Group       string
}

// API is the part of the EventBridge Scheduler client the Scheduler adapter
// uses; *scheduler.Client satisfies it. Its errors are the SDK's
// (*types.ConflictException, *types.ResourceNotFoundException, ...).
type API interface {
	CreateSchedule(ctx context.Context, in *scheduler.CreateScheduleInput, optFns ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error)
	UpdateSchedule(ctx context.Context, in *scheduler.UpdateScheduleInput, optFns ...func(*scheduler.Options)) (*scheduler.UpdateScheduleOutput, error)
	DeleteSchedule(ctx context.Context, in *scheduler.DeleteScheduleInput, optFns ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error)
}

// Scheduler arms one EventBridge Scheduler one-time schedule per note, named
// "note-<noteID>" in Target.Group. Client is the Scheduler API, Target what
// the schedules invoke, Now the clock (nil means time.Now). It is safe for
// concurrent use; calls for the same note should not race each other, as the
// last write to reach Scheduler wins.
type Scheduler struct {
	Client API
	Target Target
	Now    func() time.Time
}

// Retry policy of every reminder schedule: three more attempts, for at most
// an hour after the aviso time.
const (
	retryAttempts = 3
	retryMaxAge   = time.Hour
)

// minLead is how far ahead a schedule is armed at the least: at() with a time
// already past never fires, and one too close may pass while the request is
// in flight.
const minLead = time.Minute

// atLayout formats the time inside at(): no zone suffix, no fractions.
const atLayout = "2006-01-02T15:04:05"

// maxArmRounds bounds the create→update→create loop of Arm when the schedule
// keeps appearing and disappearing underneath it.
const maxArmRounds = 3

// Arm creates (or replaces) the note's schedule so that the reminder function
// receives remind.Payload{noteID, at} at the time at: a one-time at()
// schedule in UTC, FlexibleTimeWindow OFF, ActionAfterCompletion DELETE, RetryPolicy of
// 3 attempts within 1 hour. When the schedule exists already
// (ConflictException) it is updated with the full input, as UpdateSchedule
// resets anything it is not given; when the update finds it gone (it fired and
// was deleted meanwhile) it is created again. A time already past, or less than
// a minute ahead, is armed one minute from now, since at() in the past never
// fires; the payload still carries the original at. Errors: CodeInvalid when
// noteID cannot make a schedule name (1..59 characters of [0-9a-zA-Z-_.]);
// CodeInternal when the adapter is not configured or Scheduler fails.
func (s *Scheduler) Arm(ctx context.Context, noteID string, at time.Time) error {
	name, err := remind.ScheduleName(noteID)
	if err != nil {
		return err
	}
	if err := s.check(); err != nil {
		return err
	}
	input, err := json.Marshal(remind.Payload{NoteID: noteID, AvisoAt: at.UTC()})
	if err != nil {
		return crm.Internal(fmt.Errorf("remind: encode payload for %s: %w", name, err))
	}
	sched := scheduleSpec{
		name:       name,
		group:      s.group(),
		expression: atExpression(at, s.now()),
		target: &types.Target{
			Arn:     aws.String(s.Target.FunctionARN),
			RoleArn: aws.String(s.Target.RoleARN),
			Input:   aws.String(string(input)),
			RetryPolicy: &types.RetryPolicy{
				MaximumRetryAttempts:     aws.Int32(retryAttempts),
				MaximumEventAgeInSeconds: aws.Int32(int32(retryMaxAge / time.Second)),
			},
		},
	}

	for range maxArmRounds {
		_, err := s.Client.CreateSchedule(ctx, sched.create())
		if err == nil {
			return nil
		}
		var conflict *types.ConflictException
		if !errors.As(err, &conflict) {
			return crm.Internal(fmt.Errorf("remind: create schedule %s: %w", name, err))
		}
		_, err = s.Client.UpdateSchedule(ctx, sched.update())
		if err == nil {
			return nil
		}
		var gone *types.ResourceNotFoundException
		if !errors.As(err, &gone) {
			return crm.Internal(fmt.Errorf("remind: update schedule %s: %w", name, err))
		}
	}
	return crm.Internal(fmt.Errorf("remind: schedule %s kept appearing and disappearing", name))
}

// Disarm deletes the note's schedule. A schedule that is gone already
// (ResourceNotFoundException: never armed, disarmed before, or fired and
// deleted by ActionAfterCompletion) is success. Errors: CodeInvalid when
// noteID cannot make a schedule name; CodeInternal when the adapter is not
// configured or Scheduler fails.
func (s *Scheduler) Disarm(ctx context.Context, noteID string) error {
	name, err := remind.ScheduleName(noteID)
	if err != nil {
		return err
	}
	if s.Client == nil {
		return crm.Internal(errors.New("remind: Scheduler has no Client"))
	}
	_, err = s.Client.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{
		Name:        aws.String(name),
		GroupName:   s.group(),
		ClientToken: clientToken(),
	})
	var gone *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &gone) {
		return crm.Internal(fmt.Errorf("remind: delete schedule %s: %w", name, err))
	}
	return nil
}

// check reports a Scheduler that cannot make a valid CreateSchedule call.
func (s *Scheduler) check() error {
	switch {
	case s.Client == nil:
		return crm.Internal(errors.New("remind: Scheduler has no Client"))
	case s.Target.FunctionARN == "":
		return crm.Internal(errors.New("remind: Scheduler has no Target.FunctionARN"))
	case s.Target.RoleARN == "":
		return crm.Internal(errors.New("remind: Scheduler has no Target.RoleARN"))
	}
	return nil
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// group returns the GroupName to send: nil (the default group) when unset.
func (s *Scheduler) group() *string {
	if s.Target.Group == "" {
		return nil
	}
	return aws.String(s.Target.Group)
}

// atExpression returns the at() expression for a reminder due at `at`, read
// at time now: at itself (rounded up to the whole second, so the reminder
// never comes early), or now plus minLead when at is sooner than that.
func atExpression(at, now time.Time) string {
	due := at.UTC()
	if floor := now.UTC().Add(minLead); due.Before(floor) {
		due = floor
	}
	if t := due.Truncate(time.Second); !t.Equal(due) {
		due = t.Add(time.Second)
	}
	return "at(" + due.Format(atLayout) + ")"
}

// clientToken returns a fresh idempotency token: 26 characters of base32
// ([A-Z2-7]), inside Scheduler's [a-zA-Z0-9-_]{1,64}. The SDK keeps it across
// its own retries of the call. It is random rather than derived from the note
// and time, because Scheduler could answer a later create that reuses an
// earlier token with the earlier result and leave a re-armed time in place.
func clientToken() *string {
	return aws.String(rand.Text())
}

// scheduleSpec is everything a reminder schedule is made of; create and
// update build their inputs from the one spec so that an update never leaves
// a field out (UpdateSchedule would reset it).
type scheduleSpec struct {
	name       string
	group      *string
	expression string
	target     *types.Target
}

func (c scheduleSpec) create() *scheduler.CreateScheduleInput {
	return &scheduler.CreateScheduleInput{
		Name:                       aws.String(c.name),
		GroupName:                  c.group,
		ScheduleExpression:         aws.String(c.expression),
		ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow:         &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      types.ActionAfterCompletionDelete,
		State:                      types.ScheduleStateEnabled,
		Target:                     c.target,
		ClientToken:                clientToken(),
	}
}

func (c scheduleSpec) update() *scheduler.UpdateScheduleInput {
	return &scheduler.UpdateScheduleInput{
		Name:                       aws.String(c.name),
		GroupName:                  c.group,
		ScheduleExpression:         aws.String(c.expression),
		ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow:         &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      types.ActionAfterCompletionDelete,
		State:                      types.ScheduleStateEnabled,
		Target:                     c.target,
		ClientToken:                clientToken(),
	}
}
