//go:build !linux

package awstest

import "os/exec"

// setParentDeathSignal does nothing where the platform has no parent-death
// signal: moto_server then outlives a test binary that is killed.
func setParentDeathSignal(*exec.Cmd) {}
