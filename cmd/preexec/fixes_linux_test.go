package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/preexec/preexec/internal/imagebuild"
)

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
