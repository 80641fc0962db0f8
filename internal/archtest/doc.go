// Package archtest holds the test that keeps the code in the shape
// docs/architecture.md describes ("Packages and what they may import"): which
// package may import which, that the domain and the change core link no AWS
// code, that adapters do not import each other, that the wiring packages are
// imported by nothing but their command, and that each Lambda function links
// only what it wires. It has no code of its own; the rules are one table in
// archtest_test.go.
package archtest
