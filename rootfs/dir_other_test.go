//go:build !linux

package rootfs_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

// TestDirOther pins the reader of systems other than Linux: the answers
// access.FS asks for, bare errnos for the tree, and nothing read outside
// the root.
func TestDirOther(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "home", "nonroot"), 0o755))
	must(os.Chmod(filepath.Join(root, "home", "nonroot"), 0o700))
	must(os.WriteFile(filepath.Join(root, "app"), []byte("#!/bin/sh\n"), 0o755))
	links := runtime.GOOS != "windows"
	if links {
		must(os.Symlink("/app", filepath.Join(root, "link")))
		must(os.Symlink("../../../../etc/passwd", filepath.Join(root, "out")))
	}
	d, err := rootfs.NewDir(root)
	must(err)
	defer d.Close()
	var fsys access.FS = d.Cached()

	ino, err := fsys.Lstat("/")
	if err != nil || !ino.IsDir() {
		t.Errorf("Lstat(/) = %v, %v; want a directory", ino, err)
	}
	ino, err = fsys.Lstat("/app")
	if err != nil || !ino.IsRegular() || ino.Size != 10 {
		t.Errorf("Lstat(/app) = %+v, %v; want a regular file of 10 bytes", ino, err)
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "js" && ino.Mode&0o777 != 0o755 {
		t.Errorf("Lstat(/app) mode %o, want 0755", ino.Mode&0o777)
	}
	if _, err := fsys.Lstat("/missing"); err != access.ENOENT {
		t.Errorf("Lstat(/missing) = %v, want bare ENOENT", err)
	}
	buf := make([]byte, 2)
	if n, err := fsys.ReadAt("/app", buf, 0); n != 2 || err != nil || string(buf) != "#!" {
		t.Errorf("ReadAt(/app) = %d, %v, %q; want 2, nil, #!", n, err, buf)
	}
	if _, err := fsys.ReadAt("/home", buf, 0); err != access.EISDIR {
		t.Errorf("ReadAt(/home) = %v, want EISDIR", err)
	}
	if _, err := fsys.Readlink("/app"); err != access.EINVAL {
		t.Errorf("Readlink(/app) = %v, want EINVAL", err)
	}
	if !links {
		return
	}
	if body, err := fsys.Readlink("/link"); body != "/app" || err != nil {
		t.Errorf("Readlink(/link) = %q, %v; want /app", body, err)
	}
	if _, err := fsys.ReadAt("/link", buf, 0); err != access.ELOOP {
		t.Errorf("ReadAt(/link) = %v, want ELOOP: a symlink is not followed", err)
	}
	// A name through a symlink that leaves the root is refused, never read.
	_, err = fsys.Lstat("/out/x")
	if err == nil || errors.Is(err, access.ErrUnreadable) == false && err != access.ENOENT && err != access.ENOTDIR {
		t.Errorf("Lstat(/out/x) = %v; want a refusal", err)
	}
}
