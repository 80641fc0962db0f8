package awstest

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal makes the kernel kill cmd when the thread that
// starts it ends (with the test binary).
func setParentDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
