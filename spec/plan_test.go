package spec_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/spec"
)

func u32(n uint32) *uint32 { return &n }

// TestParsePlan pins what each member of config.json becomes in the plan.
func TestParsePlan(t *testing.T) {
	rows := []struct {
		name   string
		config string
		got    func(*spec.Plan) any
		want   any
		rule   string
	}{
		// process.user
		{"user_ids_as_given", config(`"user":{"uid":1000680000,"gid":0,"additionalGids":[0,1000680000,0]}`, "", ""),
			func(p *spec.Plan) any { return p.User },
			spec.User{UID: 1000680000, GID: 0, AdditionalGids: []uint32{0, 1000680000, 0}},
			"runc receives numeric ids; duplicates and order are the runtime's to handle (1.3+ keeps them, ≤1.2 dedups)"},
		{"user_absent_is_root", config("", "", ""),
			func(p *spec.Plan) any { return p.User },
			spec.User{},
			"process.user is a struct in specs-go: absent is uid 0, gid 0"},
		{"user_umask", config(`"user":{"uid":1,"gid":1,"umask":18}`, "", ""),
			func(p *spec.Plan) any { return p.User.Umask },
			u32(0o22),
			"process.user.umask is a number (18 = 022)"},
		{"cwd_and_args", config("", "", ""),
			func(p *spec.Plan) any { return []any{p.Cwd, p.Args} },
			[]any{"/", []string{"sh"}},
			"process.cwd and process.args as given"},
		{"root_readonly", `{"process":{"cwd":"/","args":["sh"]},"root":{"path":"/var/lib/r","readonly":true}}`,
			func(p *spec.Plan) any { return p.Root },
			spec.Root{Path: "/var/lib/r", Readonly: true},
			"root.path and root.readonly as given"},

		// process.env
		{"path_last_wins", config(`"env":["PATH=/a","HOME=/h","PATH=/b"]`, "", ""),
			func(p *spec.Plan) any { v, ok := p.Path(); return []any{v, ok} },
			[]any{"/b", true},
			"runc ≥1.3 prepareEnv keeps the last PATH; ≤1.2 os.Setenv in order: the last wins too"},
		{"path_absent", config(`"env":["HOME=/h","PATHX=/x","path=/y"]`, "", ""),
			func(p *spec.Plan) any { v, ok := p.Path(); return []any{v, ok} },
			[]any{"", false},
			"names are exact and case-sensitive: no PATH, and a bare args[0] is never found"},
		{"path_empty_value", config(`"env":["PATH=/a","PATH="]`, "", ""),
			func(p *spec.Plan) any { v, ok := p.Path(); return []any{v, ok} },
			[]any{"", true},
			"an empty last PATH is set and empty, not absent"},
		{"env_entry_without_equals", config(`"env":["PATH=/a","PATH"]`, "", ""),
			func(p *spec.Plan) any { v, ok := p.Path(); return []any{v, ok} },
			[]any{"/a", true},
			"an entry without '=' names no variable"},
		{"env_absent_is_nil", config("", "", ""),
			func(p *spec.Plan) any { return p.Env == nil },
			true,
			"an absent process.env is nil (runc ≥1.3 then gives no environment), not empty"},
		{"env_empty_is_not_nil", config(`"env":[]`, "", ""),
			func(p *spec.Plan) any { return p.Env != nil && len(p.Env) == 0 },
			true,
			"an empty process.env is an empty list"},
		{"getenv_value_with_equals", config(`"env":["A=b=c"]`, "", ""),
			func(p *spec.Plan) any { v, _ := p.Env.Getenv("A"); return v },
			"b=c",
			"the value is everything after the first '='"},

		// process.capabilities
		{"caps_per_set", config(`"capabilities":{"bounding":["CAP_CHOWN","CAP_DAC_OVERRIDE"],"effective":["CAP_CHOWN"],"permitted":["CAP_CHOWN"],"ambient":["CAP_KILL"]}`, "", ""),
			func(p *spec.Plan) any { return []any{p.Caps, p.CapsAbsent, p.UnknownCaps == nil} },
			[]any{caps.Sets{Bounding: caps.Of(caps.CAP_CHOWN, caps.CAP_DAC_OVERRIDE), Effective: caps.Of(caps.CAP_CHOWN),
				Permitted: caps.Of(caps.CAP_CHOWN), Ambient: caps.Of(caps.CAP_KILL)}, false, true},
			"each set of process.capabilities through caps.FromSpec"},
		{"caps_absent", config("", "", ""),
			func(p *spec.Plan) any { return []any{p.Caps, p.CapsAbsent} },
			[]any{caps.Sets{}, true},
			"absent process.capabilities: runc ≤1.2 drops all, 1.3+ keeps all; the plan only records it"},
		{"caps_empty_object_is_present", config(`"capabilities":{}`, "", ""),
			func(p *spec.Plan) any { return []any{p.Caps, p.CapsAbsent} },
			[]any{caps.Sets{}, false},
			"an empty capabilities object is present, with every set empty"},
		{"caps_unknown_kept", config(`"capabilities":{"bounding":["CAP_CHOWN","CAP_BOGUS"],"effective":["cap_chown"]}`, "", ""),
			func(p *spec.Plan) any { return []any{p.Caps.Bounding, p.UnknownCaps.Names} },
			[]any{caps.Of(caps.CAP_CHOWN), map[string][]string{"bounding": {"CAP_BOGUS"}, "effective": {"cap_chown"}}},
			"unknown names are no Parse error (fatal in rc92/rc93, warned later); the known ones still count"},

		// process.noNewPrivileges
		{"no_new_privileges", config(`"noNewPrivileges":true`, "", ""),
			func(p *spec.Plan) any { return p.NoNewPrivileges },
			true,
			"process.noNewPrivileges as given"},

		// linux.namespaces and the mappings
		{"no_userns", config("", "", `"namespaces":[{"type":"pid"},{"type":"mount"}]`),
			func(p *spec.Plan) any { return p.UserNS == nil },
			true,
			"without a user namespace the process stays in the initial one: nil UserNS"},
		{"userns_mappings", config("", "", `"namespaces":[{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],"gidMappings":[{"containerID":0,"hostID":100000,"size":65536},{"containerID":65536,"hostID":5000,"size":1}]`),
			func(p *spec.Plan) any { return p.UserNS },
			&access.UserNS{UIDMap: []access.IDMap{{ContainerID: 0, HostID: 100000, Size: 65536}},
				GIDMap: []access.IDMap{{ContainerID: 0, HostID: 100000, Size: 65536}, {ContainerID: 65536, HostID: 5000, Size: 1}}},
			"linux.uidMappings/gidMappings become the namespace's uid_map and gid_map lines"},
		{"userns_path", config("", "", `"namespaces":[{"type":"user","path":"/proc/42/ns/user"}]`),
			func(p *spec.Plan) any { return []any{p.UserNS, p.UserNSPath} },
			[]any{&access.UserNS{UIDMap: []access.IDMap{}, GIDMap: []access.IDMap{}}, "/proc/42/ns/user"},
			"a joined user namespace needs no mappings in the config; its path is recorded"},
		{"mapping_adjacent_ranges", config("", "", `"namespaces":[{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":1000,"size":10},{"containerID":10,"hostID":1010,"size":10}],"gidMappings":[{"containerID":0,"hostID":1000,"size":1}]`),
			func(p *spec.Plan) any { return len(p.UserNS.UIDMap) },
			2,
			"map_write: adjacent ranges do not overlap"},
		{"mapping_largest", config("", "", `"namespaces":[{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":0,"size":4294967295}],"gidMappings":[{"containerID":0,"hostID":0,"size":1}]`),
			func(p *spec.Plan) any { return p.UserNS.UIDMap[0].Size },
			uint32(4294967295),
			"map_write: 0 … 2^32-2 is the largest mapping (the initial namespace's own)"},

		// linux.seccomp presence
		{"seccomp_absent", config("", "", ""),
			func(p *spec.Plan) any { return p.Seccomp == nil },
			true,
			"no linux.seccomp: no filter"},
		{"seccomp_empty_is_disabled", seccompConfig(`{"architectures":["SCMP_ARCH_X86_64"]}`),
			func(p *spec.Plan) any { return p.Seccomp == nil },
			true,
			"runc specconv.SetupSeccomp: no defaultAction and no syscalls means seccomp disabled"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p, err := spec.Parse("config.json", []byte(r.config))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(r.want, r.got(p), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestMounts pins how mount options become flags and a tmpfs mode.
func TestMounts(t *testing.T) {
	const (
		ro      = access.MNT_READONLY
		sbRO    = access.SB_RDONLY
		noexec  = access.MNT_NOEXEC
		nosuid  = access.MNT_NOSUID
		nodev   = access.MNT_NODEV
		nofollo = access.MNT_NOSYMFOLLOW
	)
	rows := []struct {
		name  string
		mount string
		bind  bool
		flags access.MountFlags
		mode  *uint32
		rule  string
	}{
		{"bind_ro", `{"destination":"/d","type":"bind","source":"s","options":["rbind","ro"]}`, true, ro, nil,
			"runc remounts a bind mount MS_BIND|MS_REMOUNT|MS_RDONLY: the mount, not the filesystem, is read-only"},
		{"bind_type_ignored", `{"destination":"/d","type":"none","source":"s","options":["bind","noexec"]}`, true, noexec, nil,
			"runc createLibcontainerMount: any type of a bind mount is ignored"},
		{"type_bind_without_option", `{"destination":"/d","type":"bind","source":"s","options":["ro"]}`, false, sbRO, nil,
			"runc: only a bind or rbind option makes a bind mount"},
		{"tmpfs_ro_superblock", `{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["ro"]}`, false, sbRO, nil,
			"ro on a new filesystem makes its superblock read-only (SB_RDONLY)"},
		{"tmpfs_mode_octal", `{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["mode=755"]}`, false, 0, u32(0o755),
			"mm/shmem.c: mode is octal with or without a leading 0"},
		{"tmpfs_mode_last_wins", `{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["mode=0700","nosuid","mode=1777"]}`, false, nosuid, u32(0o1777),
			"the kernel parses options in order: the last mode= wins"},
		{"tmpfs_mode_masked", `{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["mode=177777"]}`, false, 0, u32(0o7777),
			"shmem_parse_one: ctx->mode = result.uint_32 & 07777"},
		{"tmpfs_no_mode", `{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["size=64k"]}`, false, 0, nil,
			"no mode=: the runtime's or the kernel's default; data options change nothing here"},
		{"mode_ignored_off_tmpfs", `{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["mode=0620","noexec"]}`, false, noexec, nil,
			"mode= is a tmpfs option only as far as the plan is concerned"},
		{"mode_ignored_on_bind_tmpfs", `{"destination":"/t","type":"tmpfs","source":"/x","options":["bind","mode=zz"]}`, true, 0, nil,
			"a bind mount passes no data to a filesystem"},
		{"docker_tmpfs_defaults", `{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["noexec","nosuid","nodev"]}`, false, noexec | nosuid | nodev, nil,
			"Docker's --tmpfs default options"},
		{"last_of_pair_wins", `{"destination":"/d","type":"bind","source":"s","options":["bind","ro","noexec","exec","rw","nosuid"]}`, true, nosuid, nil,
			"runc parseMountOptions: rw clears ro, exec clears noexec, in order"},
		{"nosymfollow", `{"destination":"/d","type":"bind","source":"s","options":["bind","nosymfollow"]}`, true, nofollo, nil,
			"nosymfollow (Linux 5.10) is MNT_NOSYMFOLLOW"},
		{"recursive_after_plain", `{"destination":"/d","type":"bind","source":"s","options":["rro","rbind","rw","rnoexec","exec"]}`, true, ro | noexec, nil,
			"runc 1.1 recursive attributes are applied by mount_setattr after the mount: rro and rnoexec win over rw and exec"},
		{"recursive_clear", `{"destination":"/d","type":"bind","source":"s","options":["rbind","ro","noexec","rrw","rexec"]}`, true, 0, nil,
			"mount_setattr attr_clr clears MNT_READONLY and MNT_NOEXEC after the bind remount set them"},
		{"recursive_rw_keeps_superblock", `{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["ro","rrw"]}`, false, sbRO, nil,
			"mount_setattr changes the mount, never the superblock"},
		{"unknown_options_ignored", `{"destination":"/d","type":"ext4","source":"/dev/sda","options":["defaults","relatime","rprivate","errors=remount-ro"]}`, false, 0, nil,
			"atime, propagation and filesystem data options do not change the checks"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p, err := spec.Parse("config.json", []byte(config("", `"mounts":[`+r.mount+`]`, "")))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			m := p.Mounts[0]
			if m.Bind != r.bind || m.Flags != r.flags {
				t.Errorf("Bind, Flags = %v, %#b; want %v, %#b", m.Bind, m.Flags, r.bind, r.flags)
			}
			if diff := cmp.Diff(r.mode, m.TmpfsMode); diff != "" {
				t.Errorf("TmpfsMode (-want +got)\n%s", diff)
			}
		})
	}
}

// TestTmpfsOwner pins the uid= and gid= options of a tmpfs.
func TestTmpfsOwner(t *testing.T) {
	u32 := func(n uint32) *uint32 { return &n }
	rows := []struct {
		name, mount string
		uid, gid    *uint32
		rule        string
	}{
		{"none", `{"destination":"/t","type":"tmpfs","options":["mode=0700"]}`, nil, nil,
			"no uid= or gid=: the mounting process's fsuid and fsgid own the root (shmem_get_inode)"},
		{"both_last_wins", `{"destination":"/t","type":"tmpfs","options":["uid=1","gid=2","uid=2000"]}`, u32(2000), u32(2),
			"shmem_parse_one: options in order, the last uid= wins"},
		{"bind_ignores", `{"destination":"/t","type":"tmpfs","source":"/x","options":["bind","uid=5"]}`, nil, nil,
			"a bind mount passes no data to a filesystem"},
		{"other_type_ignores", `{"destination":"/dev/pts","type":"devpts","options":["gid=5"]}`, nil, nil,
			"devpts's gid= is not a tmpfs owner"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p, err := spec.Parse("config.json", []byte(config("", `"mounts":[`+r.mount+`]`, "")))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			m := p.Mounts[0]
			if diff := cmp.Diff([]*uint32{r.uid, r.gid}, []*uint32{m.TmpfsUID, m.TmpfsGID}); diff != "" {
				t.Errorf("TmpfsUID, TmpfsGID (-want +got)\n%s", diff)
			}
		})
	}
	if _, err := spec.Parse("config.json", []byte(config("", `"mounts":[{"destination":"/t","type":"tmpfs","options":["uid=x"]}]`, ""))); err == nil {
		t.Error("uid=x: want an error naming the option")
	}
}

func TestMountsKeepConfigOrder(t *testing.T) {
	p, err := spec.Parse("config.json", []byte(config("", `"mounts":[{"destination":"/b","type":"tmpfs"},{"destination":"/a","type":"proc"},{"destination":"/b/c","type":"bind","source":"x","options":["bind"]}]`, "")))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range p.Mounts {
		got = append(got, m.Destination)
	}
	if diff := cmp.Diff([]string{"/b", "/a", "/b/c"}, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestFromSpecEmptyArgs: an engine's spec without process.args is the
// runtime's to refuse (Plan.Refused, runc's validateProcessSpec text); the
// same config.json given to Parse is bad input.
func TestFromSpecEmptyArgs(t *testing.T) {
	s := &specs.Spec{Process: &specs.Process{Cwd: "/"}, Root: &specs.Root{Path: "rootfs"}}
	p, err := spec.FromSpec("ctr spec", s)
	if err != nil || p.Refused != "args must not be empty" || len(p.Args) != 0 {
		t.Fatalf("FromSpec = %+v, %v; want Refused", p, err)
	}
	if _, err := spec.Parse("config.json", []byte(`{"process":{"cwd":"/"},"root":{"path":"rootfs"}}`)); err == nil || !strings.HasSuffix(err.Error(), "args must not be empty") {
		t.Errorf("Parse = %v; want the args error", err)
	}
	s.Process.Args = []string{"/bin/sh"}
	if p, err := spec.FromSpec("ctr spec", s); err != nil || p.Refused != "" {
		t.Errorf("FromSpec with args = %+v, %v", p, err)
	}
}
