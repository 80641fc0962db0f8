package awstest

import (
	"os"
	"os/exec"
	"testing"
)

// missing skips t because a tool is not installed, with one line saying
// what to do; under CI=true, where every test must run, it fails t instead.
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: a failure, not a skip)")
	}
	t.Skip(msg)
}

// motoHint is how to install moto and the SAM translator.
const motoHint = "run `make tools` (pip install 'moto[server]==5.2.1', which brings aws-sam-translator)"

// lookMoto returns the path of moto_server, skipping or failing t where it
// is missing.
func lookMoto(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("moto_server")
	if err != nil {
		missing(t, "awstest: moto_server is not on PATH: "+motoHint)
	}
	return p
}

// lookPython returns a python3 that imports samtranslator, skipping or
// failing t where there is none.
func lookPython(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(p, "-c", "import samtranslator").Run()
	}
	if err != nil {
		missing(t, "awstest: no python3 with aws-sam-translator ("+err.Error()+"): "+motoHint)
	}
	return p
}
