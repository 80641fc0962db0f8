// Package rietest runs Lambda bootstrap binaries under aws-lambda-rie, the
// Lambda runtime interface emulator, so tests can invoke a function's real
// entry point with sample events, without Docker. EachEvent runs a subtest
// for each sample event in the repository's events directory, and Call,
// CallJSON and CallHTTP invoke a running function and check its response.
// CheckConfig checks a function's configuration: that template.yaml gives
// it exactly the variables it reads, and that its bootstrap exits at init
// with one line naming a missing or malformed one.
//
// It is test support: its functions take a testing.TB and fail the test on
// any setup error. Install the emulator with `make tools`.
package rietest
