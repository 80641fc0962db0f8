// Package perf holds Embudo's benchmarks (`make bench`): whole requests
// through the real handlers on an embedded store (minidyn, with
// dynamotest's change capture), with the DynamoDB requests each one makes
// counted at the SDK client. It has no non-test code besides this comment;
// results are in docs/performance.md.
package perf
