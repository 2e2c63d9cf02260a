// Package runtimes lists the real container runtimes installed for the
// runtime oracle by .ci/install-runtimes: runc built from its Go module at
// every covered version with Go 1.19 and with the machine's default Go,
// and at a sample of versions with Go 1.27 (runc@V+go1.27); Debian's runc
// and crun; Debian's gVisor runsc (runsc@20221219.0+debian).
//
// The script writes manifest.json beside the binaries, in the directory
// $PREEXEC_RUNTIMES (default /var/cache/preexec/runtimes):
//
//	{
//	  "format": "preexec-runtimes/1",
//	  "dir": "/var/cache/preexec/runtimes",
//	  "generated": "2026-11-23T17:42:30Z",
//	  "runtimes": [
//	    {
//	      "name": "runc@1.1.4+go1.19",
//	      "path": "/var/cache/preexec/runtimes/runc@1.1.4+go1.19",
//	      "kind": "runc",
//	      "version": "1.1.4",
//	      "go": "go1.19.8",
//	      "source": "GOTOOLCHAIN=local /usr/lib/go-1.19/bin/go install -tags seccomp github.com/opencontainers/runc@v1.1.4",
//	      "status": "ok",
//	      "error": "",
//	      "version_output": "runc version unknown\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4",
//	      "stage": "", "size": 12642184, "log": "…", "updated": "…"
//	    }, …
//	  ]
//	}
//
// Every runtime the script tried is listed, with its status: a runc version
// that cannot be go-installed (replace directives), whose tag the module
// proxy does not serve, or that does not compile with a toolchain is recorded
// with go's own error, not left out. Installed returns only the usable ones.
//
// The package reads files and the environment only; it runs nothing.
package runtimes

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/preexec/preexec/spec"
)

// DefaultDir is where .ci/install-runtimes installs the runtimes when
// PREEXEC_RUNTIMES is not set.
const DefaultDir = "/var/cache/preexec/runtimes"

// EnvDir is the environment variable naming the runtime directory.
const EnvDir = "PREEXEC_RUNTIMES"

// ManifestName is the manifest's file name inside the runtime directory.
const ManifestName = "manifest.json"

// Format is the manifest format this package reads.
const Format = "preexec-runtimes/1"

// Kinds of runtime.
const (
	// KindRunc is runc (a go-installed build or Debian's package).
	KindRunc = "runc"
	// KindCrun is crun.
	KindCrun = "crun"
	// KindRunsc is gVisor's runsc (Debian's package).
	KindRunsc = "runsc"
)

// Statuses of a runtime in the manifest.
const (
	// StatusOK: the binary is installed at Path.
	StatusOK = "ok"
	// StatusFailed: the build (or the download, or the package) failed;
	// Error has the message.
	StatusFailed = "failed"
	// StatusUnbuildable: go refuses to install the version (its go.mod has
	// replace directives); Error has go's message.
	StatusUnbuildable = "unbuildable"
	// StatusMissingTag: the module proxy does not serve the version.
	StatusMissingTag = "missing-tag"
)

// Runtime is one runtime of the manifest.
type Runtime struct {
	// Name says what the binary is: runc@1.1.4+go1.19 (version and the Go
	// that built it), runc@1.1.5+debian, crun@1.8.1.
	Name string `json:"name"`
	// Kind is KindRunc, KindCrun or KindRunsc.
	Kind string `json:"kind"`
	// Version is the upstream version without a leading v: 1.0.0-rc93, 1.1.4.
	Version string `json:"version"`
	// Go is the exact Go version that built the binary (go1.19.8), from its
	// build information, or for a failed build the toolchain that tried;
	// empty for crun.
	Go string `json:"go"`
	// Path is the absolute path of the binary (for Debian's runtimes a
	// symlink to the packaged one).
	Path string `json:"path"`
	// Status is StatusOK, StatusFailed, StatusUnbuildable or StatusMissingTag.
	Status string `json:"status"`
	// Error is the error text of a runtime that is not ok, as go (or the
	// script) printed it.
	Error string `json:"error"`
	// VersionOutput is what `<binary> --version` printed.
	VersionOutput string `json:"version_output"`
	// Source is how the binary was obtained: the go install command line, or
	// "debian package <name> <version>".
	Source string `json:"source"`
}

// manifest is the file's top level.
type manifest struct {
	Format   string    `json:"format"`
	Runtimes []Runtime `json:"runtimes"`
}

// Dir returns the runtime directory: $PREEXEC_RUNTIMES, or DefaultDir.
func Dir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	return DefaultDir
}

// Load reads dir/manifest.json and returns every runtime in it, whatever its
// status, in the order of Compare. A relative Path is taken relative to dir.
func Load(dir string) ([]Runtime, error) {
	name := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%s: format %q, want %q", name, m.Format, Format)
	}
	seen := map[string]bool{}
	for i := range m.Runtimes {
		r := &m.Runtimes[i]
		if r.Name == "" || r.Kind == "" || r.Status == "" {
			return nil, fmt.Errorf("%s: runtime %d: name, kind and status are required", name, i)
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("%s: runtime %s listed twice", name, r.Name)
		}
		seen[r.Name] = true
		if r.Path != "" && !filepath.IsAbs(r.Path) {
			r.Path = filepath.Join(dir, r.Path)
		}
	}
	Sort(m.Runtimes)
	return m.Runtimes, nil
}

// Installed returns the runtimes of Dir() whose status is ok, in the order
// of Compare.
func Installed() ([]Runtime, error) {
	all, err := Load(Dir())
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(r Runtime) bool { return r.Status != StatusOK }), nil
}

// Sort sorts runtimes in the order of Compare.
func Sort(rs []Runtime) { slices.SortStableFunc(rs, Compare) }

// Compare orders runtimes stably: runc first and crun last (other kinds in
// between, by kind); within a kind by version (1.0.0-rc92 < 1.0.0-rc93 < … <
// 1.0.0 < 1.0.1 < … < 1.6.0-rc.1); within a version the Go builds by Go
// version (+go1.19 before +go1.26), then +debian, then any other build;
// finally by name.
func Compare(a, b Runtime) int {
	if c := cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	if c := spec.CompareVersions(a.Version, b.Version); c != 0 {
		return c
	}
	ra, ga := buildRank(a)
	rb, gb := buildRank(b)
	if c := cmp.Compare(ra, rb); c != 0 {
		return c
	}
	if c := spec.CompareVersions(ga, gb); c != 0 {
		return c
	}
	return cmp.Compare(a.Name, b.Name)
}

func kindRank(k string) int {
	switch k {
	case KindRunc:
		return 0
	case KindCrun:
		return 2
	case KindRunsc:
		return 3 // gVisor last, as .ci/install-runtimes writes it
	}
	return 1
}

// buildRank ranks the build part of a name (after "+"): none or goX.Y
// first (with the Go version to order by), then debian, then others.
func buildRank(r Runtime) (int, string) {
	_, build, ok := strings.Cut(r.Name, "+")
	switch {
	case !ok:
		return 0, ""
	case strings.HasPrefix(build, "go"):
		return 0, strings.TrimPrefix(build, "go")
	case build == "debian":
		return 1, ""
	}
	return 2, build
}
