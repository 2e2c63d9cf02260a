package main

import (
	"bytes"
	"testing"
)

func TestRun(t *testing.T) {
	var b bytes.Buffer
	if code := run(&b); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := `incident 1: chdir to /home/nonroot as uid 1000680000 gid 0 (OpenShift restricted SCC)
  rc92: chdir as root, before setuid             ok
  rc93: chdir after setuid, no effective caps    chdir /home/nonroot: permission denied
                                                   search denied on /home/nonroot (drwx------ 65532:65532) for uid 1000680000 gid 0: decided by the other class; CAP_DAC_READ_SEARCH would override
incident 2: exec /entrypoint.sh (0744 0:0) as uid 1000 with CAP_DAC_OVERRIDE
  execve(2)                                      ok
  faccessat2(X_OK, AT_EACCESS)                   ok
  faccessat2 on kernel < 5.8 or under seccomp    faccessat2 /entrypoint.sh: function not implemented
  runc 1.1.4's fallback, access(2)               access /entrypoint.sh: permission denied
                                                   exec denied on /entrypoint.sh (-rwxr--r-- 0:0) for uid 1000 gid 1000: decided by the other class; CAP_DAC_OVERRIDE would override
what the runtimes print (preexec.Evaluate):
  runc@1.0.0-rc92      starts
  runc@1.0.0-rc93      container_linux.go:367: starting container process caused: chdir to cwd ("/home/nonroot") set in config.json failed: permission denied
  runc@1.0.0-rc94      starts
  runc@1.1.3+go1.19    starts
  runc@1.1.4+go1.19    runc run failed: unable to start container process: exec /entrypoint.sh: permission denied
  runc@1.1.6+go1.19    starts
`
	if got := b.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
