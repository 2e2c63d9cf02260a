package load_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/load"
)

const manifest = "../rootfs/testdata/mtree/bsd-relative.mtree"

func write(t *testing.T, p, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKind(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "bundle", "config.json"), "{}")
	write(t, filepath.Join(dir, "layout", "oci-layout"), "{}")
	tar := make([]byte, 1024)
	copy(tar[257:], "ustar")
	write(t, filepath.Join(dir, "a.tar"), string(tar))
	write(t, filepath.Join(dir, "a.tgz"), "\x1f\x8b\x08")
	write(t, filepath.Join(dir, "a.bin"), "\x7fELF\x00")
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	for _, r := range []struct{ name, kind, err string }{
		{"bundle", load.KindBundle, ""},
		{"layout", load.KindImage, ""},
		{"a.tar", load.KindImage, ""},
		{manifest, load.KindManifest, ""},
		{"a.tgz", "", "a.tgz: a gzip stream"},
		{"a.bin", "", "a.bin: neither a tar archive nor an mtree manifest"},
		{"empty", "", "empty: neither an OCI bundle"},
		{"missing", "", "missing: no such file"},
	} {
		p := r.name
		if !strings.HasPrefix(p, "..") {
			p = filepath.Join(dir, p)
		}
		kind, err := load.Kind(p)
		if kind != r.kind || (err == nil) != (r.err == "") || err != nil && !strings.Contains(err.Error(), r.err) {
			t.Errorf("Kind(%s) = %q, %v; want %q, %q", r.name, kind, err, r.kind, r.err)
		}
	}
}

// Bad input is an error naming the file, never a panic, whatever the
// Options.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, filepath.Join(dir, "bad", "config.json"), `{"process": {"args": 1}}`)
	good := filepath.Join(dir, "good")
	write(t, filepath.Join(good, "config.json"), `{"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "process": {"cwd": "/", "args": ["/bin/sh"]}}`)
	os.MkdirAll(filepath.Join(good, "rootfs"), 0o755)
	pod := write(t, filepath.Join(dir, "pod.yaml"), "kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:\n      runAsUser: [1]\n")
	for _, r := range []struct {
		name string
		open func() (*load.Container, error)
		err  string
	}{
		{"bundle config", func() (*load.Container, error) { return load.Bundle(filepath.Dir(bad), nil) }, bad},
		{"bundle flags", func() (*load.Container, error) {
			return load.Bundle(good, &load.Options{Flags: []string{"--user", "1"}})
		}, good + " is an OCI bundle"},
		{"bundle no rootfs", func() (*load.Container, error) { return load.Bundle(dir, nil) }, filepath.Join(dir, "config.json")},
		{"engine", func() (*load.Container, error) { return load.Open(good, &load.Options{Engine: "docker@0.1"}) }, "--engine: "},
		{"image", func() (*load.Container, error) { return load.Image(pod, nil) }, pod},
		{"manifest", func() (*load.Container, error) { return load.Manifest(filepath.Join(dir, "none"), nil) }, filepath.Join(dir, "none")},
		{"manifest not mtree", func() (*load.Container, error) { return load.Manifest(bad, nil) }, bad},
		{"manifest config", func() (*load.Container, error) { return load.Manifest(manifest, &load.Options{Config: bad}) }, bad},
		{"pod file", func() (*load.Container, error) { return load.Manifest(manifest, &load.Options{PodFile: pod}) }, pod + ":6"},
		{"pod bytes", func() (*load.Container, error) {
			return load.Manifest(manifest, &load.Options{Pod: []byte("kind: Job\n"), PodFile: "job.yaml"})
		}, "job.yaml"},
		{"pod and flags", func() (*load.Container, error) {
			return load.Manifest(manifest, &load.Options{PodFile: pod, Flags: []string{"--user", "1"}})
		}, "--pod: "},
		{"container", func() (*load.Container, error) { return load.Manifest(manifest, &load.Options{Container: "a"}) }, "--container: needs --pod"},
		{"container of a bundle", func() (*load.Container, error) { return load.Bundle(dir, &load.Options{Container: "a"}) }, "--container"},
		{"container with --config", func() (*load.Container, error) {
			return load.Manifest(manifest, &load.Options{Config: good, Container: "a"})
		}, "--container"},
		{"scc", func() (*load.Container, error) { return load.Manifest(manifest, &load.Options{SCC: "anyuid"}) }, `--scc: "anyuid" is not modelled`},
		{"flags", func() (*load.Container, error) {
			return load.Manifest(manifest, &load.Options{Flags: []string{"--nope"}})
		}, "--nope"},
	} {
		c, err := r.open()
		t.Logf("%s: %v", r.name, err)
		if err == nil || !strings.Contains(err.Error(), r.err) {
			t.Errorf("%s: %v; want an error with %q", r.name, err, r.err)
		}
		if c != nil {
			t.Errorf("%s: a Container with the error", r.name)
		}
	}
}

func TestManifest(t *testing.T) {
	// An engine makes the container: Create, and what it was made from.
	c, err := load.Manifest(manifest, &load.Options{Cmd: []string{"/entrypoint.sh"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Engine == nil || c.Engine.Name != load.DefaultEngine || c.Refusal != "" || c.Plan == nil || c.FS == nil || !c.Host.Create || c.Source == nil {
		t.Fatalf("Manifest with Cmd = %+v", c)
	}
	if h := c.On(preexec.Host{Kernel: 1}); h != (preexec.Host{Kernel: 1, Create: true}) {
		t.Errorf("On = %+v", h)
	}
	rt, _ := preexec.LookupRuntime("runc@1.1.12")
	if r := preexec.Evaluate(c.Plan, c.FS, rt, c.Host); r.Runtime == "" {
		t.Errorf("Evaluate: %+v", r)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}

	// An SCC picks the CRI engine and admits a bare container.
	c, err = load.Manifest(manifest, &load.Options{SCC: "restricted-v2", Cmd: nil})
	if err != nil {
		t.Fatal(err)
	}
	if c.Engine.Name != load.DefaultCRIEngine || c.Source.SCC != "restricted-v2" || c.Source.Overrides.Kube == nil {
		t.Errorf("Manifest with SCC: engine %s, source %+v", c.Engine.Name, c.Source)
	}

	// With a config.json that is the container: no engine unless named.
	cfg := write(t, filepath.Join(t.TempDir(), "config.json"), `{"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "process": {"cwd": "/", "args": ["/entrypoint.sh"]}}`)
	c, err = load.Manifest(manifest, &load.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if c.Engine != nil || c.Source != nil || c.Host.Create || c.Plan == nil {
		t.Errorf("Manifest with Config = %+v", c)
	}
	var nilc *load.Container
	if err := nilc.Close(); err != nil {
		t.Error(err)
	}
}

// An engine that refuses the container is a Refusal, not an error.
func TestRefusal(t *testing.T) {
	c, err := load.Manifest(manifest, nil) // no ENTRYPOINT, no CMD
	if err != nil {
		t.Fatal(err)
	}
	if c.Refusal == "" || c.Plan != nil {
		t.Errorf("Manifest without a command: Refusal %q, Plan %v; want the engine's refusal", c.Refusal, c.Plan)
	}
}

func TestOverridesAdmit(t *testing.T) {
	ov, err := load.Overrides(&load.Options{Pod: []byte("kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:\n      runAsUser: 0\n")})
	if err != nil || ov.Kube == nil {
		t.Fatalf("Overrides(pod) = %+v, %v", ov, err)
	}
	if _, err := load.Admit(ov, "restricted-v2"); err == nil || !strings.HasPrefix(err.Error(), "--scc restricted-v2: ") {
		t.Errorf("Admit(runAsUser 0, restricted-v2) = %v; want the SCC's refusal", err)
	}
	if _, err := load.Overrides(nil); err != nil {
		t.Errorf("Overrides(nil) = %v", err)
	}
}
