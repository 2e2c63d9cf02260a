package preexec

import (
	"errors"
	"fmt"
	"strings"
)

// A DistroBuild is a distribution's build of a runc release that has a
// name of its own ("runc@1.1.5+debian"): its toolchain is the
// distribution's, not in the name.
type DistroBuild struct {
	// Build is the name's +build ("debian").
	Build string
	// Version is the upstream release ("1.1.5").
	Version string
	// Go is the toolchain that built the package ("1.19").
	Go string
	// Package is the package's version ("1.1.5+ds1-1+deb12u1").
	Package string
	// Marker is what the binary's version text holds that says it is this
	// distribution's build ("+ds", Debian's repacked-source suffix).
	Marker string
	// Cite says where the facts come from.
	Cite string
	// Join, if set, is the package's `runc exec` (Release.Join) where its
	// patches make it differ from the upstream release's; JoinCite says
	// why.
	Join     *JoinStyle
	JoinCite string
}

// distroBuilds are the distribution builds with a name of their own.
var distroBuilds = []DistroBuild{
	{Build: "debian", Version: "1.1.5", Go: "1.19", Package: "1.1.5+ds1-1+deb12u1", Marker: "+ds",
		Cite: "Debian bookworm's runc 1.1.5+ds1-1+deb12u1: `go version -m /usr/sbin/runc` says go1.19.8, -tags=seccomp,urfave_cli_no_docs, -trimpath",
		Join: &joinDebian115,
		JoinCite: "deb12u1's changelog: CVE-2024-21626 (\"several container breakouts due to internally leaked fds\"), the fixes of runc 1.1.12 backported: " +
			"its runc exec looks args[0] up early and checks it with system.Eaccess (the binary has no other eaccess symbol), op `eaccess`, and prints an execve error itself (the runtime oracle's goldens, testdata/runtime/exec)"},
}

// DistroBuilds returns the distribution builds of runc that have a name of
// their own, in a slice of the caller's own.
func DistroBuilds() []DistroBuild { return append([]DistroBuild(nil), distroBuilds...) }

func distroBuild(build, version string) (DistroBuild, bool) {
	for _, d := range distroBuilds {
		if d.Build == build && d.Version == version {
			return d, true
		}
	}
	return DistroBuild{}, false
}

func distroBuildNames() string {
	var names []string
	for _, d := range distroBuilds {
		names = append(names, "runc@"+d.Version+"+"+d.Build)
	}
	return strings.Join(names, ", ")
}

// BuildInfo is what a runtime binary says it is: read from the binary
// (package runtimeinfo) or from what its --version prints
// (ParseVersionOutput).
type BuildInfo struct {
	// Kind is "runc" or "crun".
	Kind string
	// Version is the version as the binary gives it: upstream ("1.1.4",
	// "1.0.0-rc93") or a distribution's ("1.1.5+ds1", "1.1.12-0ubuntu3",
	// "1.1.12-1.el9"); "" when it does not say.
	Version string
	// Commit is the commit line (runc's -X main.gitCommit, which Debian
	// sets to the package version "1.1.5+ds1-1+deb12u1"; crun's git hash);
	// "" if unknown.
	Commit string
	// Go is the toolchain that built a runc ("go1.19.8"); "" for crun or
	// when unknown.
	Go string
	// Tags are the build tags (runc's "seccomp").
	Tags []string
	// CGO is the CGO_ENABLED build setting ("1", "0"); "" if unknown.
	CGO string
	// Source says where Version was read ("the main module's version
	// v1.1.4 in the Go build information").
	Source string
}

// UpstreamVersion splits a version as a distribution spells it into the
// upstream release and the distribution's suffix: "1.1.5+ds1" → "1.1.5",
// "+ds1"; "1.1.12-0ubuntu3" → "1.1.12", "-0ubuntu3"; "1.1.12-1.el9" →
// "1.1.12", "-1.el9"; "1.0.0~rc93+ds1" → "1.0.0-rc93", "+ds1"; "v1.1.4"
// → "1.1.4", "". An -rcN after X.Y.Z is upstream's. It reports false
// when v does not start with X.Y.Z.
func UpstreamVersion(v string) (upstream, suffix string, ok bool) {
	v = strings.TrimPrefix(v, "v")
	i, dots := 0, 0
	for i < len(v) {
		c := v[i]
		if c == '.' {
			if dots == 2 || i == 0 || v[i-1] == '.' {
				break
			}
			dots++
		} else if c < '0' || c > '9' {
			break
		}
		i++
	}
	if dots != 2 || i == 0 || v[i-1] == '.' {
		return "", "", false
	}
	upstream, rest := v[:i], v[i:]
	if len(rest) > 3 && (rest[0] == '-' || rest[0] == '~') && rest[1:3] == "rc" {
		j := 3
		if j < len(rest) && rest[j] == '.' {
			j++
		}
		k := j
		for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
			k++
		}
		if k > j {
			upstream += "-" + rest[1:k]
			rest = rest[k:]
		}
	}
	return upstream, rest, true
}

// RuntimeFor returns the runtime the model answers for the binary b
// describes: runc@VERSION+goX.Y (the patch level kept where it changes the
// behaviour, runc@1.1.4+go1.20.1), a known distribution build
// (runc@1.1.5+debian), crun@VERSION. A distribution's version is answered
// as its upstream release ("1.1.12-0ubuntu3" as 1.1.12) with the binary's
// toolchain; versions and toolchains the rows do not name are extrapolated
// as LookupRuntime does. A binary that does not say its version is an
// error.
func RuntimeFor(b BuildInfo) (Runtime, error) {
	if b.Kind != "runc" && b.Kind != "crun" {
		return Runtime{}, fmt.Errorf("not runc or crun (%q)", b.Kind)
	}
	if b.Version == "" {
		return Runtime{}, fmt.Errorf("the %s binary does not say its version%s", b.Kind, sourceNote(b.Source))
	}
	up, suffix, ok := UpstreamVersion(b.Version)
	if !ok {
		return Runtime{}, fmt.Errorf("%s version %q: want X.Y.Z, with a distribution's suffix if any", b.Kind, b.Version)
	}
	if b.Kind == "crun" {
		return LookupRuntime("crun@" + up)
	}
	goV, devel := develGo(b.Go)
	if goV == "" {
		return LookupRuntime("runc@" + up)
	}
	g, err := parseGo(goV)
	if err != nil {
		return Runtime{}, fmt.Errorf("runc built with %q: %v", b.Go, err)
	}
	for _, d := range distroBuilds {
		if d.Version == up && strings.Contains(suffix+" "+b.Commit, d.Marker) && sameMinor(goV, d.Go) {
			rt, err := LookupRuntime("runc@" + up + "+" + d.Build)
			rt.Go = goV
			return rt, err
		}
	}
	rt, err := LookupRuntime("runc@" + up + "+go" + goV)
	if err != nil {
		return rt, err
	}
	if devel != "" {
		rt.Extrapolated = strings.TrimPrefix(rt.Extrapolated+"; ", "; ") + devel
	}
	if suffix == "+dev" {
		// runc's VERSION file between releases: "1.3.0+dev" is a commit
		// after 1.3.0.
		rt.Extrapolated = strings.TrimPrefix(rt.Extrapolated+"; ", "; ") + fmt.Sprintf("version %s is a development build after %s; answered as %s", b.Version, up, up)
	}
	// The name drops the patch only where every patch of the minor looks
	// paths up alike: LookupRuntime of the name is then this build (where
	// patches differ, runc@1.1.6+go1.20 names all of them: unknown).
	if !minorSplits(g) {
		rt.Name = fmt.Sprintf("runc@%s+go%d.%d", up, g.major, g.minor)
	}
	return rt, nil
}

func sameMinor(a, b string) bool {
	x, err1 := parseGo(a)
	y, err2 := parseGo(b)
	return err1 == nil && err2 == nil && x.major == y.major && x.minor == y.minor
}

func sourceNote(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// ParseVersionOutput reads what `runc --version` or `crun --version`
// prints:
//
//	runc version 1.1.4
//	commit: v1.1.4-0-g5fd4c4d1
//	spec: 1.0.2-dev
//	go: go1.19.8
//	libseccomp: 2.5.4
//
// A runc built with `go install` prints "runc version unknown" (1.0.0 …
// 1.2.x) or nothing after "version" (rc92 … rc95): its Version is then
// "", which RuntimeFor refuses; reading the binary (runtimeinfo.Read)
// finds its module version.
func ParseVersionOutput(text string) (BuildInfo, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	first, rest, _ := strings.Cut(text, "\n")
	kind, v, ok := strings.Cut(first, " version")
	if !ok || (kind != "runc" && kind != "crun") {
		return BuildInfo{}, errors.New("not the output of runc --version or crun --version: the first line must be `runc version …` or `crun version …`")
	}
	b := BuildInfo{Kind: kind, Source: "--version output"}
	v = strings.TrimSpace(v)
	// rc92 … rc95 built without -X main.version print "runc version" and
	// the spec line joined: "runc version spec: 1.0.2-dev".
	if before, after, found := strings.Cut(v, "spec:"); found {
		v = strings.TrimSpace(before)
		rest = "spec:" + after + "\n" + rest
	}
	if v != "unknown" {
		b.Version = v
	}
	for _, l := range strings.Split(rest, "\n") {
		key, val, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "commit":
			b.Commit = val
		case "go":
			b.Go = val
		}
	}
	if b.Version == "" {
		b.Source = "its --version says `" + first + "`: it was built without -X main.version (go install); give the binary's path to read its module version"
	}
	return b, nil
}
