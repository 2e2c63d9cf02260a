// Command images reproduces the two incidents preexec exists for from
// container images, the way users meet them: it builds two small images
// (a distroless-like nonroot image and one with a 0744 root-owned
// entrypoint script), saves each as a docker-archive tar and an OCI image
// layout in a directory, reads them back with load.Image, which has an
// engine make the container's spec (spec.FromImage), and compares every
// runtime (preexec.Compare):
//
//  1. the nonroot image under OpenShift's restricted-v2 SCC on containerd's
//     CRI (uid 1000680000, gid 0): only runc 1.0.0-rc93 fails;
//  2. the entrypoint image run by ctr (containerd 1.6.20's default
//     capabilities, CAP_DAC_OVERRIDE among them) as uid 1000 on a kernel
//     without faccessat2 (5.4): only runc 1.1.4 and 1.1.5 fail.
//
// Given a directory it keeps the images there and prints the preexec
// command that checks each.
//
// Run it with: go run ./examples/images [DIR]
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// An entry is one file of an image's single layer.
type entry struct {
	name     string
	mode     int64
	uid, gid int
	dir      bool
	body     []byte
}

// elf is a static x86_64 program: what the checks read of a binary.
var elf = rootfs.ProbeELF(rootfs.EM_X86_64, "")

var incidents = []struct {
	title   string
	file    string
	entries []entry
	config  v1.Config
	engine  string
	flags   []string // the preexec command's flags
	scc     bool
	host    preexec.Host
}{
	{
		title: "incident 1: a distroless-like nonroot image under OpenShift's restricted-v2 SCC",
		file:  "nonroot",
		entries: []entry{
			{name: "home/", mode: 0o755, dir: true},
			{name: "home/nonroot/", mode: 0o700, uid: 65532, gid: 65532, dir: true},
			{name: "app", mode: 0o755, body: elf},
			{name: "etc/", mode: 0o755, dir: true},
			{name: "etc/passwd", mode: 0o644, body: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		},
		config: v1.Config{User: "65532", WorkingDir: "/home/nonroot", Entrypoint: []string{"/app"}},
		engine: "containerd-cri@1.6.20",
		flags:  []string{"--scc", "restricted-v2"},
		scc:    true,
	},
	{
		title: "incident 2: a 0744 root-owned entrypoint run by ctr as uid 1000 on Linux 5.4",
		file:  "entrypoint",
		entries: []entry{
			{name: "bin/", mode: 0o755, dir: true},
			{name: "bin/sh", mode: 0o755, body: elf},
			{name: "entrypoint.sh", mode: 0o744, body: []byte("#!/bin/sh\necho started\n")},
		},
		config: v1.Config{User: "1000", Entrypoint: []string{"/entrypoint.sh"}},
		engine: "containerd@1.6.20",
		flags:  []string{"--engine", "containerd@1.6.20", "--kernel", "5.4"},
		host:   preexec.Host{Kernel: access.KernelVersion(5, 4), Create: true},
	},
}

func main() {
	dir := ""
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	os.Exit(run(os.Stdout, dir))
}

func run(w io.Writer, dir string) int {
	keep := dir != ""
	if dir == "" {
		d, err := os.MkdirTemp("", "preexec-images-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, inc := range incidents {
		fmt.Fprintln(w, inc.title)
		img, err := build(inc.entries, inc.config)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		archive := filepath.Join(dir, inc.file+".tar")
		ref, _ := name.NewTag("example.test/" + inc.file + ":latest")
		if err := tarball.WriteToFile(archive, ref, img); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		lp, err := layout.Write(filepath.Join(dir, inc.file), empty.Index)
		if err == nil {
			err = lp.AppendImage(img)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		for _, path := range []string{archive, filepath.Join(dir, inc.file)} {
			groups, err := compare(path, inc.engine, inc.scc, inc.host)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			kind := "docker-archive"
			if !strings.HasSuffix(path, ".tar") {
				kind = "OCI layout"
			}
			fmt.Fprintf(w, "  %s, %s:\n", kind, inc.engine)
			for _, g := range groups {
				fmt.Fprintf(w, "    %s\n", g)
			}
		}
		if keep {
			fmt.Fprintf(w, "  try: go run ./cmd/preexec check %s %s\n", strings.Join(inc.flags, " "), archive)
		}
		fmt.Fprintln(w)
	}
	return 0
}

// compare reads the image at path, has engine make the container and
// compares every runtime: one line per outcome.
func compare(path, engine string, scc bool, host preexec.Host) ([]string, error) {
	o := &load.Options{Engine: engine}
	if scc {
		o.SCC = spec.RestrictedV2.Name // a bare container the SCC admits
	}
	c, err := load.Image(path, o)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if c.Refusal != "" {
		return nil, errors.New(c.Refusal)
	}
	eng := c.Engine
	var lines []string
	// c.On(host): engines run runc create, then runc start.
	for _, g := range preexec.Compare(c.Plan, c.FS, preexec.Runtimes(), c.On(host)).Groups {
		outcome := "start it"
		if !g.Starts {
			outcome = "fail: " + eng.Message(strings.Split(g.Runtimes[0], "@")[0], g.Error)
		}
		lines = append(lines, fmt.Sprintf("%d runtimes %s (%s)", len(g.Runtimes), outcome, span(g.Runtimes)))
	}
	return lines, nil
}

// span names a group's runtimes briefly: the versions, without toolchains.
func span(rts []string) string {
	seen := map[string]bool{}
	var vs []string
	for _, r := range rts {
		v, _, _ := strings.Cut(r, "+")
		if !seen[v] {
			seen[v] = true
			vs = append(vs, v)
		}
	}
	if len(vs) > 3 {
		return vs[0] + " … " + vs[len(vs)-1]
	}
	return strings.Join(vs, ", ")
}

// build makes a single-layer linux/amd64 image of entries with config c.
func build(entries []entry, c v1.Config) (v1.Image, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.gid, Typeflag: tar.TypeReg, Size: int64(len(e.body)), Format: tar.FormatPAX}
		if e.dir {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Config = "linux", "amd64", c
	return mutate.ConfigFile(img, cf)
}
