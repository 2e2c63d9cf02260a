package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestCheckTmpfsPerLine holds preexec check to preexec.NewView: a tmpfs
// with mode=0755 over the bundle's 0700 /home/nonroot keeps the directory's
// mode on runc ≤ 1.1.7 (chmod after mounting) and takes mode= from 1.1.8,
// as the runtime oracle's tmpfs_mode_option_over_dir_0700 case recorded.
func TestCheckTmpfsPerLine(t *testing.T) {
	dir := bundle(t, fmt.Sprintf(`{"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true},
 "process":{"user":{"uid":%d,"gid":0},"cwd":"/","args":["/home/nonroot/missing"],"env":["PATH=/bin"]},
 "mounts":[{"destination":"/home/nonroot","type":"tmpfs","source":"tmpfs","options":["mode=0755"]}]}`, other()))
	for _, r := range []struct {
		runtime, want, rule string
	}{
		{"runc@1.1.7+go1.19", "stat /home/nonroot/missing: permission denied", "≤ 1.1.7: the tmpfs root is chmodded to 0700"},
		{"runc@1.1.8+go1.19", "stat /home/nonroot/missing: no such file or directory", "1.1.8: the config's mode= wins"},
		{"runc@1.4.0+go1.26", "stat /home/nonroot/missing: no such file or directory", "1.1.9 on: the config's mode= wins"},
	} {
		var out, errb bytes.Buffer
		code := run([]string{"check", "--runtime", r.runtime, dir}, &out, &errb)
		if code != 1 || !strings.Contains(out.String(), r.want) {
			t.Errorf("%s: exit %d, want 1 and %q (%s)\nstdout: %s\nstderr: %s", r.runtime, code, r.want, r.rule, out.String(), errb.String())
		}
	}
}
