// Package rietest runs Lambda bootstrap binaries under aws-lambda-rie, the
// Lambda runtime interface emulator, so tests can invoke a function's real
// entry point with sample events, without Docker.
//
// It is test support: its functions take a testing.TB and fail the test on
// any setup error. Install the emulator with `make tools`.
package rietest
