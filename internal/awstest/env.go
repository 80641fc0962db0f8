package awstest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// FunctionConfig is what the stack made of a function, as moto's Lambda
// reports it.
type FunctionConfig struct {
	LogicalID string
	Name      string
	ARN       string
	Timeout   int // seconds
	Memory    int // MB
	// Env is the function's environment: exactly the variables the
	// template gives it, resolved by the stack (gaps filled).
	Env map[string]string
	// Lambda is what Lambda itself sets from the configuration
	// (AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_LOG_LEVEL, ...).
	Lambda map[string]string
	// Dir is the function's code directory under the repository root.
	Dir string
}

// Function reads the configuration of the function logicalID from moto's
// Lambda and checks its environment against the template: every variable
// the template declares for the function must be there, resolved; moto
// leaves out a variable given by !Ref to a schedule group (gap 1), which
// gets the group the harness created, and keeps a "${...}" of an HTTP API
// (gap 3), which gets the API's ID.
func (s *Stack) Function(t testing.TB, logicalID string) FunctionConfig {
	t.Helper()
	name := s.Physical(t, logicalID)
	out, err := s.Moto.Lambda().GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatalf("awstest: the configuration of %s: %v", logicalID, err)
	}
	props := s.Template.Properties(logicalID)
	c := FunctionConfig{LogicalID: logicalID, Name: name, ARN: aws.ToString(out.FunctionArn),
		Timeout: int(aws.ToInt32(out.Timeout)), Memory: int(aws.ToInt32(out.MemorySize)), Dir: codeDir(props), Env: map[string]string{}}
	var given map[string]string
	if out.Environment != nil {
		given = out.Environment.Variables
	}
	declared := declaredVariables(props)
	for _, k := range slices.Sorted(maps.Keys(declared)) {
		v, ok := given[k]
		if !ok {
			ref, isRef := refOf(declared[k])
			r := s.Resources[ref]
			if !isRef || r.Type != "AWS::Scheduler::ScheduleGroup" || r.Physical == "" {
				t.Fatalf("awstest: moto gave %s no %s (the template sets it to %v)", logicalID, k, declared[k])
			}
			v = r.Physical // gap 1
		}
		if v, err = s.substitute(v); err != nil { // gap 3
			t.Fatalf("awstest: %s's %s: %v", logicalID, k, err)
		}
		c.Env[k] = v
	}
	for k := range given {
		if _, ok := declared[k]; !ok {
			t.Fatalf("awstest: moto gave %s the variable %s, which the template does not", logicalID, k)
		}
	}
	c.Lambda = s.lambdaVariables(c, props)
	return c
}

// declaredVariables returns the function's Environment.Variables in the
// translated template (the Globals merged in by the translator).
func declaredVariables(props map[string]any) map[string]any {
	env, _ := props["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	if vars == nil {
		return map[string]any{}
	}
	return vars
}

// refOf returns X of {"Ref": X}.
func refOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", false
	}
	ref, ok := m["Ref"].(string)
	return ref, ok
}

// lambdaVariables returns the variables Lambda sets in every function from
// its configuration, the log settings read from the translated template
// as moto keeps no LoggingConfig (gap 4).
func (s *Stack) lambdaVariables(c FunctionConfig, props map[string]any) map[string]string {
	out := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        c.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(c.Memory),
		"AWS_LAMBDA_FUNCTION_TIMEOUT":     strconv.Itoa(c.Timeout), // aws-lambda-rie's timeout
	}
	lc, _ := props["LoggingConfig"].(map[string]any)
	if f, _ := s.resolveString(lc["LogFormat"]); f != "" {
		out["AWS_LAMBDA_LOG_FORMAT"] = f
		if f == "JSON" {
			if lvl, _ := s.resolveString(lc["ApplicationLogLevel"]); lvl != "" {
				out["AWS_LAMBDA_LOG_LEVEL"] = lvl
			}
		}
	}
	return out
}

// resolveString resolves a template value that is a string or a Ref to a
// parameter.
func (s *Stack) resolveString(v any) (string, error) {
	if str, ok := v.(string); ok {
		return str, nil
	}
	if ref, ok := refOf(v); ok {
		if p, ok := s.Parameters[ref]; ok {
			return p, nil
		}
	}
	return "", fmt.Errorf("awstest: cannot resolve %v", v)
}
