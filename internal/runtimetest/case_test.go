package runtimetest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var snakeCase = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)

// TestCuratedTable checks the table's rows: at least 40, unique snake_case
// names, a rule each, valid, and stable through JSON.
func TestCuratedTable(t *testing.T) {
	cs := Curated()
	if len(cs) < 40 {
		t.Errorf("%d curated cases, want ≥ 40", len(cs))
	}
	seen := map[string]bool{}
	for _, c := range cs {
		if !snakeCase.MatchString(c.Name) {
			t.Errorf("name %q: want snake_case", c.Name)
		}
		if seen[c.Name] {
			t.Errorf("duplicate name %q", c.Name)
		}
		seen[c.Name] = true
		if err := c.Validate(); err != nil {
			t.Error(err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back Case
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if mustJSON(back) != mustJSON(c) {
			t.Errorf("%s: JSON round trip changed the case:\n%s", c.Name, lineDiff(mustJSON(c), mustJSON(back)))
		}
	}
}

// TestCuratedCoverage checks that the table holds the behaviours the issue
// names, by the case names that pin them.
func TestCuratedCoverage(t *testing.T) {
	have := map[string]bool{}
	for _, c := range Curated() {
		have[c.Name] = true
	}
	for _, want := range []string{
		"rc93_chdir_distroless_nonroot_home_openshift_uid",
		"runc114_eaccess_0744_dac_override_faccessat2_enosys",
		"exec_owner_class_precedence_0074",
		"exec_additional_gid_grants_group",
		"exec_acl_mask_removes_named_user_x",
		"exec_dac_read_search_not_exec",
		"chdir_fowner_only_0700_root_dir",
		"exec_noexec_bind_mount",
		"exec_directory_as_args0",
		"exec_shebang_interpreter_missing",
		"exec_shebang_crlf",
		"exec_dynamic_binary_without_loader",
		"exec_dynamic_binary_with_loader",
		"exec_file_caps_empty_bounding",
		"path_relative_entry_errdot",
		"path_absent",
		"cwd_missing_created",
		"cwd_is_a_file",
		"cwd_symlink_loop",
		"chdir_userns_unmapped_owner_acl_grants_user",
	} {
		if !have[want] {
			t.Errorf("no curated case %s", want)
		}
	}
}

// TestRandomDeterministic checks that Random depends only on (seed, i),
// gives valid cases, and varies what it should.
func TestRandomDeterministic(t *testing.T) {
	count := map[string]int{}
	for _, a := range familyCases(t, "random_s", 7, 500) {
		p := a.Process
		count["seccomp "+string(a.Seccomp)]++
		if p.NoNewPrivileges {
			count["nnp"]++
		}
		if p.Capabilities == nil {
			count["caps absent"]++
		}
		if len(p.AdditionalGids) > 0 {
			count["additional gids"]++
		}
		if strings.HasPrefix(p.Args[0], "/") {
			count["args0 absolute"]++
		} else if strings.HasPrefix(p.Args[0], "./") {
			count["args0 ./"]++
		} else {
			count["args0 bare"]++
		}
		if strings.Contains(string(a.Rootfs), "text=") {
			count["script"]++
		}
		if strings.Contains(string(a.Rootfs), "symlink /work") || strings.Contains(string(a.Rootfs), "symlink /usr/bin/echo") || strings.Contains(string(a.Rootfs), "link-entrypoint") {
			count["symlink"]++
		}
		if strings.Contains(string(a.Rootfs), "acl=") || len(a.Mounts) > 0 && strings.Contains(string(a.Mounts[0].Source), "acl=") {
			count["acl"]++
		}
		if len(a.Mounts) > 0 {
			count["bind mount"]++
		}
	}
	for _, k := range []string{"seccomp none", "seccomp faccessat2-enosys", "seccomp faccessat2-eperm", "nnp", "caps absent",
		"additional gids", "args0 absolute", "args0 ./", "args0 bare", "script", "symlink", "acl", "bind mount"} {
		if count[k] == 0 {
			t.Errorf("500 random cases have no %q", k)
		}
	}
	if mustJSON(Random(1, 0)) == mustJSON(Random(2, 0)) {
		t.Error("Random(1, 0) == Random(2, 0)")
	}
	t.Logf("500 random cases: %v", count)
}

// TestFixtureJSON checks that fixture text is an array of lines in JSON and
// that a string is accepted too.
func TestFixtureJSON(t *testing.T) {
	f := Fixture("dir / 0755 0:0\n\n  file /a 0644 0:0\n")
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `["dir / 0755 0:0","file /a 0644 0:0"]`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	var back Fixture
	if err := json.Unmarshal(b, &back); err != nil || back != "dir / 0755 0:0\nfile /a 0644 0:0\n" {
		t.Errorf("Unmarshal(%s) = %q, %v", b, back, err)
	}
	if err := json.Unmarshal([]byte(`"dir / 0700 0:0\n"`), &back); err != nil || back != "dir / 0700 0:0\n" {
		t.Errorf("Unmarshal(string) = %q, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`[]`), &back); err != nil || back != "" {
		t.Errorf("Unmarshal([]) = %q, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`3`), &back); err == nil {
		t.Error("Unmarshal(3) succeeded")
	}
}

// TestValidate checks that Validate names every problem.
func TestValidate(t *testing.T) {
	c := Case{Rootfs: "mount /m tmpfs 0755 0:0\n", Seccomp: "strict",
		Process: Process{Cwd: "rel", Capabilities: &Capabilities{Effective: []string{"CAP_NOPE"}}},
		Mounts: []Mount{{Destination: "m", Type: "overlay"}, {Destination: "/t", Type: "tmpfs", Source: "dir / 0755 0:0"},
			{Destination: "/b", Type: "bind", Source: "dir /x 9999 0:0"}},
		UserNS: &UserNS{}}
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted a broken case")
	}
	for _, want := range []string{"name: empty", "rule: empty", "mount lines are not allowed", "process.cwd",
		"seccomp: want", `unknown "CAP_NOPE"`, "mounts[0].destination", "mounts[0].type", "mounts[1].source: a tmpfs", "mounts[2].source:1: mode", "userns"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %q:\n%v", want, err)
		}
	}
}

// TestApply checks how a recording merges into goldens: additions are
// free, changed outcomes and definitions are reported, a changed
// definition voids the old outcomes, pruning removes stale cases, and
// runtime identities and the kernel are tracked.
func TestApply(t *testing.T) {
	c1 := Curated()[0]
	c2 := Random(1, 0)
	rtA := Runtime{Name: "runc@1.1.5+debian", Kind: "runc", Version: "runc version 1.1.5+ds1", Go: "go1.19.8", Path: "/usr/sbin/runc"}
	rtB := Runtime{Name: "crun@1.8.1", Kind: "crun", Version: "crun version 1.8.1"}
	started := Outcome{Class: Started, Started: true}
	failed := Outcome{Class: CreateError, Message: "x", ExitStatus: 1}
	g := &Goldens{Curated: map[string]*Golden{}, Random: map[string]*Golden{}}
	rep := g.Apply("6.1", []Runtime{rtA, rtB}, []Case{c1, c2}, map[string]bool{c1.Name: true},
		map[string]map[string]Outcome{c1.Name: {rtA.Name: started, rtB.Name: started}, c2.Name: {rtA.Name: failed}}, true)
	if rep.Added != 3 || len(rep.Changed) != 0 {
		t.Fatalf("first recording: %+v", rep)
	}
	if g.Curated[c1.Name] == nil || g.Random[c2.Name] == nil || g.Header.Runtimes[0].Path != "" {
		t.Fatalf("goldens: %+v", g)
	}
	// Re-record rtA only: one change, rtB kept.
	rep = g.Apply("6.1", []Runtime{rtA}, []Case{c1, c2}, map[string]bool{c1.Name: true},
		map[string]map[string]Outcome{c1.Name: {rtA.Name: failed}, c2.Name: {rtA.Name: failed}}, true)
	if rep.Added != 0 || len(rep.Changed) != 1 || !strings.Contains(rep.Changed[0], "- started (exit 0)") {
		t.Errorf("re-recording: %+v", rep)
	}
	if _, ok := g.Curated[c1.Name].Outcomes[rtB.Name]; !ok {
		t.Error("outcome of a runtime not re-run was dropped")
	}
	// A changed rule keeps the outcomes, and is reported.
	c1r := c1
	c1r.Rule = "another rule"
	rep = g.Apply("6.1", nil, []Case{c1r}, map[string]bool{c1.Name: true}, nil, false)
	if len(rep.Changed) != 1 || !strings.Contains(rep.Changed[0], "rule changed, outcomes kept") || len(g.Curated[c1.Name].Outcomes) != 2 || g.Curated[c1.Name].Case.Rule != "another rule" {
		t.Errorf("rule change: %+v, outcomes %v", rep, g.Curated[c1.Name].Outcomes)
	}
	// A changed definition voids the old outcomes; a new kernel and a new
	// runtime version are changes; pruning removes c2.
	c1b := c1
	c1b.Process.Cwd = "/elsewhere"
	rtA2 := rtA
	rtA2.Version = "runc version 1.1.5+ds1-2"
	rep = g.Apply("6.2", []Runtime{rtA2}, []Case{c1b}, map[string]bool{c1.Name: true},
		map[string]map[string]Outcome{c1.Name: {rtA.Name: started}}, true)
	joined := strings.Join(rep.Changed, "\n")
	for _, want := range []string{"kernel: 6.1 -> 6.2", "definition changed", `"cwd": "/elsewhere"`, "runtime runc@1.1.5+debian", "no longer generated"} {
		if !strings.Contains(joined, want) {
			t.Errorf("changes lack %q:\n%s", want, joined)
		}
	}
	if len(g.Curated[c1.Name].Outcomes) != 1 || g.Random[c2.Name] != nil {
		t.Errorf("after a definition change and pruning: %+v, random %v", g.Curated[c1.Name].Outcomes, g.Random)
	}
}

// TestClassify pins the classifier to output recorded from real runtimes.
func TestClassify(t *testing.T) {
	rows := []struct {
		name           string
		kind           string
		stdout, stderr string
		status         int
		want           Outcome
		rule           string
	}{
		{"marker", "runc", Marker + "\n", "", 0, Outcome{Class: Started, Started: true},
			"the entrypoint printed the marker"},
		{"marker_despite_warning", "runc", Marker + "\n", `time="2026-11-23T17:39:01Z" level=warning msg="unknown capability \"CAP_X\""` + "\n", 0,
			Outcome{Class: Started, Started: true}, "rc94+ warn about unknown capabilities and start"},
		{"runc_logrus_quoted", "runc", "", `time="2026-11-23T17:39:01Z" level=error msg="runc run failed: unable to start container process: exec: \"/bin/nosh\": stat /bin/nosh: no such file or directory"` + "\n", 1,
			Outcome{Class: CreateError, Message: `runc run failed: unable to start container process: exec: "/bin/nosh": stat /bin/nosh: no such file or directory`, ExitStatus: 1},
			"runc utils.go:fatal logs the error with logrus: the msg of the final level=error line, unquoted (runc 1.1.5)"},
		{"runc_logrus_last_error_wins", "runc", "", "time=\"t\" level=error msg=first\ntime=\"t\" level=error msg=\"second one\"\n", 1,
			Outcome{Class: CreateError, Message: "second one", ExitStatus: 1}, "the final level=error line; logrus leaves plain values unquoted"},
		{"runc_rc93_chdir", "runc", "", `time="2026-11-23T17:50:00Z" level=error msg="container_linux.go:367: starting container process caused: chdir to cwd (\"/home/nonroot\") set in config.json failed: permission denied"` + "\n", 1,
			Outcome{Class: CreateError, Message: `container_linux.go:367: starting container process caused: chdir to cwd ("/home/nonroot") set in config.json failed: permission denied`, ExitStatus: 1},
			"rc93's text"},
		{"runc_exec_1_1", "runc", "", "exec /entrypoint.sh: permission denied\n", 1,
			Outcome{Class: ExecError, Message: "exec /entrypoint.sh: permission denied", ExitStatus: 1},
			"1.1.x runc init prints exec <name>: <errno> (794cd66df, #3238)"},
		{"runc_exec_rc92", "runc", "", "standard_init_linux.go:219: exec user process caused: no such file or directory\n", 1,
			Outcome{Class: ExecError, Message: "standard_init_linux.go:219: exec user process caused: no such file or directory", ExitStatus: 1},
			"rc92/rc93's genericError line (libcontainer/generic_error.go)"},
		{"runc_init_seccomp_after_ready_rc92", "runc", "", "standard_init_linux.go:207: init seccomp caused: error adding seccomp filter rule for syscall faccessat2: permission denied\n", 1,
			Outcome{Class: CreateError, Message: "standard_init_linux.go:207: init seccomp caused: error adding seccomp filter rule for syscall faccessat2: permission denied", ExitStatus: 1},
			"rc92 … 1.0.1 standard_init_linux.go:Init: InitSeccomp under noNewPrivileges fails after ready, printed by runc init"},
		{"crun_create", "crun", "", "chdir `/w`: Not a directory\n", 1,
			Outcome{Class: CreateError, Message: "chdir `/w`: Not a directory", ExitStatus: 1},
			"crun prints msg: strerror bare (src/libcrun/error.c)"},
		{"crun_colour", "crun", "", "\x1b[31mopen executable: Permission denied\x1b[0m\n", 1,
			Outcome{Class: CreateError, Message: "open executable: Permission denied", ExitStatus: 1},
			"colour codes are stripped"},
		{"crun_exec", "crun", "", "exec container process (missing dynamic library?) `/app`: No such file or directory\n", 1,
			Outcome{Class: ExecError, Message: "exec container process (missing dynamic library?) `/app`: No such file or directory", ExitStatus: 1},
			"crun's container process after execv (src/libcrun/container.c:container_init)"},
		{"busybox_cannot_open", "runc", "", "/bin/sh: can't open '/entrypoint.sh': Permission denied\n", 2,
			Outcome{Class: PostExecError, Message: "/bin/sh: can't open '/entrypoint.sh': Permission denied", ExitStatus: 2},
			"execve passed, the interpreter could not read the script (fs/binfmt_script.c:load_script)"},
		{"probe_ran", "runc", "", "", 100, Outcome{Class: Started, Started: true, ExitStatus: 100},
			"rootfs.ProbeExitRan: the probe ELF ran"},
		{"probe_eacces", "crun", "", "", 113, Outcome{Class: PostExecError, Message: "probe: cannot open its script: errno 13", ExitStatus: 113},
			"ProbeExitRan+errno: the probe ran as an interpreter and could not open its script"},
		{"unknown_output", "runc", "hello\n", "something odd\n", 3,
			Outcome{Class: HarnessError, Message: "output not classified", ExitStatus: 3, Output: "stdout:\nhello\nstderr:\nsomething odd\n"},
			"unclassified output is the harness's problem, never a runtime result"},
		{"silent_failure", "runc", "", "", 1,
			Outcome{Class: HarnessError, Message: "output not classified", ExitStatus: 1, Output: "stdout:\nstderr:\n"},
			"a failure without a message is not a runtime result"},
		{"crun_two_lines", "crun", "", "first\nsecond\n", 1,
			Outcome{Class: HarnessError, Message: "output not classified", ExitStatus: 1, Output: "stdout:\nstderr:\nfirst\nsecond\n"},
			"crun prints one error line; more is unexpected"},
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if r.rule == "" || seen[r.name] {
			t.Fatalf("row %q: empty rule or duplicate name", r.name)
		}
		seen[r.name] = true
		t.Run(r.name, func(t *testing.T) {
			got := Classify(r.kind, r.stdout, r.stderr, r.status)
			if diff := cmp.Diff(r.want, got); diff != "" {
				t.Errorf("Classify (-want +got):\n%s\nrule: %s", diff, r.rule)
			}
		})
	}
}

// TestParseLogrus checks the logrus text-format parser on the forms runc
// prints and on lines that are not logrus lines.
func TestParseLogrus(t *testing.T) {
	kv, ok := parseLogrus(`time="2026-11-23T17:39:01Z" level=error msg="a \"b\" \\ c"`)
	if !ok || kv["level"] != "error" || kv["msg"] != `a "b" \ c` || kv["time"] != "2026-11-23T17:39:01Z" {
		t.Errorf("parseLogrus = %v, %v", kv, ok)
	}
	for _, l := range []string{
		"exec /x: permission denied",
		"standard_init_linux.go:219: exec user process caused: permission denied",
		`level=error msg="unterminated`,
		`time="t" level=error`,
		"/bin/sh: can't open 'x=y': nope",
	} {
		if kv, ok := parseLogrus(l); ok {
			t.Errorf("parseLogrus(%q) = %v, want not a logrus line", l, kv)
		}
	}
}

// ExampleRandom shows the shape of a random case.
func ExampleRandom() {
	c := Random(1, 0)
	fmt.Println(c.Name, c.Validate() == nil)
	// Output: random_s1_0000 true
}
