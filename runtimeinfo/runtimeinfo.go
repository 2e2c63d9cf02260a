// Package runtimeinfo reads what a runc or crun binary is without running
// it, and what the running kernel is: the facts preexec.RuntimeFor and
// preexec.Host take.
//
// For runc (a Go program) it reads the Go build information
// (debug/buildinfo): the main module's version (v1.1.4 for a `go install
// github.com/opencontainers/runc@v1.1.4`), the toolchain, the build tags
// and CGO_ENABLED. A distribution builds runc outside module mode, so its
// build information has no module version: the version is then the
// `-X main.version=` of the recorded -ldflags, or, in a -trimpath build
// (which records no -ldflags, as Debian's), the string main.version and
// main.gitCommit point at (or, from runc 1.3, the VERSION file it embeds),
// found in the binary's data as a Go string header (pointer, length)
// whose text is a version. For crun (C) it is
// the string next to the "%s version %s" format crun's --version prints
// it with (crun.c:print_version).
//
// Every answer says where it was read (BuildInfo.Source); what cannot be
// read is an error, never a guess.
package runtimeinfo

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"

	"github.com/preexec/preexec"
)

// runcModule is runc's module path.
const runcModule = "github.com/opencontainers/runc"

// Read reads what the runtime binary at path is, without running it.
func Read(path string) (preexec.BuildInfo, error) {
	bi, err := buildinfo.ReadFile(path)
	if err == nil {
		return readGo(path, bi)
	}
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
		return preexec.BuildInfo{}, err
	}
	b, cerr := readCrun(path)
	if cerr == nil {
		return b, nil
	}
	return preexec.BuildInfo{}, fmt.Errorf("%s: neither a runc (Go build information: %v) nor a crun (%v)", path, err, cerr)
}

func readGo(path string, bi *buildinfo.BuildInfo) (preexec.BuildInfo, error) {
	mod := bi.Main.Path
	if mod == "" {
		mod = bi.Path
	}
	if mod != runcModule {
		return preexec.BuildInfo{}, fmt.Errorf("%s: a Go program of %q, not runc (%s)", path, mod, runcModule)
	}
	goV, _, _ := strings.Cut(bi.GoVersion, " ")
	b := preexec.BuildInfo{Kind: "runc", Go: goV}
	var ldflags string
	for _, s := range bi.Settings {
		switch s.Key {
		case "-tags":
			b.Tags = strings.Split(s.Value, ",")
		case "CGO_ENABLED":
			b.CGO = s.Value
		case "-ldflags":
			ldflags = s.Value
		}
	}
	v := bi.Main.Version
	switch {
	case v != "" && v != "(devel)" && !pseudo().MatchString(v):
		b.Version = strings.TrimSuffix(strings.TrimPrefix(v, "v"), "+dirty")
		b.Source = "the main module's version " + v + " in the Go build information"
		if strings.HasSuffix(v, "+dirty") {
			b.Source += " (built from a modified checkout)"
		}
		return b, nil
	case ldflagsX(ldflags, "main.version") != "":
		b.Version = ldflagsX(ldflags, "main.version")
		b.Commit = ldflagsX(ldflags, "main.gitCommit")
		b.Source = "-X main.version=" + b.Version + " in the -ldflags of the Go build information"
		return b, nil
	}
	strs, err := goStrings(path)
	if err != nil {
		return preexec.BuildInfo{}, fmt.Errorf("%s: runc built outside module mode (version %q); reading its data: %v", path, v, err)
	}
	switch {
	case len(strs) == 1:
		b.Version = strs[0]
	case len(strs) == 2 && strings.HasPrefix(strs[1], strs[0]+"-"):
		b.Version, b.Commit = strs[0], strs[1]
	case len(strs) == 2 && strings.HasPrefix(strs[0], strs[1]+"-"):
		b.Version, b.Commit = strs[1], strs[0]
	default:
		b.Source = fmt.Sprintf("the Go build information has no module version (%q) and no -ldflags, and the binary's data holds %d version-like strings %q, not one", v, len(strs), strs)
		return b, nil
	}
	b.Source = fmt.Sprintf("the version string %q in the binary's data (-X main.version, or the VERSION file runc ≥ 1.3 embeds; the Go build information has no module version)", b.Version)
	return b, nil
}

// pseudo matches a Go pseudo-version's tail: a build of a commit, not of
// a release. The expressions here are compiled on first use, not at
// package init.
var pseudo = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[0-9]{14}-[0-9a-f]{12}(\+dirty)?$`) })

// ldflagsX returns the value -X sym=VALUE sets in ldflags, "" if none.
func ldflagsX(ldflags, sym string) string {
	f := strings.Fields(strings.NewReplacer(`'`, " ", `"`, " ").Replace(ldflags))
	for i, a := range f {
		val := ""
		switch {
		case a == "-X" && i+1 < len(f):
			val = f[i+1]
		case strings.HasPrefix(a, "-X="):
			val = a[3:]
		default:
			continue
		}
		if v, ok := strings.CutPrefix(val, sym+"="); ok {
			return v
		}
	}
	return ""
}

// versionText is a version as a distribution or upstream spells it.
// runc 1.3 and later embed their VERSION file, which ends in a newline.
var versionText = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+~-]*\n?$`)
})

// goStrings returns the texts of the Go string headers (a pointer into
// .rodata and a length of 3 … 64) in the ELF file's writable data whose
// text is a version, in the order they are stored. -X main.version=V
// makes the variable such a header.
func goStrings(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ro := f.Section(".rodata")
	if ro == nil || f.Class != elf.ELFCLASS64 {
		return nil, errors.New("not a 64-bit ELF file with a .rodata section")
	}
	rod, err := ro.Data()
	if err != nil {
		return nil, err
	}
	order := f.ByteOrder
	var out []string
	for _, name := range []string{".data", ".noptrdata"} {
		s := f.Section(name)
		if s == nil {
			continue
		}
		d, err := s.Data()
		if err != nil {
			return nil, err
		}
		for i := 0; i+16 <= len(d); i += 8 {
			p, n := order.Uint64(d[i:]), order.Uint64(d[i+8:])
			if n < 3 || n > 64 || p < ro.Addr || p-ro.Addr > uint64(len(rod)) || uint64(len(rod))-(p-ro.Addr) < n {
				continue
			}
			str := string(rod[p-ro.Addr : p-ro.Addr+n])
			if versionText().MatchString(str) {
				out = append(out, strings.TrimSuffix(str, "\n"))
			}
		}
	}
	return out, nil
}

// crunVersion is a crun release as PACKAGE_VERSION spells it.
var crunVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+\.[0-9]+(\.[0-9]+)?$`) })

// readCrun reads a crun binary: its .rodata holds the "%s version %s"
// format of crun.c:print_version and, next to it, PACKAGE_VERSION; the
// version is the one string of the three before and three after the
// format that is a version, and anything else is an error.
func readCrun(path string) (preexec.BuildInfo, error) {
	f, err := elf.Open(path)
	if err != nil {
		return preexec.BuildInfo{}, err
	}
	defer f.Close()
	ro := f.Section(".rodata")
	if ro == nil {
		return preexec.BuildInfo{}, errors.New("no .rodata section")
	}
	rod, err := ro.Data()
	if err != nil {
		return preexec.BuildInfo{}, err
	}
	var strs []string
	for _, s := range bytes.Split(rod, []byte{0}) {
		if len(s) > 0 {
			strs = append(strs, string(s))
		}
	}
	at, crun := -1, false
	for i, s := range strs {
		switch {
		case strings.TrimSuffix(s, "\n") == "%s version %s":
			at = i
		case strings.HasPrefix(s, "crun"):
			crun = true
		}
	}
	if at < 0 || !crun {
		return preexec.BuildInfo{}, errors.New(`no "%s version %s" and "crun…" strings: not crun`)
	}
	var found []string
	for i := max(0, at-3); i < min(len(strs), at+4); i++ {
		if crunVersion().MatchString(strs[i]) {
			found = append(found, strs[i])
		}
	}
	b := preexec.BuildInfo{Kind: "crun"}
	if len(found) != 1 {
		b.Source = fmt.Sprintf("crun's .rodata has %d version strings %q next to its \"%%s version %%s\" format, not one", len(found), found)
		return b, nil
	}
	b.Version = found[0]
	b.Source = fmt.Sprintf("the string %q next to crun's \"%%s version %%s\" format in its .rodata", b.Version)
	return b, nil
}

// Kernel is what the running kernel says of itself.
type Kernel struct {
	// Release is `uname -r` ("6.1.0-18-amd64"), from
	// /proc/sys/kernel/osrelease.
	Release string
	// ProtectedSymlinks is /proc/sys/fs/protected_symlinks.
	ProtectedSymlinks bool
}

// ReadKernel reads the running kernel's release and fs.protected_symlinks
// from /proc.
func ReadKernel() (Kernel, error) {
	rel, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return Kernel{}, err
	}
	ps, err := os.ReadFile("/proc/sys/fs/protected_symlinks")
	if err != nil {
		return Kernel{}, err
	}
	k := Kernel{Release: strings.TrimSpace(string(rel))}
	switch strings.TrimSpace(string(ps)) {
	case "0":
	case "1":
		k.ProtectedSymlinks = true
	default:
		return Kernel{}, fmt.Errorf("/proc/sys/fs/protected_symlinks: want 0 or 1, got %q", ps)
	}
	return k, nil
}

// HostRuntimes returns the paths of the runc and crun that PATH names, in
// that order, leaving out those it has not.
func HostRuntimes() []string {
	var out []string
	for _, n := range []string{"runc", "crun"} {
		if p, err := exec.LookPath(n); err == nil {
			out = append(out, p)
		}
	}
	return out
}
