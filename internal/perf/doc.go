// Package perf holds Embudo's benchmarks (`make bench`); results and the
// command of each are in docs/performance.md. It has no non-test code
// besides this comment.
//
// Most run what `embudo serve` runs: the SQLite store (synchronous=FULL)
// with its change feed driving the change core, which writes e-mails to an
// outbox directory. Per-request benchmarks call the real API and webhook
// handlers on such a store (rig_test.go); BenchmarkLeadLoad posts leads
// over loopback HTTP to local.Server, the runtime of `embudo serve`, in
// this process; BenchmarkServeProcess and BenchmarkServeImport build the
// embudo binary and measure the process (restart time, memory, the
// import command). Large databases are built once per process with
// sqlite.Store.Load and copied for each run.
//
// BenchmarkDynamoDBRequests runs the same requests on the DynamoDB adapter
// (on minidyn) and counts the DynamoDB requests each makes.
package perf
