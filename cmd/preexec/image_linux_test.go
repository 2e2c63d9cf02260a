package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/preexec/preexec/internal/imagebuild"
	"github.com/preexec/preexec/rootfs"
)

// The two incidents as images (issue 7, "Done when"): what users have, run
// by the engines they use.
const (
	distrolessRootfs = `dir  /home/nonroot 0700 65532:65532
file /app 0755 0:0 busybox
file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
file /etc/group 0644 0:0 text="root:x:0:\nnonroot:x:65532:\n"
`
	entrypointRootfs = `file /bin/sh 0755 0:0 busybox
file /entrypoint.sh 0744 0:0 text="#!/bin/sh\necho started\n"
file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/:/bin/sh\n"
file /etc/group 0644 0:0 text="root:x:0:\napp:x:1000:\n"
`
)

// writeImages writes the fixture as a docker-archive and an OCI layout.
func writeImages(t *testing.T, fixture string, c imagebuild.Config) (archive, layout string) {
	t.Helper()
	f, err := rootfs.ParseFixture("image", fixture)
	if err != nil {
		t.Fatal(err)
	}
	img, err := imagebuild.Image(f, c)
	if err != nil {
		t.Skipf("cannot build the image here: %v", err)
	}
	dir := t.TempDir()
	archive, layout = filepath.Join(dir, "image.tar"), filepath.Join(dir, "layout")
	if err := imagebuild.WriteDockerArchive(archive, "preexec.test/image:latest", img); err != nil {
		t.Fatal(err)
	}
	if err := imagebuild.WriteOCILayout(layout, "latest", img); err != nil {
		t.Fatal(err)
	}
	return archive, layout
}

// failing runs check --json and returns the runtimes that do not start,
// with their messages, and the exit status.
func failing(t *testing.T, args ...string) (map[string]string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"check", "--json"}, args...), &out, &errb)
	if code == 2 {
		t.Fatalf("check %v: exit 2: %s", args, errb.String())
	}
	var doc struct {
		Results []struct {
			Runtime string
			Starts  bool
			Unknown string
			Error   string
			Message string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("check %v: %v\n%s", args, err, out.String())
	}
	fails := map[string]string{}
	for _, r := range doc.Results {
		if !r.Starts {
			fails[r.Runtime] = r.Message
		}
	}
	return fails, code
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestIncidentsFromImages(t *testing.T) {
	archive, layout := writeImages(t, distrolessRootfs, imagebuild.Config{User: "65532", WorkingDir: "/home/nonroot", Entrypoint: []string{"/app"}})
	rc93 := []string{"runc@1.0.0-rc93+go1.19", "runc@1.0.0-rc93+go1.26", "runc@1.0.0-rc93+go1.27"}
	for _, img := range []string{archive, layout} {
		for _, r := range []struct {
			name string
			args []string
			want string // a substring of rc93's message
			rule string
		}{
			{"restricted-v2 on containerd", []string{"--scc", "restricted-v2", img}, "Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: container_linux.go:367: starting container process caused: chdir to cwd (\"/home/nonroot\") set in config.json failed: permission denied: unknown",
				"GoogleContainerTools/distroless#718: OpenShift's restricted-v2 gives uid 1000680000 gid 0; only rc93 changes to cwd after setuid without capabilities"},
			{"restricted-v2 on CRI-O", []string{"--engine", "crio@1.34.0", "--scc", "restricted-v2", img}, "Error: container create failed: container_linux.go:367:",
				"incident 1 under CRI-O: the same runtimes fail"},
			{"docker --user 1000680000:0", []string{"--engine", "docker@20.10.24", "--user", "1000680000:0", img}, "docker: Error response from daemon: failed to create shim task: OCI runtime create failed: container_linux.go:367: starting container process caused: chdir to cwd (\"/home/nonroot\") set in config.json failed: permission denied: unknown.",
				"incident 1 by hand: docker run --user 1000680000:0"},
		} {
			fails, code := failing(t, r.args...)
			if got := keys(fails); code != 1 || strings.Join(got, " ") != strings.Join(rc93, " ") {
				t.Errorf("%s (%s): exit %d, failing %v, want 1 and %v", r.name, r.rule, code, got, rc93)
				continue
			}
			if !strings.Contains(fails[rc93[0]], r.want) {
				t.Errorf("%s (%s): message %q lacks %q", r.name, r.rule, fails[rc93[0]], r.want)
			}
		}
	}

	archive, layout = writeImages(t, entrypointRootfs, imagebuild.Config{User: "1000", Entrypoint: []string{"/entrypoint.sh"}})
	for _, img := range []string{archive, layout} {
		fails, code := failing(t, "--engine", "containerd@1.6.20", "--kernel", "5.4", img)
		want := []string{"runc@1.1.4+go1.19", "runc@1.1.4+go1.26", "runc@1.1.4+go1.27", "runc@1.1.5+go1.19", "runc@1.1.5+go1.26"}
		if got := keys(fails); code != 1 || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("incident 2 (ctr's default capabilities, kernel 5.4): exit %d, failing %v, want 1 and %v", code, got, want)
		} else if m := fails[want[0]]; m != "ctr: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec /entrypoint.sh: permission denied: unknown" {
			t.Errorf("incident 2: message %q", m)
		}
		if fails, code := failing(t, "--engine", "containerd@1.6.20", img); code != 0 {
			t.Errorf("incident 2 on a kernel with faccessat2: exit %d, failing %v, want every runtime to start it", code, keys(fails))
		}
	}
}

// TestInputErrors pins what check says of inputs it cannot read.
func TestInputErrors(t *testing.T) {
	dir := t.TempDir()
	gz := filepath.Join(dir, "image.tar.gz")
	os.WriteFile(gz, []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, 0o644)
	bin := filepath.Join(dir, "blob")
	os.WriteFile(bin, []byte{1, 2, 0, 3}, 0o644)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	b := bundle(t, incidentConfig())
	for _, r := range []struct {
		args []string
		want string
		rule string
	}{
		{[]string{"check", gz}, "a gzip stream: decompress it first", "a compressed save is named, not misread as a manifest"},
		{[]string{"check", bin}, "neither a tar archive nor an mtree manifest", "binary junk"},
		{[]string{"check", empty}, "neither an OCI bundle (no config.json) nor an OCI image layout (no oci-layout)", "an empty directory"},
		{[]string{"check", "--user", "1000", b}, "is an OCI bundle: its config.json is the container", "engine flags do not apply to a bundle"},
		{[]string{"check", "--engine", "docker@1.0", b}, "--engine", "an unknown engine"},
		{[]string{"check", "--scc", "anyuid", b}, "is an OCI bundle", "an SCC on a bundle"},
	} {
		var out, errb bytes.Buffer
		if code := run(r.args, &out, &errb); code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), r.want) {
			t.Errorf("%v (%s): exit %d, stdout %q, stderr %q; want 2, nothing, %q", r.args, r.rule, code, out.String(), errb.String(), r.want)
		}
	}
}

// TestImageWithoutCommandUnderCtr: ctr run hands the runtime an empty
// process.args for an image without ENTRYPOINT or CMD, and each runtime
// refuses it in its own words (held to real ctr runs by the engine
// end-to-end goldens, e2e_rand_s1_0022).
func TestImageWithoutCommandUnderCtr(t *testing.T) {
	archive, _ := writeImages(t, "dir / 0755 0:0\nfile /bin/busybox 0755 0:0 busybox\n", imagebuild.Config{})
	fails, code := failing(t, "--engine", "containerd@1.6.20", "--runtime", "runc@1.0.0-rc93", "--runtime", "runc@1.1.4+go1.19", "--runtime", "crun@1.8.1", archive)
	want := map[string]string{
		"runc@1.0.0-rc93":   "ctr: failed to create shim task: OCI runtime create failed: args must not be empty: unknown",
		"runc@1.1.4+go1.19": "ctr: failed to create shim task: OCI runtime create failed: runc create failed: args must not be empty: unknown",
		"crun@1.8.1":        "ctr: failed to create shim task: OCI runtime create failed: executable path not specified: unknown",
	}
	if code != 1 || !reflect.DeepEqual(fails, want) {
		t.Errorf("check: exit %d, failing %q; want exit 1, %q", code, fails, want)
	}
}
