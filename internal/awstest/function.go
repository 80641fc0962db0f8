package awstest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/rietest"
)

// Endpoints are emulator endpoints by the variable that carries each
// (DYNAMODB_ENDPOINT, SES_ENDPOINT, SCHEDULER_ENDPOINT, S3_ENDPOINT). Start
// sets each that the template declares for the function, as `sam local
// --env-vars` overrides only declared variables, and no other: a function
// that needs an endpoint the template does not declare for it reaches for
// AWS and fails the test.
type Endpoints map[string]string

// Function is one function of the stack running under aws-lambda-rie.
type Function struct {
	FunctionConfig
	// Started is the environment it runs with besides what rietest gives
	// every function (region, credentials): the stack's variables, the
	// endpoint overrides and what Lambda sets.
	Started map[string]string

	emu *rietest.Emulator
	mu  sync.Mutex // one invocation at a time, as one Lambda instance
}

// Start builds the function logicalID's bootstrap for the host and runs it
// under aws-lambda-rie with the environment the stack gives it (Function)
// and the endpoints. It is stopped when t ends.
func (s *Stack) Start(t testing.TB, logicalID string, endpoints Endpoints) *Function {
	t.Helper()
	c := s.Function(t, logicalID)
	env := maps.Clone(c.Lambda)
	maps.Copy(env, c.Env)
	for k, v := range endpoints {
		if _, declared := c.Env[k]; declared {
			env[k] = v
		}
	}
	bootstrap := rietest.Build(t, filepath.Join(s.Root, c.Dir))
	var list []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		list = append(list, k+"="+env[k])
	}
	return &Function{FunctionConfig: c, Started: env, emu: rietest.Start(t, bootstrap, list)}
}

// Invoke invokes the function with payload and returns its response;
// handlerErr is the function's error (errorMessage, errorType) when it
// returned one. err is an invocation that failed (the emulator, a timeout).
func (f *Function) Invoke(ctx context.Context, payload []byte) (out []byte, handlerErr error, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out, err = f.emu.Invoke(ctx, payload)
	if err != nil {
		return out, nil, fmt.Errorf("awstest: invoke %s: %w", f.LogicalID, err)
	}
	var e struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if json.Unmarshal(out, &e) == nil && e.ErrorMessage != nil {
		return out, fmt.Errorf("%s: %s: %s", f.LogicalID, e.ErrorType, *e.ErrorMessage), nil
	}
	return out, nil, nil
}

// invoker is what a mapping or the scheduler invokes: a Function, or a
// stand-in in the harness's own tests.
type invoker interface {
	Invoke(ctx context.Context, payload []byte) (out []byte, handlerErr error, err error)
	config() FunctionConfig
}

func (f *Function) config() FunctionConfig { return f.FunctionConfig }

// Logs returns what the function and its emulator have written so far.
func (f *Function) Logs() string { return f.emu.Logs() }
