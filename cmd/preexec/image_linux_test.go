package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/preexec/preexec/internal/imagebuild"
	"github.com/preexec/preexec/rootfs"
)

// The two incidents' root filesystems, for the scan tests' images
// (testdata/script/image_incidents.txtar checks them as images).
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
