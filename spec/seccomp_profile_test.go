package spec_test

import (
	"io/fs"
	"strconv"
	"syscall"
	"testing"

	"github.com/preexec/preexec/internal/rowtest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestEngineSeccompProfile pins what docker 20.10.24 and podman 4.3.1
// (Debian's builds) do with --security-opt seccomp=FILE: each text and its
// place are those of a real run (`docker run --rm --security-opt
// seccomp=/p.json IMAGE /bin/echo hi`, podman likewise, on 2026-12-06);
// "" is a profile the engine passes on, and then what the runtime does
// with linux.seccomp decides (want names the spec's default action and its
// errno).
func TestEngineSeccompProfile(t *testing.T) {
	const path = "/p.json"
	missing := &spec.SeccompFile{Err: &fs.PathError{Op: "open", Path: path, Err: syscall.ENOENT}}
	dir := &spec.SeccompFile{Err: &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}}
	data := func(s string) *spec.SeccompFile { return &spec.SeccompFile{Data: []byte(s)} }
	rows := []struct {
		name, engine string
		file         *spec.SeccompFile
		want         string // the printed refusal, or "pass:ACTION:ERRNORET" (-1 for none)
		rule         string
	}{
		{"docker_missing", "docker@20.10.24", missing,
			"docker: opening seccomp profile (/p.json) failed: open /p.json: no such file or directory.\nSee 'docker run --help'.",
			"the docker CLI reads the file before it asks the daemon (parseSecurityOpts); status 125"},
		{"docker_directory", "docker@20.10.24", dir,
			"docker: opening seccomp profile (/p.json) failed: read /p.json: is a directory.\nSee 'docker run --help'.",
			"ioutil.ReadFile of a directory opens it and fails to read it"},
		{"docker_empty", "docker@20.10.24", data(""),
			"docker: compacting json for seccomp profile (/p.json) failed: unexpected end of JSON input.\nSee 'docker run --help'.",
			"json.Compact in the CLI refuses what is not JSON"},
		{"docker_truncated", "docker@20.10.24", data(`{"defaultAction":`),
			"docker: compacting json for seccomp profile (/p.json) failed: unexpected end of JSON input.\nSee 'docker run --help'.",
			"a truncated object is the same syntax error"},
		{"docker_wrong_type", "docker@20.10.24", data(`{"defaultAction":5}`),
			"docker: Error response from daemon: Decoding seccomp profile failed: json: cannot unmarshal number into Go struct field Seccomp.defaultAction of type specs.LinuxSeccompAction.",
			"dockerd's LoadProfile decodes into moby's types at start; no help line"},
		{"docker_unknown_action_passes", "docker@20.10.24", data(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_BOGUS"}]}`),
			"pass:SCMP_ACT_ALLOW:-1",
			"dockerd does not check actions: runc refuses (`runc create failed: string SCMP_ACT_BOGUS is not a valid action for seccomp`)"},
		{"docker_drops_default_errno_ret", "docker@20.10.24", data(`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38}`),
			"pass:SCMP_ACT_ERRNO:-1",
			"moby's Seccomp type of 20.10 has no defaultErrnoRet: a real run's execve fails EPERM, not ENOSYS"},
		{"podman_missing", "podman@4.3.1", missing,
			"Error: opening seccomp profile failed: open /p.json: no such file or directory",
			"getSeccompConfig reads the file (config_linux_cgo.go); status 125"},
		{"podman_directory", "podman@4.3.1", dir,
			"Error: opening seccomp profile failed: read /p.json: is a directory",
			"os.ReadFile of a directory"},
		{"podman_empty", "podman@4.3.1", data(""),
			"Error: loading seccomp profile (/p.json) failed: decoding seccomp profile failed: unexpected end of JSON input",
			"containers/common LoadProfileFromBytes decodes it"},
		{"podman_wrong_type", "podman@4.3.1", data(`{"defaultAction":5}`),
			"Error: loading seccomp profile (/p.json) failed: decoding seccomp profile failed: json: cannot unmarshal number into Go struct field Seccomp.defaultAction of type seccomp.Action",
			"containers/common's own types name the error"},
		{"podman_keeps_default_errno_ret", "podman@4.3.1", data(`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38}`),
			"pass:SCMP_ACT_ERRNO:38",
			"containers/common keeps defaultErrnoRet: a real run's execve fails ENOSYS"},
		{"podman_unknown_action_passes", "podman@4.3.1", data(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_BOGUS"}]}`),
			"pass:SCMP_ACT_ALLOW:-1",
			"podman passes actions on: runc refuses them"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	rowtest.Check(t, names, rules)
	fsys := rootfs.MustParseFixture("dir / 0755 0:0\nfile /bin/echo 0755 0:0 busybox\n").Mem()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			eng, err := spec.LookupEngine(r.engine)
			if err != nil {
				t.Fatal(err)
			}
			ov, err := spec.ParseOverrides([]string{"--security-opt", "seccomp=" + path, "--", "/bin/echo", "hi"})
			if err != nil {
				t.Fatal(err)
			}
			ov.SeccompFile = r.file
			s, err := spec.FromImage(spec.ImageConfig{}, fsys, eng, ov)
			got := ""
			switch {
			case err != nil:
				got = eng.Refusal(err)
			case s.Linux == nil || s.Linux.Seccomp == nil:
				got = "pass:none"
			default:
				ret := -1
				if s.Linux.Seccomp.DefaultErrnoRet != nil {
					ret = int(*s.Linux.Seccomp.DefaultErrnoRet)
				}
				got = "pass:" + string(s.Linux.Seccomp.DefaultAction) + ":" + strconv.Itoa(ret)
			}
			if got != r.want {
				t.Errorf("got  %q\nwant %q", got, r.want)
			}
		})
	}
}
