//go:build linux

package main

import (
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/internal/imagebuild"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/runtimeinfo"
)

var update = flag.Bool("update", false, "rewrite the expected files of testdata/script/*.txtar with what preexec prints, and log each script's diff (review it)")

// TestScripts runs the CLI's scripts, testdata/script/*.txtar: each runs
// preexec as a user would and compares what it prints, byte for byte,
// with the files of the script (cmp, or cmpenv where the text holds $WORK
// or an id). Commands beside testscript's own:
//
//	preexec ARGS...       run the CLI in process, in the script's directory
//	                      ($WORK, or where cd went: relative names are
//	                      printed as given, whatever $WORK is; the runs of
//	                      all scripts take turns, as the process has one
//	                      working directory); ! expects a non-zero exit
//	status N              the exit status of the last preexec was N
//	bundle DIR CONFIG     make the bundle DIR: CONFIG (env expanded) as its
//	                      config.json, a rootfs with /home/nonroot 0700 and
//	                      the probe ELF /app 0755, owned by $UID:$GID (mv
//	                      and chmod keep the owner; cp, as root, does not)
//	image [-ref REF] FIXTURE CONFIG OUT
//	                      build a one-layer image of the rootfs.ParseFixture
//	                      text FIXTURE, with CONFIG (JSON of
//	                      imagebuild.Config: User, WorkingDir, Entrypoint,
//	                      Cmd, Env) as its config; OUT *.tar is a
//	                      docker-archive tagged REF (default
//	                      preexec.test/image:latest), any other OUT an OCI
//	                      layout that gains the image annotated REF (default
//	                      latest). Builds are reproducible (fixed times; use
//	                      elf, not busybox, for executables: digests then
//	                      do not depend on the host)
//	write FILE TEXT       write TEXT, a Go string body ('\x1f\x8b'), to FILE
//	envfile NAME FILE     set $NAME to FILE's text without its last newline
//	                      (an argument of several lines: runc --version's)
//
// Scripts see $UID and $GID, the owner of what bundle makes (see owner),
// $CAPBND, when a script sets it, is this machine's capability bounding
// set as /proc/self/status prints it (every capability otherwise);
// $OTHER, a uid and gid that own nothing (2000000000 + the test's uid:
// apart from the ids scripts write out, such as OpenShift's 1000680000,
// so that -update can tell it), and $SELF, the test binary (a Go program
// that is not runc).
//
// go test ./cmd/preexec -update rewrites the expected files that cmp and
// cmpenv compare with (see updateScripts) and logs the diff of each
// script it changes.
func TestScripts(t *testing.T) {
	// Absolute: the scripts' preexec runs change the working directory.
	dir, err := filepath.Abs("testdata/script")
	if err != nil {
		t.Fatal(err)
	}
	p := testscript.Params{
		Dir:                dir,
		RequireUniqueNames: true,
		Setup: func(env *testscript.Env) error {
			uid, gid := owner()
			env.Setenv("UID", strconv.Itoa(uid))
			env.Setenv("GID", strconv.Itoa(gid))
			env.Setenv("OTHER", strconv.Itoa(2000000000+os.Getuid()))
			self, err := os.Executable()
			if err != nil {
				return err
			}
			env.Setenv("SELF", self)
			if n, ok := env.T().(interface{ Name() string }); ok {
				env.Values[scriptKey{}] = filepath.Base(n.Name())
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"preexec": scriptPreexec,
			"status":  scriptStatus,
			"bundle":  scriptBundle,
			"image":   scriptImage,
			"write":   scriptWrite,
			"envfile": scriptEnvfile,
		},
	}
	if *update {
		updateScripts(t, p)
		return
	}
	testscript.Run(t, p)
}

// cwd serializes the scripts' preexec runs, each in its script's
// directory: the process has one working directory.
var cwd sync.Mutex

func scriptPreexec(ts *testscript.TestScript, neg bool, args []string) {
	cwd.Lock()
	defer cwd.Unlock()
	wd, err := os.Getwd()
	ts.Check(err)
	ts.Check(os.Chdir(ts.MkAbs(".")))
	defer func() { ts.Check(os.Chdir(wd)) }()
	// This machine's bounding set is $CAPBND's mask, or every
	// capability: the scripts' outputs are the same on every machine.
	defer func(read func() (caps.Set, error)) { readBounding = read }(readBounding)
	readBounding = func() (caps.Set, error) {
		if m := ts.Getenv("CAPBND"); m != "" {
			return runtimeinfo.ParseCapBnd([]byte("CapBnd:\t" + m + "\n"))
		}
		return caps.All, nil
	}
	code := run(args, ts.Stdout(), ts.Stderr())
	ts.Setenv("STATUS", strconv.Itoa(code))
	if code != 0 && !neg {
		ts.Fatalf("preexec exited %d", code)
	}
	if code == 0 && neg {
		ts.Fatalf("preexec exited 0, want a failure")
	}
}

func scriptStatus(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: status N")
	}
	if got := ts.Getenv("STATUS"); got != args[0] {
		ts.Fatalf("exit status %s, want %s", got, args[0])
	}
}

// bundleOwner owns what bundle makes when the tests run as root: not
// root, whom preexec never suggests running as, so that a fix reads as it
// does for a user ("or run as uid …, the owner of /app"); a number no
// script writes out, so that -update can tell it.
const bundleOwner = 54321

// owner is the uid and gid that own what bundle makes: the test's own, or
// bundleOwner's when the test runs as root.
func owner() (int, int) {
	if os.Getuid() == 0 {
		return bundleOwner, bundleOwner
	}
	return os.Getuid(), os.Getgid()
}

func scriptBundle(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: bundle DIR CONFIG")
	}
	dir := ts.MkAbs(args[0])
	root := filepath.Join(dir, "rootfs")
	home := filepath.Join(root, "home", "nonroot")
	ts.Check(os.MkdirAll(home, 0o755))
	ts.Check(os.Chmod(home, 0o700))
	ts.Check(os.WriteFile(filepath.Join(root, "app"), rootfs.ProbeELF(access.EM_X86_64, ""), 0o755))
	config := os.Expand(ts.ReadFile(args[1]), ts.Getenv)
	ts.Check(os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644))
	if uid, gid := owner(); uid != os.Getuid() {
		for _, p := range []string{dir, root, filepath.Dir(home), home, filepath.Join(root, "app"), filepath.Join(dir, "config.json")} {
			ts.Check(os.Lchown(p, uid, gid))
		}
	}
}

func scriptImage(ts *testscript.TestScript, neg bool, args []string) {
	ref := ""
	if len(args) == 5 && args[0] == "-ref" {
		ref, args = args[1], args[2:]
	}
	if len(args) != 3 || neg {
		ts.Fatalf("usage: image [-ref REF] FIXTURE CONFIG OUT")
	}
	f, err := rootfs.ParseFixture(args[0], ts.ReadFile(args[0]))
	ts.Check(err)
	var c imagebuild.Config
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[1])))
	dec.DisallowUnknownFields()
	ts.Check(dec.Decode(&c))
	img, err := imagebuild.Image(f, c)
	ts.Check(err)
	out := ts.MkAbs(args[2])
	if strings.HasSuffix(out, ".tar") {
		if ref == "" {
			ref = "preexec.test/image:latest"
		}
		ts.Check(imagebuild.WriteDockerArchive(out, ref, img))
		return
	}
	if ref == "" {
		ref = "latest"
	}
	ts.Check(imagebuild.WriteOCILayout(out, ref, img))
}

func scriptWrite(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: write FILE TEXT")
	}
	text, err := strconv.Unquote(`"` + args[1] + `"`)
	if err != nil {
		ts.Fatalf("write: TEXT %q is not the body of a Go string: %v", args[1], err)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(text), 0o644))
}

func scriptEnvfile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: envfile NAME FILE")
	}
	ts.Setenv(args[0], strings.TrimSuffix(ts.ReadFile(args[1]), "\n"))
}

// scriptKey holds, in a script's Values, its base name (check for
// check.txtar), for updateScripts' recorders.
type scriptKey struct{}

// cmpLine is a script line that compares (cmp or cmpenv, after any
// conditions), not negated: what -update records instead.
var cmpLine = regexp.MustCompile(`^(\s*(?:\[[^\]]*\]\s*)*)(cmpenv|cmp)(\s)`)

// updateScripts is TestScripts under -update. testscript's UpdateScripts
// does not rewrite what cmpenv compares (it cannot put $WORK back), so the
// scripts run from a copy in which each cmp and cmpenv records what was
// printed instead of comparing; then each script's expected files are
// rewritten and the diff is logged. A cmpenv file keeps each line whose
// expansion is unchanged as written; a changed line gets $SELF, $WORK, $OTHER,
// and $UID and $GID where they are numbers of four or more digits, put
// back (root's 0 is too common a number to guess): review the diff.
func updateScripts(t *testing.T, p testscript.Params) {
	files, err := filepath.Glob(filepath.Join(p.Dir, "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in %s: %v", p.Dir, err)
	}
	tmp := t.TempDir()
	archives := map[string]*txtar.Archive{}
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		archives[strings.TrimSuffix(filepath.Base(f), ".txtar")] = a
		lines := strings.SplitAfter(string(a.Comment), "\n")
		for i, l := range lines {
			lines[i] = cmpLine.ReplaceAllString(l, "${1}record-${2}${3}")
		}
		cp := &txtar.Archive{Comment: []byte(strings.Join(lines, "")), Files: a.Files}
		if err := os.WriteFile(filepath.Join(tmp, filepath.Base(f)), txtar.Format(cp), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	got := map[string]map[string]string{} // script -> file -> new text
	record := func(env bool) func(ts *testscript.TestScript, neg bool, args []string) {
		return func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 2 || neg {
				ts.Fatalf("usage: cmp FILE1 FILE2")
			}
			script, _ := ts.Value(scriptKey{}).(string)
			text := ts.ReadFile(args[0])
			var old *txtar.File
			if a := archives[script]; a != nil {
				for i := range a.Files {
					if ts.MkAbs(a.Files[i].Name) == ts.MkAbs(args[1]) {
						old = &a.Files[i]
					}
				}
			}
			if old == nil {
				ts.Fatalf("-update: %s is not a file of %s.txtar", args[1], script)
			}
			// A file the script also reads (bundle b config.json) is an
			// input: printing over it would break the script.
			for _, l := range strings.Split(string(archives[script].Comment), "\n") {
				if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(f[0], "#") && !cmpLine.MatchString(l) && slices.ContainsFunc(f, func(w string) bool { return filepath.Base(w) == old.Name }) {
					ts.Fatalf("-update: %s is an input of %s.txtar (%q), not only what it compares with", old.Name, script, strings.TrimSpace(l))
				}
			}
			if env {
				text = unexpand(string(old.Data), text, ts.Getenv)
			}
			mu.Lock()
			defer mu.Unlock()
			if got[script] == nil {
				got[script] = map[string]string{}
			}
			if prev, ok := got[script][old.Name]; ok && prev != text {
				ts.Fatalf("-update: %s is compared twice with different output", old.Name)
			}
			got[script][old.Name] = text
		}
	}
	p.Dir = tmp
	p.Cmds = maps.Clone(p.Cmds)
	p.Cmds["record-cmp"] = record(false)
	p.Cmds["record-cmpenv"] = record(true)
	t.Cleanup(func() {
		for _, f := range files {
			script := strings.TrimSuffix(filepath.Base(f), ".txtar")
			a := archives[script]
			before := txtar.Format(a)
			for i := range a.Files {
				if text, ok := got[script][a.Files[i].Name]; ok {
					if txtar.NeedsQuote([]byte(text)) || text != "" && !strings.HasSuffix(text, "\n") {
						t.Errorf("%s: a txtar file cannot hold %s as printed (quoting, or no final newline): not updated; match it with stdout or stderr '\\A…\\z'", f, a.Files[i].Name)
						continue
					}
					a.Files[i].Data = []byte(text)
				}
			}
			after := txtar.Format(a)
			if string(after) == string(before) {
				continue
			}
			if err := os.WriteFile(f, after, 0o644); err != nil {
				t.Error(err)
				continue
			}
			t.Logf("%s updated:\n%s", f, diff.Diff(f+" (before)", before, f+" (after)", after))
		}
	})
	testscript.Run(t, p)
}

// unexpand is got written as the cmpenv template old would be: a line of
// got that a line of old expands to stays that line; others get the
// variables put back (see updateScripts).
func unexpand(old, got string, getenv func(string) string) string {
	same := map[string]string{}
	for _, l := range strings.SplitAfter(old, "\n") {
		same[os.Expand(l, getenv)] = l
	}
	type sub struct{ name, value string }
	var subs []sub
	for _, name := range []string{"SELF", "WORK", "OTHER", "UID", "GID"} {
		v := getenv(name)
		if _, err := strconv.Atoi(v); err == nil && len(v) < 4 {
			continue
		}
		if v != "" && !slices.ContainsFunc(subs, func(s sub) bool { return s.value == v }) {
			subs = append(subs, sub{name, v})
		}
	}
	lines := strings.SplitAfter(got, "\n")
	for i, l := range lines {
		if t, ok := same[l]; ok {
			lines[i] = t
			continue
		}
		for _, s := range subs {
			if s.name == "SELF" || s.name == "WORK" {
				l = strings.ReplaceAll(l, s.value, "$"+s.name)
				continue
			}
			l = regexp.MustCompile(`\b`+regexp.QuoteMeta(s.value)+`\b`).ReplaceAllString(l, "$$"+s.name)
		}
		lines[i] = l
	}
	return strings.Join(lines, "")
}
