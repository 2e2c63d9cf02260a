package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preexec/preexec/internal/imagebuild"
	"github.com/preexec/preexec/rootfs"
)

// TestCheckFixesIssue11 pins the CLI's fix: line for the two cases of
// issue 11 on a bundle: every fix printed was applied to the model and
// runc 1.1.4 then starts; --json carries them as verified values.
func TestCheckFixesIssue11(t *testing.T) {
	const seccomp = `,"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}}`
	entry := func(caps string, nnp bool, linux string) string {
		dir := bundle(t, fmt.Sprintf(`{"root":{"path":"rootfs"},"process":{"user":{"uid":%d,"gid":%d},"cwd":"/","args":["/entry"],"env":["PATH=/bin"],"capabilities":{"bounding":[%[3]s],"effective":[%[3]s],"permitted":[%[3]s]},"noNewPrivileges":%[4]v}%[5]s}`,
			other(), other(), caps, nnp, linux))
		if err := os.WriteFile(filepath.Join(dir, "rootfs", "entry"), rootfs.ProbeELF(rootfs.EM_X86_64, ""), 0o744); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, "rootfs", "entry"), 0o744); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	chown := fmt.Sprintf("chown %d /entry", other())
	for _, r := range []struct {
		name   string
		args   []string
		fix    string
		absent []string
		rule   string
	}{
		{"kernel_5_4_nnp_set", []string{"--kernel", "5.4", entry(`"CAP_DAC_OVERRIDE"`, true, "")},
			"fix: chmod o+x /entry; or " + chown + "; or run on Linux 5.8 or later, which has faccessat2; or use runc 1.0.0-rc92 … 1.1.3, 1.1.6 … 1.6.0-rc.1 or crun 1.8.1\n",
			[]string{"noNewPrivileges"},
			"issue 11: noNewPrivileges is already set; before 5.8 faccessat2 is ENOSYS, so the kernel is the cause"},
		{"no_effective_caps", []string{entry("", false, seccomp)},
			"fix: chmod o+x /entry; or " + chown + "\n",
			[]string{"1.1.6", "runc ≥", "add CAP_DAC_OVERRIDE"},
			"issue 11: without capabilities every runtime fails (1.1.6 too): no runtime is named, nor a capability access(2) ignores"},
	} {
		t.Run(r.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(append([]string{"check", "--runtime", "runc@1.1.4"}, r.args...), &out, &errb); code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, errb.String())
			}
			if !strings.Contains(out.String(), r.fix) {
				t.Errorf("stdout lacks %q:\n%s\nrule: %s", r.fix, out.String(), r.rule)
			}
			for _, s := range r.absent {
				if strings.Contains(out.String(), s) {
					t.Errorf("stdout has %q:\n%s\nrule: %s", s, out.String(), r.rule)
				}
			}
			out.Reset()
			run(append([]string{"check", "--json", "--runtime", "runc@1.1.4"}, r.args...), &out, &errb)
			var doc struct {
				Results []struct {
					Fixes []jsonFix `json:"fixes"`
				} `json:"results"`
			}
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			fixes := doc.Results[0].Fixes
			if len(fixes) < 2 || fixes[0].Change != "chmod" || fixes[0].Mode != "0745" || fixes[0].Symbolic != "o+x" ||
				len(fixes[0].Where) != 1 || fixes[0].Where[0].Kind != "rootfs" || fixes[0].Where[0].Text != "chmod o+x rootfs/entry" {
				t.Errorf("--json fixes: %+v", fixes)
			}
			for _, f := range fixes {
				if !f.Verified {
					t.Errorf("--json: an unverified fix %+v", f)
				}
			}
		})
	}
}

// TestCheckFixPlaces pins where an image's user makes a fix: each place
// is listed only if the engine's spec, made again with it, lets the
// runtime start.
func TestCheckFixPlaces(t *testing.T) {
	distroless, _ := writeImages(t, distrolessRootfs, imagebuild.Config{User: "65532", Entrypoint: []string{"/app"}, WorkingDir: "/home/nonroot"})
	entry, _ := writeImages(t, entrypointRootfs, imagebuild.Config{User: "app", Entrypoint: []string{"/entrypoint.sh"}})
	for _, r := range []struct {
		name       string
		args       []string
		has, lacks []string
		rule       string
	}{
		{"docker_user_flag", []string{"--runtime", "runc@1.0.0-rc93", "--user", "1000680000:0", distroless},
			[]string{"chmod o+x /home/nonroot (Dockerfile: RUN chmod o+x /home/nonroot)", "run as uid 65532, the owner of /home/nonroot (flag --user 65532)"},
			[]string{"USER 65532"},
			"--user overrides the image's USER: the Dockerfile line would not change the container"},
		{"cri_restricted", []string{"--runtime", "runc@1.0.0-rc93", "--engine", "containerd-cri@1.6.20", "--scc", "restricted-v2", distroless},
			[]string{"(Dockerfile: RUN chmod o+x /home/nonroot)"},
			[]string{"flag --user", "runAsUser to 65532", "USER 65532"},
			"restricted-v2 admits no runAsUser outside the namespace's range, and overrides the image's USER: no user change is a fix"},
		{"cri_pod_user", []string{"--runtime", "runc@1.0.0-rc93", "--engine", "containerd-cri@1.6.20", "--user", "1000680000:0", distroless},
			[]string{"or run as uid 65532, the owner of /home/nonroot (flag --user 65532)"},
			nil,
			"without an SCC, the user given as a flag is changed as a flag"},
		{"podman_cap_add", []string{"--runtime", "runc@1.1.4", "--engine", "podman@4.3.1", entry},
			[]string{"(flag --cap-add DAC_OVERRIDE)"},
			nil,
			"podman gives --cap-add's capabilities to a non-root user's effective set (the spec made again says so)"},
		{"docker_no_caps", []string{"--runtime", "runc@1.1.4", "--engine", "docker@20.10.24", "--kernel", "5.4", entry},
			[]string{"fix: chmod o+x /entrypoint.sh (Dockerfile: RUN chmod o+x /entrypoint.sh)"},
			[]string{"Linux 5.8", "use runc", "cap-add"},
			"docker gives a non-root user no effective capabilities: neither 5.8 nor another runtime starts it"},
	} {
		t.Run(r.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(append([]string{"check"}, r.args...), &out, &errb); code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, errb.String())
			}
			for _, s := range r.has {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s\nrule: %s", s, out.String(), r.rule)
				}
			}
			for _, s := range r.lacks {
				if strings.Contains(out.String(), s) {
					t.Errorf("stdout has %q:\n%s\nrule: %s", s, out.String(), r.rule)
				}
			}
		})
	}
}
