package infra

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// FunctionEnvironment returns the environment variables the SAM template at
// path gives the function logicalID: those of Globals.Function and the
// function's own, which override them. Each value is as written: a string,
// or an intrinsic function such as {"Ref": "Table"} for !Ref Table. It
// fails if the template cannot be read or has no such function.
func FunctionEnvironment(path, logicalID string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("infra: read template %s: %w", path, err)
	}
	js, err := intrinsics.ProcessYAML(data, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, fmt.Errorf("infra: read template %s: %w", path, err)
	}
	type environment struct {
		Environment struct{ Variables map[string]any }
	}
	var tmpl struct {
		Globals   struct{ Function environment }
		Resources map[string]struct {
			Type       string
			Properties environment
		}
	}
	if err := json.Unmarshal(js, &tmpl); err != nil {
		return nil, fmt.Errorf("infra: read template %s: %w", path, err)
	}
	fn, ok := tmpl.Resources[logicalID]
	if !ok || fn.Type != "AWS::Serverless::Function" {
		return nil, fmt.Errorf("infra: template %s has no AWS::Serverless::Function %s", path, logicalID)
	}
	env := map[string]any{}
	for k, v := range tmpl.Globals.Function.Environment.Variables {
		env[k] = v
	}
	for k, v := range fn.Properties.Environment.Variables {
		env[k] = v
	}
	return env, nil
}
