package preexec_test

import (
	"fmt"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/resulttest"
	"github.com/preexec/preexec/internal/rowtest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestViewTmpfsRoot pins the inode of a tmpfs mount's root as each
// TmpfsMode makes it (held on real runtimes by the runtime oracle's tmpfs_*
// cases).
func TestViewTmpfsRoot(t *testing.T) {
	const (
		chmod   = preexec.TmpfsChmodDir
		lossy   = preexec.TmpfsModeDataNoSpecial
		data    = preexec.TmpfsModeData
		kernel  = preexec.TmpfsKernel
		over700 = "dir /data 0700 0:0"
		over750 = "dir /data 1750 0:0"
	)
	rows := []struct {
		name    string
		tmpfs   preexec.TmpfsMode
		base    string // an extra fixture line, "" for none
		options string // the tmpfs's options as JSON strings
		userns  bool   // container 0 is host 100000
		want    string // mode uid:gid
		rule    string
	}{
		{"missing_dir_kernel_default", data, "", ``, false, "1777 0:0",
			"mm/shmem.c: without mode= the root is 1777, owned by the mounter (the container root)"},
		{"chmod_over_dir_mode_lost", chmod, over700, `"mode=0755"`, false, "0700 0:0",
			"runc ≤ 1.1.7 chmods the root to the covered directory's mode after mounting"},
		{"chmod_missing_dir_keeps_option", chmod, "", `"mode=0755"`, false, "0755 0:0",
			"runc ≤ 1.1.7: no directory, no chmod"},
		{"lossy_drops_special_bits", lossy, over750, ``, false, "0750 0:0",
			"runc 1.1.8: mode=%04o of a Go FileMode; the kernel's & 07777 drops its setuid, setgid and sticky bits"},
		{"lossy_option_wins", lossy, over700, `"mode=0755"`, false, "0755 0:0",
			"runc 1.1.8: the config's mode= comes after the covered directory's"},
		{"data_keeps_special_bits", data, over750, ``, false, "1750 0:0",
			"runc 1.1.9 on: syscallMode keeps the sticky bit"},
		{"kernel_ignores_dir", kernel, over700, ``, false, "1777 0:0",
			"crun 1.8.1: no stat of the target, the kernel's default"},
		{"uid_gid_options", data, "", `"mode=0700","uid=2000","gid=3000"`, false, "0700 2000:3000",
			"shmem_parse_one: uid= and gid= own the root"},
		{"userns_owner_mapped", data, "", `"mode=0700"`, true, "0700 100000:100000",
			"the mounter is the container root: host 100000"},
		{"userns_uid_option_mapped", data, "", `"uid=1000"`, true, "1777 101000:100000",
			"uid= is read in the mounter's namespace (make_kuid(current_user_ns(), …))"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	rowtest.Check(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			linux := ""
			if r.userns {
				linux = `,"linux":{"namespaces":[{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],"gidMappings":[{"containerID":0,"hostID":100000,"size":65536}]}`
			}
			cfg := `{"process":{"cwd":"/","args":["sh"]},"root":{"path":"rootfs"},"mounts":[{"destination":"/data","type":"tmpfs","source":"tmpfs","options":[` + r.options + `]}]` + linux + `}`
			plan, err := spec.Parse("config.json", []byte(cfg))
			if err != nil {
				t.Fatal(err)
			}
			f, err := rootfs.ParseFixture("base", "dir / 0755 0:0\n"+r.base+"\n")
			if err != nil {
				t.Fatal(err)
			}
			v := preexec.NewView(plan, f.Mem(), nil)
			ino, err := v.For(&preexec.Release{Tmpfs: r.tmpfs}).Lstat("/data")
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%04o %d:%d", ino.Mode&0o7777, ino.UID, ino.GID); got != r.want || !ino.IsDir() {
				t.Errorf("tmpfs root = %s (dir %v), want %s (%s)", got, ino.IsDir(), r.want, r.rule)
			}
		})
	}
}

// TestViewMountPointsAndReadonlyRoot pins the mount points a runtime makes
// and root.readonly's flag, which the checks see after the remount.
func TestViewMountPointsAndReadonlyRoot(t *testing.T) {
	cfg := `{"process":{"cwd":"/","args":["sh"]},"root":{"path":"rootfs","readonly":true},
		"mounts":[{"destination":"/a/b","type":"tmpfs","source":"tmpfs"},{"destination":"/src","type":"bind","source":"/host","options":["rbind","ro"]}]}`
	plan, err := spec.Parse("config.json", []byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := rootfs.ParseFixture("base", "dir / 0755 0:0\nfile /f 0644 0:0\n")
	src, _ := rootfs.ParseFixture("src", "dir / 0755 0:0\nfile /x 0644 0:0\n")
	v := preexec.NewView(plan, base.Mem(), map[string]access.FS{"/host": src.Mem()})
	for _, c := range []struct {
		path string
		want string
		rule string
	}{
		{"/a", "dir 0755 0:0 mount=MNT_READONLY", "a missing parent of a mount point is made 0755 by the container root (MkdirAll), on the read-only root"},
		{"/a/b", "dir 1777 0:0 mount=0", "the tmpfs is its own mount: not read-only"},
		{"/f", "file 0644 0:0 mount=MNT_READONLY", "root.readonly: the root's mount is read-only (finalizeRootfs)"},
		{"/src/x", "file 0644 0:0 mount=MNT_READONLY", "a ro bind mount shows its source read-only"},
	} {
		ino, err := v.Lstat(c.path)
		if err != nil {
			t.Errorf("%s: %v (%s)", c.path, err, c.rule)
			continue
		}
		kind := "file"
		if ino.IsDir() {
			kind = "dir"
		}
		mount := "0"
		if ino.Mount&access.MNT_READONLY != 0 {
			mount = "MNT_READONLY"
		}
		if got := fmt.Sprintf("%s %04o %d:%d mount=%s", kind, ino.Mode&0o7777, ino.UID, ino.GID, mount); got != c.want {
			t.Errorf("%s = %s, want %s (%s)", c.path, got, c.want, c.rule)
		}
	}
}

// TestFixRefusedConfigs pins the fix suggested for the refusals the
// runtime oracle found: a seccomp rule equal to the default action (runc
// before 1.0.2) and additionalGids under a rootless runc.
func TestFixRefusedConfigs(t *testing.T) {
	const redundant = `"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ALLOW"}]}}`
	rows := []struct {
		name, runtime, extra string
		rootless             bool
		wantStep             preexec.Step
		wantFix              string
		rule                 string
	}{
		{"redundant_rule_rc92", "runc@1.0.0-rc92", redundant, false, preexec.StepConfig,
			"use runc 1.0.2 … 1.6.0-rc.1 or crun 1.8.1 true\ndrop the seccomp rule whose action is the default action false\n",
			"libseccomp refuses a rule equal to the default action; runc before 1.0.2 passes that on"},
		{"redundant_rule_102_skips", "runc@1.0.2", redundant, false, preexec.StepStarted, "",
			"runc 1.0.2 on skips the rule (960182fdf)"},
		{"rootless_groups_1_1", "runc@1.1.0", `"linux":{"namespaces":[{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":4242,"size":1}],"gidMappings":[{"containerID":0,"hostID":4242,"size":1}]}`, true, preexec.StepUser,
			"use crun 1.8.1 true\ndrop process.user.additionalGids: a rootless runc cannot set them false\n",
			"setupUser refuses additionalGids when rootless (runc ≤ 1.2)"},
		{"rootless_groups_1_3", "runc@1.3.0", `"linux":{"namespaces":[{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":4242,"size":1}],"gidMappings":[{"containerID":0,"hostID":4242,"size":1}]}`, true, preexec.StepUser,
			"use crun 1.8.1 true\ndrop process.user.additionalGids: a rootless runc cannot set them false\n",
			"Container.start refuses them before runc init (runc ≥ 1.3)"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	rowtest.Check(t, names, rules)
	base, _ := rootfs.ParseFixture("base", "dir / 0755 0:0\nfile /bin/true 0755 0:0 busybox\n")
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			cfg := `{"process":{"cwd":"/","args":["/bin/true"],"user":{"uid":0,"gid":0,"additionalGids":[0]}},"root":{"path":"rootfs"},` + r.extra + `}`
			plan, err := spec.Parse("config.json", []byte(cfg))
			if err != nil {
				t.Fatal(err)
			}
			rt, err := preexec.LookupRuntime(r.runtime)
			if err != nil {
				t.Fatal(err)
			}
			res := preexec.Evaluate(plan, base.Mem(), rt, preexec.Host{Rootless: r.rootless})
			if got := resulttest.FixesText(res); res.Step != r.wantStep || got != r.wantFix {
				t.Errorf("step %s, fixes %q; want %s, %q (%s)\nerror: %s", res.Step, got, r.wantStep, r.wantFix, r.rule, res.Text)
			}
		})
	}
}
