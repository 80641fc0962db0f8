package awstest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/embudo/embudo/internal/emulate"
)

// stackTimeout bounds the creation of a stack (moto creates it at once;
// the bound is for a loaded machine).
const stackTimeout = 2 * time.Minute

// Resource is one resource of a deployed stack.
type Resource struct {
	Type     string
	Physical string // its physical ID: a table or function name, a bucket, an ARN, ...
}

// Stack is template.yaml deployed in moto.
type Stack struct {
	Name string
	Moto *Moto
	// Root is the repository root (template.yaml, functions/*).
	Root string
	// Template is the translated template as given to moto, without what
	// gaps.go leaves out.
	Template Template
	// Parameters are the deploy parameters with the template's defaults.
	Parameters map[string]string
	// Resources are the stack's resources by logical ID, with the physical
	// IDs of those the harness creates or plays itself (gaps.go).
	Resources map[string]Resource
	// Outputs are the stack's outputs by key.
	Outputs map[string]string
	// Mappings are the properties of the event source mappings moto does not
	// run, by logical ID (gaps.go); NewMapping plays one.
	Mappings map[string]map[string]any
}

// Options are what Deploy deploys with.
type Options struct {
	// Name is the stack's name; "" for embudo<N>, N counting the stacks
	// of the test binary.
	Name string
	// Parameters are the deploy parameters (sam deploy
	// --parameter-overrides); the template's defaults fill in the others.
	Parameters map[string]string
}

var stackCount atomic.Int32

// Deploy translates template.yaml, uploads a placeholder of each
// function's code (moto records the functions and never runs them; Start
// runs the real bootstraps), creates the stack in the package's moto with
// opts, fills in what moto leaves out (gaps.go) and reads the physical
// names and outputs. It skips t where moto_server or aws-sam-translator is
// missing (fails it under CI=true).
func Deploy(t testing.TB, opts Options) *Stack {
	t.Helper()
	m := StartMoto(t)
	root, err := emulate.RepoRoot()
	if err != nil {
		t.Fatalf("awstest: %v", err)
	}
	name := opts.Name
	if name == "" {
		name = fmt.Sprintf("embudo%d", stackCount.Add(1))
	}
	s := &Stack{Name: name, Moto: m, Root: root, Parameters: map[string]string{}}
	bucket := strings.ToLower(name) + "-artifacts"
	s.Template = Translate(t, root, bucket)
	s.Mappings = leaveOutEventSourceMappings(s.Template)
	for k, v := range parameterDefaults(s.Template) {
		s.Parameters[k] = v
	}
	maps.Copy(s.Parameters, opts.Parameters)

	ctx, cancel := context.WithTimeout(context.Background(), stackTimeout)
	defer cancel()
	if err := s.uploadCode(ctx, bucket); err != nil {
		t.Fatalf("awstest: upload the functions' code: %v", err)
	}
	if err := s.create(ctx, opts.Parameters); err != nil {
		t.Fatalf("awstest: deploy %s: %v", name, err)
	}
	if err := s.readResources(ctx); err != nil {
		t.Fatalf("awstest: stack %s: %v", name, err)
	}
	if err := s.fillGaps(ctx); err != nil {
		t.Fatalf("awstest: stack %s: %v", name, err)
	}
	if err := s.readOutputs(ctx); err != nil {
		t.Fatalf("awstest: stack %s: %v", name, err)
	}
	return s
}

// Physical returns the physical ID of the resource logicalID, failing t if
// the stack has none.
func (s *Stack) Physical(t testing.TB, logicalID string) string {
	t.Helper()
	r, ok := s.Resources[logicalID]
	if !ok || r.Physical == "" {
		t.Fatalf("awstest: stack %s has no physical %s", s.Name, logicalID)
	}
	return r.Physical
}

// uploadCode puts a placeholder zip at every function's Code location.
func (s *Stack) uploadCode(ctx context.Context, bucket string) error {
	cl := s.Moto.S3()
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return err
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, _ := z.Create("bootstrap")
	_, _ = w.Write([]byte("placeholder: internal/awstest runs the real bootstrap under aws-lambda-rie\n"))
	if err := z.Close(); err != nil {
		return err
	}
	for _, id := range s.Template.OfType("AWS::Lambda::Function") {
		code, _ := s.Template.Properties(id)["Code"].(map[string]any)
		key, _ := code["S3Key"].(string)
		if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
			Body: bytes.NewReader(buf.Bytes())}); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	return nil
}

// create creates the stack and waits until moto says it is complete.
func (s *Stack) create(ctx context.Context, params map[string]string) error {
	body, err := json.Marshal(s.Template)
	if err != nil {
		return err
	}
	var ps []cftypes.Parameter
	for _, k := range slices.Sorted(maps.Keys(params)) {
		ps = append(ps, cftypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(params[k])})
	}
	cf := s.Moto.CloudFormation()
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{
		StackName: aws.String(s.Name), TemplateBody: aws.String(string(body)), Parameters: ps,
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityNamedIam, cftypes.CapabilityCapabilityAutoExpand},
	}); err != nil {
		return err
	}
	for {
		out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(s.Name)})
		if err != nil {
			return err
		}
		st := out.Stacks[0]
		switch {
		case st.StackStatus == cftypes.StackStatusCreateComplete:
			return nil
		case !strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS"):
			return fmt.Errorf("stack %s: %s %s", s.Name, st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stack %s still %s: %w", s.Name, st.StackStatus, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// readResources reads the stack's resources.
func (s *Stack) readResources(ctx context.Context) error {
	s.Resources = map[string]Resource{}
	p := cloudformation.NewListStackResourcesPaginator(s.Moto.CloudFormation(), &cloudformation.ListStackResourcesInput{StackName: aws.String(s.Name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, r := range page.StackResourceSummaries {
			s.Resources[aws.ToString(r.LogicalResourceId)] = Resource{Type: aws.ToString(r.ResourceType), Physical: aws.ToString(r.PhysicalResourceId)}
		}
	}
	return nil
}

// readOutputs reads the stack's outputs, with the names of what the
// harness plays put in (gaps.go). An output left with a "${...}" fails.
func (s *Stack) readOutputs(ctx context.Context) error {
	out, err := s.Moto.CloudFormation().DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(s.Name)})
	if err != nil {
		return err
	}
	s.Outputs = map[string]string{}
	for _, o := range out.Stacks[0].Outputs {
		v, err := s.substitute(aws.ToString(o.OutputValue))
		if err != nil {
			return fmt.Errorf("output %s: %w", aws.ToString(o.OutputKey), err)
		}
		s.Outputs[aws.ToString(o.OutputKey)] = v
	}
	return nil
}

// parameterDefaults returns the Default of each parameter that has one.
func parameterDefaults(tp Template) map[string]string {
	out := map[string]string{}
	ps, _ := tp["Parameters"].(map[string]any)
	for k, p := range ps {
		if d, ok := p.(map[string]any)["Default"]; ok {
			out[k] = fmt.Sprint(d)
		}
	}
	return out
}
