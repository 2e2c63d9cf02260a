package preexec_test

import (
	"os"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/internal/runtimes"
)

// TestLookupRuntimeExtrapolates pins the rule: a release the rows do not
// name is answered from the newest older modelled release, a Go newer
// than NewestGo with NewestGo's behaviour, and both say so; only what no
// row can answer is an error.
func TestLookupRuntimeExtrapolates(t *testing.T) {
	for _, r := range []struct {
		name, asLine, extrapolated, err, rule string
	}{
		{"runc@1.1.4+go1.19", "1.1.4", "", "", "a modelled release is exact"},
		{"runc@1.1.5+debian", "1.1.4", "", "", "a known distribution build is exact"},
		{"runc@1.5.9+go1.26", "1.4.0", "runc 1.5.9 is not modelled; answered as runc 1.5.3, the newest older release modelled", "", "a newer patch: the newest older release"},
		{"runc@1.6.0", "1.4.0", "runc 1.6.0 is not modelled; answered as runc 1.6.0-rc.1, the newest older release modelled with its official binaries' Go 1.26", "", "1.6.0 final is newer than its rc"},
		{"runc@1.7.0+go1.26", "1.4.0", "runc 1.7.0 is not modelled; answered as runc 1.6.0-rc.1, the newest older release modelled", "", "a newer minor"},
		{"runc@1.2.10+go1.26", "1.2.0", "runc 1.2.10 is not modelled; answered as runc 1.2.9, the newest older release modelled", "", "1.2.10 sorts after 1.2.9, numerically"},
		{"runc@1.1.4+go1.99", "1.1.4", "Go 1.99 is newer than every toolchain modelled; answered with Go " + preexec.NewestGo() + "'s behaviour", "", "a newer Go"},
		{"runc@1.1.4+go1.26.8", "1.1.4", "", "", "a patch level of the newest Go is modelled"},
		{"crun@1.9.0", "1.8.1", "crun 1.9.0 is not modelled; answered as crun 1.8.1, the newest older release modelled", "", "crun extrapolates too"},
		{"runc@0.1.0", "", "", "older than every runc release modelled (1.0.0-rc92)", "older than every row: no row to answer"},
		{"runc@1.0.0-rc91", "", "", "older than every runc release modelled", "rc91 is older than rc92"},
		{"crun@1.8.0", "", "", "older than every crun release modelled (1.8.1)", "crun older than its only row"},
		{"runc@1.1", "", "", "runc 1.1 is a minor with 16 modelled releases (1.1.0 … 1.1.15) that the model may answer differently: name one, e.g. runc@1.1.15", "a modelled minor is ambiguous: refused, naming its releases"},
		{"runc@1.7", "1.4.0", "runc 1.7.0 (1.7 read as 1.7.0) is not modelled; answered as runc 1.6.0-rc.1, the newest older release modelled with its official binaries' Go 1.26", "", "X.Y of an unmodelled minor is X.Y.0"},
		{"crun@1.9", "1.8.1", "crun 1.9.0 (1.9 read as 1.9.0) is not modelled; answered as crun 1.8.1, the newest older release modelled", "", "crun too"},
		{"crun@1.x", "", "", "the version must be X.Y.Z or X.Y (1.8.1, 1.9)", "crun's examples are crun's"},
		{"runc@latest", "", "", "the version must be X.Y.Z", "malformed"},
		{"runc@1.1.5+ubuntu", "", "", "known distribution build (runc@1.1.5+debian)", "an unknown build"},
		{"runc@1.1.6+debian", "", "", "known distribution build", "a Debian build of another version is not known"},
		{"crun@1.8.1+go1.19", "", "", "crun takes no +build", "crun has no toolchain"},
		{"docker@1.0.0", "", "", "want runc@VERSION", "not a runtime"},
	} {
		rt, err := preexec.LookupRuntime(r.name)
		if r.err != "" {
			if err == nil || !strings.Contains(err.Error(), r.err) {
				t.Errorf("%s: error %v, want one containing %q (%s)", r.name, err, r.err, r.rule)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v (%s)", r.name, err, r.rule)
			continue
		}
		if rt.Release.Versions[0] != r.asLine || rt.Extrapolated != r.extrapolated || rt.Name != r.name {
			t.Errorf("%s: line of %s, name %s, extrapolated %q; want line of %s, %q (%s)", r.name, rt.Release.Versions[0], rt.Name, rt.Extrapolated, r.asLine, r.extrapolated, r.rule)
		}
	}
}

// TestLookupRuntimes keeps the good names when one is bad.
func TestLookupRuntimes(t *testing.T) {
	rts, err := preexec.LookupRuntimes([]string{"runc@1.1.4", "runc@0.1.0", "crun@1.8.1"})
	if len(rts) != 2 || rts[0].Name != "runc@1.1.4" || rts[1].Name != "crun@1.8.1" {
		t.Errorf("got %v, want runc@1.1.4 and crun@1.8.1", rts)
	}
	if err == nil || !strings.Contains(err.Error(), "runc@0.1.0") {
		t.Errorf("error %v, want one naming runc@0.1.0", err)
	}
}

// TestUpstreamVersion: a distribution's version is its upstream release
// and a suffix; an -rc after X.Y.Z is upstream's, Debian's ~rc too.
func TestUpstreamVersion(t *testing.T) {
	for _, r := range []struct{ in, up, suffix string }{
		{"1.1.4", "1.1.4", ""},
		{"v1.1.4", "1.1.4", ""},
		{"1.1.5+ds1", "1.1.5", "+ds1"},
		{"1.1.12-0ubuntu3", "1.1.12", "-0ubuntu3"},
		{"1.1.12-0ubuntu3~22.04.1", "1.1.12", "-0ubuntu3~22.04.1"},
		{"1.1.12-1.el9", "1.1.12", "-1.el9"},
		{"1.0.0-rc93", "1.0.0-rc93", ""},
		{"1.6.0-rc.1", "1.6.0-rc.1", ""},
		{"1.0.0~rc93+ds1", "1.0.0-rc93", "+ds1"},
		{"1.8.1", "1.8.1", ""},
	} {
		up, suffix, ok := preexec.UpstreamVersion(r.in)
		if !ok || up != r.up || suffix != r.suffix {
			t.Errorf("UpstreamVersion(%q) = %q, %q, %v; want %q, %q", r.in, up, suffix, ok, r.up, r.suffix)
		}
	}
	for _, bad := range []string{"", "1.1", "unknown", "1..1", "x1.1.1"} {
		if _, _, ok := preexec.UpstreamVersion(bad); ok {
			t.Errorf("UpstreamVersion(%q) ok, want not", bad)
		}
	}
}

// TestParseVersionOutput reads what real runtimes print for --version
// (the runtime manifest's version_output, copied here) and, where the text
// names a version, the runtime the model answers for it.
func TestParseVersionOutput(t *testing.T) {
	for _, r := range []struct {
		text, runtime, err, rule string
	}{
		{"runc version 1.1.4\ncommit: v1.1.4-0-g5fd4c4d1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4", "runc@1.1.4+go1.19", "", "an official-style build: version and Go"},
		{"runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4", "runc@1.1.5+debian", "", "Debian's package (manifest runc@1.1.5+debian)"},
		{"runc version 1.3.0\nspec: 1.2.1\ngo: go1.26.8\nlibseccomp: 2.5.4", "runc@1.3.0+go1.26", "", "runc ≥ 1.3 go-installed reads its module version (manifest runc@1.3.0+go1.26)"},
		{"runc version 1.6.0-rc.1\nspec: 1.3.0\ngo: go1.26.8\nlibseccomp: 2.5.4", "runc@1.6.0-rc.1+go1.26", "", "a release candidate (manifest)"},
		{"runc version 1.1.12-0ubuntu3\ncommit: \nspec: 1.0.2-dev\ngo: go1.21.1\nlibseccomp: 2.5.5", "runc@1.1.12+go1.21", "", "Ubuntu: the upstream release with the binary's Go"},
		{"runc version 1.1.12\ncommit: 1.1.12-1.el9\nspec: 1.0.2-dev\ngo: go1.21.7 (Red Hat 1.21.7-1.el9)\nlibseccomp: 2.5.2", "runc@1.1.12+go1.21", "", "RHEL: the go line has the vendor's words after the version"},
		{"runc version 1.1.4\ncommit: v1.1.4-0-g5fd4c4d1\nspec: 1.0.2-dev\ngo: go1.20.1\nlibseccomp: 2.5.4", "runc@1.1.4+go1.20.1", "", "the Go patch level stays in the name where it changes LookPath"},
		{"runc version 1.1.6\ngo: go1.20.5", "runc@1.1.6+go1.20.5", "", "a patch of a minor whose patches look paths up differently stays in the name, even one alike with the newest: runc@1.1.6+go1.20 names them all"},
		{"crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +YAJL", "crun@1.8.1", "", "crun (manifest crun@1.8.1)"},
		{"runc version unknown\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4", "", "does not say its version", "a go-installed runc 1.0 … 1.2 prints `version unknown` (manifest runc@1.1.4+go1.19)"},
		{"runc version spec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4", "", "does not say its version", "rc93 … rc95 go-installed print nothing after version (manifest)"},
		{"runc version spec: 1.0.2-dev", "", "does not say its version", "rc92 go-installed (manifest)"},
		{"Docker version 24.0.6", "", "not the output of runc --version", "not a runtime's"},
		{"runc version 1.1.4", "runc@1.1.4", "", "no go: line: the official binary's Go"},
		{"runc version 1.1.4\ngo: ", "runc@1.1.4", "", "an empty go: line is no go: line"},
		{"runc version 1.1.4\ngo: gox", "", "bad Go version", "a go: line that is not a version"},
		{"runc version 9\ngo: go1.19", "", "want X.Y.Z", "a version that is not one"},
		{"crun version 1.8", "", `crun version "1.8": want X.Y.Z`, "crun X.Y is not a release the rows could name"},
		{"", "", "not the output of runc --version", "nothing"},
	} {
		b, err := preexec.ParseVersionOutput(r.text)
		var rt preexec.Runtime
		if err == nil {
			rt, err = preexec.RuntimeFor(b)
		}
		if r.err != "" {
			if err == nil || !strings.Contains(err.Error(), r.err) {
				t.Errorf("%q: error %v, want %q (%s)", r.text, err, r.err, r.rule)
			}
			continue
		}
		if err != nil || rt.Name != r.runtime {
			t.Errorf("%q: %s, %v; want %s (%s)", r.text, rt.Name, err, r.runtime, r.rule)
		}
	}
}

// TestParseVersionOutputManifest reads the version_output of every
// installed runtime: each names its manifest row or says it cannot.
func TestParseVersionOutputManifest(t *testing.T) {
	installed, err := runtimes.Installed()
	if err != nil {
		if os.Getenv("PREEXEC_ORACLE") == "required" {
			t.Fatalf("PREEXEC_ORACLE=required: %v", err)
		}
		t.Skipf("no runtime manifest: %v", err)
	}
	named := 0
	for _, r := range installed {
		b, err := preexec.ParseVersionOutput(r.VersionOutput)
		if r.Kind == runtimes.KindRunsc {
			// runsc's --version ("runsc version release-…") is not read:
			// gVisor is named by --runtime runsc@VERSION.
			if err == nil {
				t.Errorf("%s: %q read as %+v; want it refused", r.Name, r.VersionOutput, b)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		rt, err := preexec.RuntimeFor(b)
		switch {
		case err != nil && b.Version == "":
			// a go-installed runc before 1.3: its text does not say
		case err != nil:
			t.Errorf("%s: %v", r.Name, err)
		case rt.Name != r.Name:
			t.Errorf("%s: %q names %s", r.Name, r.VersionOutput, rt.Name)
		default:
			named++
		}
	}
	t.Logf("%d of %d --version texts name their runtime; the others say no version", named, len(installed))
}

// TestChangesIncident: from runc 1.1.3 to 1.1.4 the one change is the
// eaccess check, citing d83a861d9; back again, the same change reversed.
func TestChangesIncident(t *testing.T) {
	a, _ := preexec.LookupRuntime("runc@1.1.3+go1.19")
	b, _ := preexec.LookupRuntime("runc@1.1.4+go1.19")
	for _, c := range [][2]preexec.Runtime{{a, b}, {b, a}} {
		ch := preexec.Changes(c[0], c[1])
		if len(ch) != 1 || ch[0].Field != "ExecCheck" || !strings.HasPrefix(ch[0].Cite, "d83a861d9") {
			t.Fatalf("Changes(%s, %s) = %+v, want the ExecCheck change citing d83a861d9", c[0].Name, c[1].Name, ch)
		}
	}
	if ch := preexec.Changes(a, b)[0]; ch.From != "none" || ch.To != "faccessat2, else access(2)" {
		t.Errorf("ExecCheck %q → %q", ch.From, ch.To)
	}
}

// TestChanges pins the walk: every row between two lines contributes its
// Cite of a field that differs; toolchain classes count; a runc and a
// crun cite nothing.
func TestChanges(t *testing.T) {
	get := func(n string) preexec.Runtime {
		rt, err := preexec.LookupRuntime(n)
		if err != nil {
			t.Fatal(err)
		}
		return rt
	}
	fields := func(ch []preexec.Change) string {
		var f []string
		for _, c := range ch {
			f = append(f, c.Field)
		}
		return strings.Join(f, ",")
	}
	for _, r := range []struct {
		from, to, fields, citeOf, cite, rule string
	}{
		{"runc@1.1.4+go1.19", "runc@1.1.4+go1.19", "", "", "", "no change"},
		{"runc@1.1.4+go1.19", "runc@1.1.5+debian", "Join", "", "", "Debian's 1.1.5 is 1.1.4's line with Go 1.19, but for runc exec (1.1.12's setns init backported)"},
		{"runc@1.1.6+go1.19", "runc@1.1.6+go1.26", "Go", "Go", "", "the toolchain's LookPath class"},
		{"runc@1.0.0-rc92", "runc@1.0.0-rc94", "Chdir,UnknownCapsFatal,LastCap,SeccompENOSYSStub,SeccompFlags,Errors,Join", "Chdir", "d869d05ab (#2712): chdir after setupUser, before the capabilities are applied; 6ce2d63a5 (#2894): chdir as root, retried after setuid on EACCES/EPERM", "both chdir changes, in release order; Go 1.14 and 1.16 share a LookPath"},
		{"runc@1.1.3+go1.19", "runc@1.2.0+go1.26", "SeccompListener,SeccompFlags,Tmpfs,EnvCheck,MountFlagWords,Unmapped,Errors,Join,Go", "Tmpfs", "9af462e4a (#3916, backport of #3912): a covered directory's mode is passed as mode= before the config's data; 3d3a2b38b (#3961, backport): syscallMode keeps the setuid, setgid and sticky bits of the covered directory's mode=", "each row between cites its step; ExecCheck came and went (none at both ends): no change"},
		{"runc@1.1.4+go1.19", "crun@1.8.1", "Chdir,CwdCreate,ExecCheck,SeccompENOSYSStub,SeccompListener,SeccompFlags,EnvCheck,MountFlagWords,User,Unmapped,RootlessGroups,Errors,Join,Tmpfs,UserNSBind,DropsDefaults", "Chdir", "", "runc to crun: no common history"},
	} {
		ch := preexec.Changes(get(r.from), get(r.to))
		got := fields(ch)
		if !sameSet(got, r.fields) {
			t.Errorf("%s → %s: fields %s, want %s (%s)", r.from, r.to, got, r.fields, r.rule)
		}
		for _, c := range ch {
			if c.Field == r.citeOf && c.Cite != r.cite {
				t.Errorf("%s → %s: %s cites %q, want %q (%s)", r.from, r.to, c.Field, c.Cite, r.cite, r.rule)
			}
		}
	}
}

func sameSet(a, b string) bool {
	m := map[string]int{}
	for _, x := range strings.Split(a, ",") {
		m[x]++
	}
	for _, x := range strings.Split(b, ",") {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

// FuzzParseVersionOutput: any text is parsed or refused, and what is
// parsed is named or refused, never a panic.
func FuzzParseVersionOutput(f *testing.F) {
	f.Add("runc version 1.1.4\ncommit: v1.1.4-0-g5fd4c4d1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4")
	f.Add("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\ngo: go1.19.8")
	f.Add("crun version 1.8.1\ncommit: f8a096be\nspec: 1.0.0")
	f.Add("runc version spec: 1.0.2-dev")
	f.Fuzz(func(t *testing.T, text string) {
		b, err := preexec.ParseVersionOutput(text)
		if err != nil {
			return
		}
		if rt, err := preexec.RuntimeFor(b); err == nil && rt.Release == nil {
			t.Fatalf("%q: a runtime without a line", text)
		}
	})
}

// FuzzLookupRuntime: any name is a runtime with a line or an error.
func FuzzLookupRuntime(f *testing.F) {
	for _, s := range []string{"runc@1.1.4+go1.19", "runc@1.7.0", "crun@1.9.0", "runc@1.0.0-rc.93+go1.99.1", "runc@1.1.5+debian", "runc@0.0.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if rt, err := preexec.LookupRuntime(name); err == nil && rt.Release == nil {
			t.Fatalf("%q: a runtime without a line", name)
		}
	})
}
