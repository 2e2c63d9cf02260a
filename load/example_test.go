package load_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/load"
)

// Check a bundle: config.json and its root filesystem, as `runc run`
// takes them.
func Example_bundle() {
	dir := exampleBundle() // /app is 0644: no runtime can exec it
	defer os.RemoveAll(dir)

	c, err := load.Bundle(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	rt, _ := preexec.LookupRuntime("runc@1.1.12")
	res := preexec.Evaluate(c.Plan, c.FS, rt, c.Host)
	fmt.Println(res.Starts, res.Step, res.Text)
	// Output:
	// false lookpath runc run failed: unable to start container process: exec: "/app": permission denied
}

// exampleBundle writes a bundle whose entrypoint /app is not executable.
func exampleBundle() string {
	dir, err := os.MkdirTemp("", "bundle")
	if err != nil {
		log.Fatal(err)
	}
	config := `{"ociVersion": "1.0.2", "root": {"path": "rootfs"},
	"process": {"user": {"uid": 1000, "gid": 1000}, "cwd": "/", "args": ["/app"], "env": ["PATH=/bin"]}}`
	if err := os.MkdirAll(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rootfs", "app"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	// Whatever the umask: / is searchable, /app readable by everyone.
	if err := os.Chmod(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "rootfs", "app"), 0o644); err != nil {
		log.Fatal(err)
	}
	return dir
}
