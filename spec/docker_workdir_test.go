package spec_test

import (
	"errors"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestDockerWorkdir pins what dockerd does with the working directory
// before the runtime runs (container.SetupWorkingDirectory, moby
// v20.10.24): it resolves it inside the rootfs through symlinks and makes
// what is missing, as root 0755; a symlink loop is refused at create.
// Other engines leave it to the runtime. The first two rows are the
// engine oracle's e2e_workdir_dangling_link and e2e_workdir_link_loop.
func TestDockerWorkdir(t *testing.T) {
	fsys := rootfs.MustParseFixture(`
dir /data 0700 1000:1000
symlink /w /data/w
symlink /loop /loop2
symlink /loop2 /loop
symlink /rel ../../data/r
symlink /abs /data/a
file /f 0644 0:0
`).Mem()
	docker, err := spec.LookupEngine("docker@20.10.24")
	if err != nil {
		t.Fatal(err)
	}
	podman, err := spec.LookupEngine("podman@4.3.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		name, wd string
		eng      spec.Engine
		refusal  string   // FromImage's refusal, "" if none
		made     []string // directories Prepared adds, 0755 root:root
		rule     string
	}{
		{"dangling_link", "/w", docker, "", []string{"/data/w"}, "the link's target is made, not the link"},
		{"loop", "/loop", docker, "evalSymlinksInScope: too many links in " + spec.DockerRootfs + "/loop", nil, "more than 255 components: refused at create"},
		{"relative_link_clamped", "/rel/x", docker, "", []string{"/data/r", "/data/r/x"}, "'..' stops at the root"},
		{"absolute_link_in_root", "/abs", docker, "", []string{"/data/a"}, "an absolute body is inside the root"},
		{"missing", "/new/dir", docker, "", []string{"/new", "/new/dir"}, "each missing component, as root 0755"},
		{"exists", "/data", docker, "", nil, "nothing to make"},
		{"file", "/f", docker, "Cannot mkdir: /f is not a directory", nil, "an existing non-directory"},
		{"under_file", "/f/sub", docker, "lstat " + spec.DockerRootfs + "/f/sub: not a directory", nil, "lstat's ENOTDIR below a file refuses the container"},
		{"podman_leaves_it", "/w", podman, "", nil, "podman does not reach through the link; runc's MkdirAll fails"},
	} {
		img := spec.ImageConfig{WorkingDir: r.wd, Entrypoint: []string{"/x"}}
		_, err := spec.FromImage(img, fsys, r.eng, spec.Overrides{})
		var ee *spec.EngineError
		switch {
		case r.refusal != "" && (!errors.As(err, &ee) || ee.Msg != r.refusal):
			t.Errorf("%s: FromImage = %v, want the refusal %q (%s)", r.name, err, r.refusal, r.rule)
		case r.refusal == "" && err != nil:
			t.Errorf("%s: FromImage = %v, want a spec (%s)", r.name, err, r.rule)
		}
		if r.refusal != "" {
			continue
		}
		got := spec.Prepared(img, fsys, r.eng, spec.Overrides{})
		for _, d := range r.made {
			ino, err := got.Lstat(d)
			if err != nil || ino.Mode != access.S_IFDIR|0o755 || ino.UID != 0 || ino.GID != 0 {
				t.Errorf("%s: %s = %+v, %v; want a directory 0755 0:0 (%s)", r.name, d, ino, err, r.rule)
			}
		}
		if len(r.made) == 0 && got != access.FS(fsys) {
			t.Errorf("%s: Prepared changed the rootfs (%s)", r.name, r.rule)
		}
		if ino, _ := got.Lstat("/w"); !ino.IsSymlink() {
			t.Errorf("%s: the link /w itself changed", r.name)
		}
	}
}
