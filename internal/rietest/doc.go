// Package rietest runs Lambda bootstrap binaries under aws-lambda-rie, the
// Lambda runtime interface emulator, so tests can invoke a function's real
// entry point with sample events, without Docker. EachEvent runs a subtest
// for each sample event in the repository's events directory, and Call,
// CallJSON and CallHTTP invoke a running function and check its response.
//
// It is test support: its functions take a testing.TB and fail the test on
// any setup error. Install the emulator with `make tools`.
package rietest
