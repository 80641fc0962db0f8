package dynamo_test

import (
	"testing"

	"github.com/embudo/embudo/internal/awstest"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/storetest"
)

// TestConformanceMoto runs the store port's conformance suite on a second
// DynamoDB implementation, moto's (moto_server 5.2.1, one per test
// package), each test on a fresh table reached through the real SDK
// client: differential with TestConformance on minidyn.
//
// The one difference found is moto's: it does not isolate concurrent
// requests (a transaction or a conditional write interleaves with another
// on the same items, concurrent ADDs lose increments), where DynamoDB
// applies each request atomically. Reached directly, moto fails the eight
// tests of concurrent writes at random (two converts of one contact both
// make a client, two accepts both win, eight opportunities share seven
// numbers). awstest's client therefore hands moto one request at a time
// (gap 6 in internal/awstest/gaps.go), and with that every test passes,
// as on minidyn; the adapter is left as DynamoDB needs it. Where
// moto_server is missing the test skips (fails under CI=true; `make
// tools` installs it).
func TestConformanceMoto(t *testing.T) {
	awstest.StartMoto(t) // one line, not one per test, where moto_server is missing
	storetest.Run(t, func(t *testing.T) crm.Store {
		cl, name := awstest.Table(t)
		return dynamo.New(cl, name)
	})
}
