// Package awstest runs the deployed shape of Embudo on moto, the AWS
// emulator (moto_server 5.2.1), so that a test can follow a change through
// the stack as template.yaml wires it:
//
//   - Moto starts one moto_server per test package on a free loopback port;
//     Deploy translates template.yaml with aws-sam-translator
//     (infra/samtranslate.py), creates the stack in moto's CloudFormation
//     with the deploy parameters and reads the physical names of its
//     resources (Stack).
//   - Stack.Start runs a function's bootstrap (built for the host) under
//     aws-lambda-rie with exactly the environment the stack gives it, as
//     moto's Lambda reports it, plus endpoint overrides for the variables
//     the template declares for that purpose (DYNAMODB_ENDPOINT,
//     SES_ENDPOINT, SCHEDULER_ENDPOINT, S3_ENDPOINT).
//   - Gateway plays an HTTP API of the stack (API Gateway, payload 2.0),
//     Mapping a DynamoDB stream event source mapping (filters, batching,
//     partial batch failures, retries, bisection, the on-failure queue),
//     Scheduler the EventBridge Scheduler that fires the schedules the
//     stream function creates in moto, each as AWS documents it.
//   - Counter counts the DynamoDB requests each function makes, and
//     WriteUnits costs the writes from the stream's images.
//
// moto differs from AWS in a few places that matter here; each is handled
// in this package, named and commented where it is (gaps.go), never in the
// functions or the template.
//
// It is test support: its functions take a testing.TB and fail the test on
// any setup error. Where moto_server, python3 with aws-sam-translator or
// aws-lambda-rie is missing, the tests that need them skip with one line,
// and fail under CI=true; `make tools` installs them.
package awstest
