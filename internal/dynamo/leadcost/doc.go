// Package leadcost holds BenchmarkLeadCost: what a lead costs on the
// DynamoDB adapter in write and read units, priced as DynamoDB bills them
// (dynamotest.Meter), and how hot its items run. It is apart from
// internal/dynamo because it drives the real webhook and stream handlers
// (internal/httpapi, internal/stream), which the store's own tests need
// not build.
package leadcost
