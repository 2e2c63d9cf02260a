package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/runtimes"
)

// TestParseKernel: --kernel takes X.Y or what `uname -r` prints; an error
// names the flag and the value.
func TestParseKernel(t *testing.T) {
	for _, r := range []struct {
		in   string
		want uint32
	}{
		{"5.8", access.KernelVersion(5, 8)},
		{"5.4.0-150-generic", access.KernelVersion(5, 4)},
		{"6.18.44", access.KernelVersion(6, 18)},
		{"4.18.0-553.el8_10.x86_64", access.KernelVersion(4, 18)},
		{"6.1.0-18-amd64", access.KernelVersion(6, 1)},
		{"6.18.44-fc-v1272", access.KernelVersion(6, 18)},
	} {
		if got, err := parseKernel(r.in); err != nil || got != r.want {
			t.Errorf("parseKernel(%q) = %#x, %v; want %#x", r.in, got, err, r.want)
		}
	}
	for _, bad := range []string{"", "5", "five.4", "5.x", "5.4x", "300.1", "-1.2"} {
		_, err := parseKernel(bad)
		if err == nil || !strings.Contains(err.Error(), "--kernel") || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("parseKernel(%q): %v, want an error naming --kernel and the value", bad, err)
		}
	}
}

// eaccessBundle is runc 1.1.4's incident: /app 0744 of the test's user,
// run by another uid with CAP_DAC_OVERRIDE; with seccomp, faccessat2
// answers ENOSYS.
func eaccessBundle(t *testing.T, seccomp bool) string {
	t.Helper()
	sc := ""
	if seccomp {
		sc = `,"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}}`
	}
	caps := `["CAP_DAC_OVERRIDE"]`
	b := bundle(t, fmt.Sprintf(`{"ociVersion":"1.0.2","root":{"path":"rootfs"},
 "process":{"user":{"uid":%d,"gid":%d},"cwd":"/","args":["/app"],"env":["PATH=/bin"],
 "capabilities":{"bounding":%s,"effective":%s,"permitted":%s}}%s}`, other(), other(), caps, caps, caps, sc))
	if err := os.Chmod(filepath.Join(b, "rootfs", "app"), 0o744); err != nil {
		t.Fatal(err)
	}
	return b
}

// symlinkManifest is a manifest and its config.json whose cwd is a link
// of another user in sticky /tmp: fs.protected_symlinks refuses it.
func symlinkManifest(t *testing.T) (string, string) {
	dir := t.TempDir()
	m := filepath.Join(dir, "rootfs.mtree")
	c := filepath.Join(dir, "config.json")
	if err := os.WriteFile(m, []byte(`/set type=file uid=0 gid=0 mode=0755
. type=dir
./app size=4096
./home type=dir
./tmp type=dir mode=01777
./tmp/link type=link link=/home uid=1234 gid=1234 mode=0777
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c, []byte(`{"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"user":{"uid":1000,"gid":1000},"cwd":"/tmp/link","args":["/app"],"env":["PATH=/bin"]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return m, c
}

const debianVersion = "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4"

// TestRuntimeFlags pins --runtime (names, paths, host), --runtime-version,
// --kernel, --protected-symlinks, extrapolation and their exit statuses.
func TestRuntimeFlags(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("bundles are read from disk on Linux only")
	}
	good := bundle(t, incidentConfig())
	ea := eaccessBundle(t, true)
	eaNoSeccomp := eaccessBundle(t, false)
	m, cfg := symlinkManifest(t)
	self, _ := os.Executable()
	for _, r := range []struct {
		name   string
		args   []string
		code   int
		stdout []string
		notOut []string
		stderr string
		rule   string
	}{
		{"version_text", []string{"check", "--runtime-version", debianVersion, ea}, 1,
			[]string{"fails on 1 of 1 runtime: runc 1.1.5+debian", "exec /app: permission denied", `read: "runc version 1.1.5+ds1" is runc@1.1.5+debian (--version output; 1.1.5+ds1 is upstream 1.1.5; built with go1.19.8)`}, nil, "",
			"Debian's --version text names runc@1.1.5+debian, which has the eaccess check"},
		{"version_text_no_go", []string{"check", "--runtime-version", "runc version 1.1.4", ea}, 1,
			[]string{`read: "runc version 1.1.4" is runc@1.1.4 (--version output; no go: line, so the official release binaries' Go 1.17 is assumed)`}, nil, "",
			"a text without its go: line: the official binary's Go, and the output says it was assumed"},
		{"version_text_unknown", []string{"check", "--runtime-version", "runc version unknown\nspec: 1.0.2-dev\ngo: go1.19.8", good}, 2, nil, nil,
			"does not say its version", "a go-installed runc's text does not name it: exit 2, the reason"},
		{"version_text_not_runtime", []string{"check", "--runtime-version", "Docker version 24.0.6", good}, 2, nil, nil,
			"not the output of runc --version", "what is not a runtime's text is refused"},
		{"path_not_runtime", []string{"check", "--runtime", "/etc/hostname", good}, 2, nil, nil,
			"neither a runc", "a file that is neither runc nor crun"},
		{"path_go_not_runc", []string{"check", "--runtime", self, good}, 2, nil, nil,
			"not runc", "a Go program of another module is not runc"},
		{"path_missing", []string{"check", "--runtime", "/nonexistent/runc", good}, 2, nil, nil,
			"no such file", "a missing path"},
		{"extrapolated_starts", []string{"check", "--runtime", "runc@1.7.0+go1.26", good}, 3,
			[]string{"starts on runc 1.7.0+go1.26 (extrapolated, not modelled exactly: runc 1.7.0+go1.26)",
				"runc 1.7.0+go1.26: extrapolated: runc 1.7.0 is not modelled; answered as runc 1.6.0-rc.1, the newest older release modelled"}, nil, "",
			"a newer release starts as its nearest older one does, and says so: exit 3, never silently 0"},
		{"extrapolated_json", []string{"check", "--json", "--runtime", "runc@1.7.0+go1.26", good}, 3,
			[]string{`"extrapolated": "runc 1.7.0 is not modelled`}, nil, "", "--json carries extrapolated"},
		{"extrapolated_wide", []string{"check", "-o", "wide", "--runtime", "runc@1.1.4+go1.99", ea}, 1,
			[]string{"fails (extrapolated)", "runc 1.1.4+go1.99: extrapolated: Go 1.99 is newer than every toolchain modelled"}, nil, "",
			"an extrapolated failure is still exit 1, marked in its row"},
		{"left_out", []string{"check", "--runtime", "runc@0.1.0", "--runtime", "runc@1.0.0-rc94", good}, 3,
			[]string{"starts on runc 1.0.0-rc94"}, nil, "left out: --runtime: unknown runtime \"runc@0.1.0\"",
			"one name no row answers does not lose the others: they are answered, the name is on stderr, exit 3"},
		{"kernel_uname_old", []string{"check", "--kernel", "5.4.0-150-generic", "--runtime", "runc@1.1.4+go1.19", eaNoSeccomp}, 1,
			[]string{"exec /app: permission denied"}, nil, "", "uname -r of a 5.4 kernel: no faccessat2, access(2) ignores CAP_DAC_OVERRIDE"},
		{"kernel_uname_new", []string{"check", "--kernel", "6.18.44", "--runtime", "runc@1.1.4+go1.19", eaNoSeccomp}, 0,
			[]string{"starts on runc 1.1.4+go1.19"}, nil, "", "6.18 has faccessat2: it starts"},
		{"kernel_bad", []string{"check", "--kernel", "5", good}, 2, nil, nil, `--kernel: want X.Y or a ` + "`uname -r`" + ` release (5.4.0-150-generic), got "5"`,
			"a bad --kernel names the flag and the value"},
		{"protected_default", []string{"check", "--runtime", "crun@1.8.1", "--runtime", "runc@1.1.4", "--config", cfg, m}, 1,
			[]string{"chdir `/tmp/link`: Permission denied", "mkdir /tmp/link: file exists",
				"  fs.protected_symlinks=1 decided it (the default, as most distributions boot (systemd's 50-default.conf); --protected-symlinks=false if this host has 0)"}, nil, "",
			"fs.protected_symlinks=1 is the default; a failure it decided says so (crun's refused link, and runc's MkdirAll that follows from it)"},
		{"protected_flag", []string{"check", "--protected-symlinks", "--runtime", "crun@1.8.1", "--config", cfg, m}, 1,
			[]string{"fs.protected_symlinks=1 decided it (--protected-symlinks)"}, nil, "", "the flag is named as the source"},
		{"protected_off", []string{"check", "--protected-symlinks=false", "--runtime", "crun@1.8.1", "--runtime", "runc@1.1.4", "--config", cfg, m}, 3,
			[]string{"unknown on 2 of 2 runtimes"}, []string{"protected_symlinks"}, "", "without it the link is followed: the check goes on to execve, which a manifest cannot tell"},
		{"protected_not_deciding", []string{"check", "--runtime", "runc@1.0.0-rc93", good}, 1,
			[]string{"chdir to cwd"}, []string{"protected_symlinks"}, "", "a failure it did not decide says nothing of it"},
	} {
		t.Run(r.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(r.args, &out, &errb)
			if code != r.code {
				t.Errorf("exit %d, want %d (%s)\nstdout: %s\nstderr: %s", code, r.code, r.rule, out.String(), errb.String())
			}
			for _, s := range r.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q (%s):\n%s", s, r.rule, out.String())
				}
			}
			for _, s := range r.notOut {
				if strings.Contains(out.String(), s) {
					t.Errorf("stdout has %q (%s):\n%s", s, r.rule, out.String())
				}
			}
			if r.stderr == "" && errb.Len() != 0 {
				t.Errorf("stderr not empty: %s", errb.String())
			}
			if r.stderr != "" && !strings.Contains(errb.String(), r.stderr) {
				t.Errorf("stderr %q lacks %q (%s)", errb.String(), r.stderr, r.rule)
			}
			if r.code == 2 && out.Len() != 0 {
				t.Errorf("exit 2 with output on stdout: %s", out.String())
			}
		})
	}
}

// TestRuntimeHost: --runtime host reads PATH's runc and crun and the
// running kernel, and says what it read.
func TestRuntimeHost(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	_, errRunc := exec.LookPath("runc")
	_, errCrun := exec.LookPath("crun")
	if errRunc != nil && errCrun != nil {
		t.Skip("neither runc nor crun on PATH")
	}
	var out, errb bytes.Buffer
	code := run([]string{"check", "--runtime", "host", bundle(t, incidentConfig())}, &out, &errb)
	if code == 2 {
		t.Fatalf("exit 2: %s", errb.String())
	}
	for _, s := range []string{"read: kernel ", "(read from /proc/sys/kernel/osrelease)", "read: fs.protected_symlinks=", "(read from /proc/sys/fs/protected_symlinks)"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("stdout lacks %q:\n%s", s, out.String())
		}
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"check", "--runtime", "host", "--kernel", "5.4", "--protected-symlinks=false", bundle(t, incidentConfig())}, &out, &errb); code == 2 {
		t.Fatalf("exit 2: %s", errb.String())
	}
	if strings.Contains(out.String(), "read: kernel") || strings.Contains(out.String(), "read: fs.protected_symlinks") {
		t.Errorf("the flags say the kernel and fs.protected_symlinks, yet the host's were read:\n%s", out.String())
	}
}

// TestRuntimePathManifest runs check --runtime PATH for every installed
// runtime of the oracle's manifest: the result is named as the manifest
// names the binary (runc@V+goX.Y, runc@1.1.5+debian, crun@1.8.1).
func TestRuntimePathManifest(t *testing.T) {
	installed, err := runtimes.Installed()
	if err != nil {
		if os.Getenv("PREEXEC_ORACLE") == "required" {
			t.Fatalf("PREEXEC_ORACLE=required: %v", err)
		}
		t.Skipf("no runtime manifest: %v", err)
	}
	if runtime.GOOS != "linux" {
		t.Skip("bundles are read from disk on Linux only")
	}
	b := bundle(t, incidentConfig())
	named, unnamed := 0, 0
	for _, r := range installed {
		var out, errb bytes.Buffer
		code := run([]string{"check", "--json", "--runtime", r.Path, b}, &out, &errb)
		if code == 2 && strings.Contains(errb.String(), "does not say its version") && strings.HasPrefix(r.VersionOutput, "runc version unknown") {
			// Built outside module mode without -X main.version: the
			// binary does not know its version (its --version says
			// unknown), and preexec says so.
			unnamed++
			continue
		}
		if code == 2 {
			t.Errorf("%s: exit 2: %s", r.Name, errb.String())
			continue
		}
		var doc struct {
			Results []struct{ Runtime, Extrapolated string }
			Read    []string
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Results) != 1 {
			t.Errorf("%s: %v\n%s", r.Name, err, out.String())
			continue
		}
		want, err := preexec.LookupRuntime(r.Name)
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		if got := doc.Results[0]; got.Runtime != r.Name || (got.Extrapolated == "") != (want.Extrapolated == "") {
			t.Errorf("%s: --runtime %s answered as %s (extrapolated %q, want %q)", r.Name, r.Path, got.Runtime, got.Extrapolated, want.Extrapolated)
		}
		named++
		if len(doc.Read) != 1 || !strings.HasPrefix(doc.Read[0], r.Path+" is "+r.Name+" (") {
			t.Errorf("%s: read %q", r.Name, doc.Read)
		}
	}
	t.Logf("%d of %d binaries named as the manifest names them; %d say no version, and preexec says so", named, len(installed), unnamed)
}

// TestCheckUpgrade pins check --from --to: output only when the outcome
// changes, the change that decides it with its upstream commit, exit 1
// only for starts → fails.
func TestCheckUpgrade(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("bundles are read from disk on Linux only")
	}
	ea := eaccessBundle(t, true)
	eaNoSeccomp := eaccessBundle(t, false)
	for _, r := range []struct {
		name   string
		args   []string
		code   int
		stdout []string
		empty  bool
		rule   string
	}{
		{"incident", []string{"check", "--from", "runc@1.1.3+go1.19", "--to", "runc@1.1.4+go1.19", ea}, 1,
			[]string{"runc@1.1.3+go1.19 → runc@1.1.4+go1.19 breaks it", "before, runc@1.1.3+go1.19: starts",
				"after, runc@1.1.4+go1.19: fails at create, in eaccess; the runtime prints:\n    runc run failed: unable to start container process: exec /app: permission denied",
				"the change that makes the difference (alone, it turns before into after):\n  ExecCheck: none → faccessat2, else access(2)\n    upstream: d83a861d9 (#3541, backport of #3522): system.Eaccess after LookPath"},
			false, "1.1.3 → 1.1.4 on the incident: starts, then fails; the eaccess check of d83a861d9 decides it; exit 1"},
		{"downgrade", []string{"check", "--from", "runc@1.1.4+go1.19", "--to", "runc@1.1.3+go1.19", ea}, 0,
			[]string{"runc@1.1.4+go1.19 → runc@1.1.3+go1.19 fixes it", "ExecCheck: faccessat2, else access(2) → none"}, false,
			"the other way round it no longer fails: printed, exit 0"},
		{"unchanged", []string{"check", "--from", "runc@1.1.6+go1.19", "--to", "runc@1.1.6+go1.26", ea}, 0, nil, true,
			"the same outcome prints nothing, exit 0"},
		{"version_text", []string{"check", "--from", "runc@1.1.3+go1.19", "--to", debianVersion, ea}, 1,
			[]string{"→ runc@1.1.5+debian breaks it", `read: "runc version 1.1.5+ds1" is runc@1.1.5+debian`}, false,
			"--to takes a --version text"},
		{"kernel", []string{"check", "--from", "runc@1.1.4+go1.19", "--to", "runc@1.1.4+go1.19", "--from-kernel", "6.1", "--to-kernel", "5.4.0-150-generic", eaNoSeccomp}, 1,
			[]string{"runc@1.1.4+go1.19: kernel 6.1 → kernel 5.4 breaks it", "before, runc@1.1.4+go1.19 on kernel 6.1: starts", "Kernel: 6.1 → 5.4"}, false,
			"a kernel downgrade alone: faccessat2 is gone; the heading names the kernels"},
		{"extrapolated", []string{"check", "--from", "runc@1.1.3+go1.19", "--to", "runc@1.7.0+go1.26", ea}, 3,
			[]string{"runc@1.1.3+go1.19 → runc@1.7.0+go1.26: the same outcome as far as the model tells (starts), but not exactly:\n",
				"  after, runc@1.7.0+go1.26: extrapolated: runc 1.7.0 is not modelled; answered as runc 1.6.0-rc.1, the newest older release modelled\n"}, false,
			"1.7.0 starts it as 1.6.0-rc.1 does: nothing changes, but the extrapolated side is named, exit 3"},
		{"extrapolated_json", []string{"check", "--json", "--from", "runc@1.1.3+go1.19", "--to", "runc@1.7.0+go1.26", ea}, 3,
			[]string{`"extrapolated": [`, `"runc@1.7.0+go1.26: runc 1.7.0 is not modelled`}, false,
			"--json names the extrapolated side too"},
	} {
		t.Run(r.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(r.args, &out, &errb)
			if code != r.code {
				t.Errorf("exit %d, want %d (%s)\nstdout: %s\nstderr: %s", code, r.code, r.rule, out.String(), errb.String())
			}
			if r.empty && out.Len() != 0 {
				t.Errorf("stdout not empty (%s):\n%s", r.rule, out.String())
			}
			for _, s := range r.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q (%s):\n%s", s, r.rule, out.String())
				}
			}
		})
	}
	var out, errb bytes.Buffer
	if code := run([]string{"check", "--from", "runc@1.1.3", ea}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "both --from and --to") {
		t.Errorf("--from alone: exit %d, stderr %q", code, errb.String())
	}
	if code := run([]string{"check", "--from", "runc@1.1.3", "--to", "runc@1.1.4", "--runtime", "all", ea}, &out, &errb); code != 2 {
		t.Errorf("--from with --runtime: exit %d, want 2", code)
	}
	if code := run([]string{"check", "-q", "--from", "runc@1.1.3", "--to", "runc@1.1.4", ea}, &out, &errb); code != 2 {
		t.Errorf("--from with -q: exit %d, want 2", code)
	}
	out.Reset()
	if code := run([]string{"check", "--json", "--from", "runc@1.1.3+go1.19", "--to", "runc version 1.1.4\ngo: go1.19.8", ea}, &out, &errb); code != 1 {
		t.Errorf("--json upgrade: exit %d, want 1", code)
	}
	var doc struct {
		Changed bool
		Changes []struct {
			Field, Cite string
			Decides     bool
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || !doc.Changed || len(doc.Changes) != 1 || doc.Changes[0].Field != "ExecCheck" || !doc.Changes[0].Decides {
		t.Errorf("--json upgrade: %v %+v\n%s", err, doc, out.String())
	}
}
