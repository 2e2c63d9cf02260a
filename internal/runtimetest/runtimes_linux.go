//go:build linux

package runtimetest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/preexec/preexec/internal/runtimes"
)

// Installed lists the runtimes on this host, sorted by name: those of
// internal/runtimes.Installed (manifest.json in RuntimesDir, written by
// .ci/install-runtimes), with Version the first line of the --version
// output the manifest recorded. Without a manifest (the installer has not
// finished, or never ran) it falls back to the binaries named KIND@VERSION
// in RuntimesDir and Debian's /usr/sbin/runc, /usr/bin/crun and
// /usr/bin/runsc, named as the installer names them (runc@1.1.5+debian,
// crun@1.8.1, runsc@20221219.0+debian), running each
// --version once.
func Installed() ([]Runtime, error) {
	rs, err := runtimes.Installed()
	if errors.Is(err, fs.ErrNotExist) {
		return scanInstalled()
	}
	if err != nil {
		return nil, err
	}
	out := make([]Runtime, 0, len(rs))
	for _, r := range rs {
		out = append(out, Runtime{
			Name:    r.Name,
			Kind:    r.Kind,
			Path:    r.Path,
			Release: r.Version,
			Go:      r.Go,
			Version: firstLine(r.VersionOutput),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Debian's packaged runtimes, used when RuntimesDir does not list them.
var debianRuntimes = []struct{ kind, path string }{
	{"runc", "/usr/sbin/runc"},
	{"crun", "/usr/bin/crun"},
	{"runsc", "/usr/bin/runsc"},
}

var (
	binaryName  = regexp.MustCompile(`^(runc|crun|runsc)@([0-9A-Za-z.~_-]+)(\+[0-9A-Za-z.+]+)?$`)
	versionLine = regexp.MustCompile(`(?m)^(?:runc|crun|runsc) version ([0-9A-Za-z.~_-]+)`)
	goLine      = regexp.MustCompile(`(?m)^go: (go\S+)`)
)

func scanInstalled() ([]Runtime, error) {
	dir := RuntimesDir()
	byName := map[string]Runtime{}
	listed := map[string]bool{}
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, e := range ents {
		m := binaryName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			continue
		}
		if st, err := os.Stat(real); err != nil || st.Mode()&0o111 == 0 {
			continue
		}
		rt := Runtime{Name: e.Name(), Kind: m[1], Path: p, Release: m[2]}
		if err := rt.readVersion(); err != nil {
			return nil, err
		}
		byName[rt.Name] = rt
		listed[real] = true
	}
	for _, d := range debianRuntimes {
		real, err := filepath.EvalSymlinks(d.path)
		if err != nil || listed[real] {
			continue
		}
		rt := Runtime{Kind: d.kind, Path: d.path}
		if err := rt.readVersion(); err != nil {
			return nil, err
		}
		rt.Release = "unknown"
		if m := versionLine.FindStringSubmatch(rt.Version); m != nil {
			rt.Release = m[1]
		}
		if rt.Kind == "runsc" {
			// Debian's 0.0~20221219.0 is gVisor's release-20221219.0.
			rt.Release = strings.TrimPrefix(rt.Release, "0.0~")
		}
		rt.Name = rt.Kind + "@" + rt.Release
		if rt.Kind == "runc" || rt.Kind == "runsc" {
			rt.Name += "+debian"
		}
		byName[rt.Name] = rt
	}
	out := make([]Runtime, 0, len(byName))
	for _, rt := range byName {
		out = append(out, rt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// readVersion runs `PATH --version` and fills Version (its first line) and
// Go (its "go:" line).
func (rt *Runtime) readVersion() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, rt.Path, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %w", rt.Path, err)
	}
	rt.Version = firstLine(string(out))
	if m := goLine.FindSubmatch(out); m != nil {
		rt.Go = string(m[1])
	}
	return nil
}

func firstLine(s string) string {
	sc := bufio.NewScanner(bytes.NewReader([]byte(s)))
	if sc.Scan() {
		return strings.TrimSpace(sc.Text())
	}
	return ""
}
