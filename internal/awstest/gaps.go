package awstest

import (
	"context"
	"crypto/rand"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
)

// Where moto 5.2.1 differs from AWS in what the stack needs, and what the
// harness does instead. Each gap is handled here or where its comment
// says, never in the functions or the template:
//
//  1. ScheduleGroup: moto's CloudFormation records an
//     AWS::Scheduler::ScheduleGroup without creating it: its physical ID
//     is empty, no group exists in moto's Scheduler, and a function
//     variable given by !Ref to it (SCHEDULE_GROUP) is left out of the
//     function's environment. The harness creates the group, named as
//     CloudFormation names what the template leaves unnamed, and gives
//     the functions that name (createScheduleGroups, Stack.Environment).
//  2. EventSourceMapping: a stream AWS::Lambda::EventSourceMapping in moto
//     tries to run the function in Docker on every write and, once it has
//     handed the records over, empties the shard (moto's StreamShard.add):
//     the records are lost to any other reader. The harness leaves the
//     mappings out of what moto deploys and plays them itself (Mapping),
//     from their properties in the translated template.
//  3. HTTP APIs: moto's CloudFormation does not create
//     AWS::ApiGatewayV2::Api: its physical ID is empty and a Fn::Sub naming
//     it keeps "${HooksApi}" as written (HOOKS_URL, the ApiUrl and
//     HooksUrl outputs). The harness plays each HTTP API (Gateway) under an
//     ID of its own, made as API Gateway makes them, and puts it in.
//  4. LoggingConfig: moto's Lambda keeps no LoggingConfig, from which
//     Lambda sets AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL; the
//     harness reads it from the translated template (lambdaVariables).
//  5. No-op writes: moto writes a stream record for every write, DynamoDB
//     Streams only for a write that changes the item; the harness's
//     mapping drops a MODIFY whose two images are equal, as DynamoDB would
//     never have written it (Mapping, noop).
//  6. Isolation: moto_server serves requests on threads and its DynamoDB
//     takes no lock, so a conditional write, a transaction or an ADD
//     interleaves with another request on the same items: two
//     transactions whose conditions exclude each other both succeed,
//     concurrent ADDs lose increments (the store's conformance suite shows
//     it in eight tests of concurrent writes). DynamoDB applies each
//     request atomically, transactions serializably. The harness sends
//     every DynamoDB request through a proxy that hands moto one at a time
//     (Moto.DynamoDBURL): each request as isolated as in DynamoDB, and no
//     more, as the requests of a use case still interleave with others'.

// leaveOutEventSourceMappings removes the event source mappings from tp
// (gap 2) and returns their properties by logical ID.
func leaveOutEventSourceMappings(tp Template) map[string]map[string]any {
	out := map[string]map[string]any{}
	rs, _ := tp["Resources"].(map[string]any)
	for _, id := range tp.OfType("AWS::Lambda::EventSourceMapping") {
		out[id] = tp.Properties(id)
		delete(rs, id)
	}
	return out
}

// fillGaps creates or plays what moto left out of the deployed stack
// (gaps 1 and 3).
func (s *Stack) fillGaps(ctx context.Context) error {
	if err := s.createScheduleGroups(ctx); err != nil {
		return err
	}
	for _, id := range s.Template.OfType("AWS::ApiGatewayV2::Api") {
		if s.Resources[id].Physical == "" {
			s.Resources[id] = Resource{Type: "AWS::ApiGatewayV2::Api", Physical: randomID(10, "abcdefghijklmnopqrstuvwxyz0123456789")}
		}
	}
	return nil
}

// createScheduleGroups creates each schedule group moto recorded without
// creating it (gap 1), named <stack>-<LogicalId>-<12 characters> as
// CloudFormation names it.
func (s *Stack) createScheduleGroups(ctx context.Context) error {
	for _, id := range s.Template.OfType("AWS::Scheduler::ScheduleGroup") {
		if s.Resources[id].Physical != "" {
			continue // moto made it after all
		}
		name, _ := s.Template.Properties(id)["Name"].(string)
		if name == "" {
			name = s.Name + "-" + id + "-" + randomID(12, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
			if len(name) > 64 {
				name = name[len(name)-64:]
			}
		}
		if _, err := s.Moto.Scheduler().CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String(name)}); err != nil {
			return fmt.Errorf("create the schedule group %s: %w", id, err)
		}
		s.Resources[id] = Resource{Type: "AWS::Scheduler::ScheduleGroup", Physical: name}
	}
	return nil
}

// subRef matches a Fn::Sub reference left as written.
var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)

// substitute puts into v the physical IDs of the resources a Fn::Sub
// named but moto left as "${LogicalId}" (gap 3). A reference to anything
// else left in v is an error: moto did not resolve it and the harness does
// not know it.
func (s *Stack) substitute(v string) (string, error) {
	var bad []string
	out := subRef.ReplaceAllStringFunc(v, func(ref string) string {
		id := subRef.FindStringSubmatch(ref)[1]
		if r, ok := s.Resources[id]; ok && r.Physical != "" {
			return r.Physical
		}
		bad = append(bad, ref)
		return ref
	})
	if len(bad) > 0 {
		return out, fmt.Errorf("%q: moto left %s unresolved", v, strings.Join(bad, ", "))
	}
	return out, nil
}

// randomID returns n characters of alphabet at random.
func randomID(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
