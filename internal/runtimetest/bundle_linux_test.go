//go:build linux

package runtimetest

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSpec checks the config.json of the two incidents' cases and of a
// user-namespace case against what the issue asks of a bundle: the
// namespaces, default mounts, process fields, seccomp JSON and extra
// mounts.
func TestSpec(t *testing.T) {
	byName := map[string]Case{}
	for _, c := range Curated() {
		byName[c.Name] = c
	}
	c := byName["runc114_eaccess_0744_dac_override_faccessat2_enosys"]
	b, err := json.Marshal(Spec(&c, make([]string, len(c.Mounts))))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"ociVersion":"1.0.2"`,
		`"user":{"uid":1000,"gid":1000}`,
		`"args":["/entrypoint.sh"]`,
		`"cwd":"/"`,
		`"bounding":["CAP_DAC_OVERRIDE"],"effective":["CAP_DAC_OVERRIDE"],"inheritable":["CAP_DAC_OVERRIDE"],"permitted":["CAP_DAC_OVERRIDE"],"ambient":["CAP_DAC_OVERRIDE"]`,
		`"root":{"path":"rootfs"}`,
		`{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network"}`,
		`"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}`,
		`{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}`,
		`"gid=5"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("config.json lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "noNewPrivileges") || strings.Contains(s, "terminal") || strings.Contains(s, `"user"}`) {
		t.Errorf("unexpected fields:\n%s", s)
	}

	c = byName["runc114_eaccess_0744_dac_override_faccessat2_eperm"]
	b, _ = json.Marshal(Spec(&c, nil))
	if !strings.Contains(string(b), `"errnoRet":1}`) {
		t.Errorf("EPERM filter: %s", b)
	}

	c = byName["rc93_chdir_distroless_nonroot_home_openshift_uid"]
	b, _ = json.Marshal(Spec(&c, nil))
	if s := string(b); !strings.Contains(s, `"uid":1000680000,"gid":0`) || !strings.Contains(s, `"capabilities":{}`) || strings.Contains(s, "seccomp") {
		t.Errorf("rc93 incident config: %s", s)
	}

	c = byName["exec_noexec_bind_mount"]
	b, _ = json.Marshal(Spec(&c, []string{"/host/mounts/0"}))
	if !strings.Contains(string(b), `{"destination":"/app","type":"bind","source":"/host/mounts/0","options":["bind","noexec"]}`) {
		t.Errorf("bind mount: %s", b)
	}
	c = byName["cwd_tmpfs_mode_0700"]
	b, _ = json.Marshal(Spec(&c, nil))
	if !strings.Contains(string(b), `{"destination":"/work","type":"tmpfs","source":"tmpfs","options":["mode=0700"]}`) {
		t.Errorf("tmpfs mount: %s", b)
	}

	c = byName["chdir_userns_unmapped_owner_acl_grants_user"]
	b, _ = json.Marshal(Spec(&c, nil))
	if s := string(b); !strings.Contains(s, `{"type":"user"}`) ||
		!strings.Contains(s, `"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}]`) ||
		!strings.Contains(s, `"gid=5"`) {
		t.Errorf("userns config: %s", s)
	}
	c.UserNS = &UserNS{UIDMappings: []IDMap{{0, 100000, 1}}, GIDMappings: []IDMap{{0, 100000, 1}}}
	b, _ = json.Marshal(Spec(&c, nil))
	if strings.Contains(string(b), "gid=5") {
		t.Errorf("devpts gid=5 with gid 5 unmapped: %s", b)
	}
}
