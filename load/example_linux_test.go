package load_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/internal/imagebuild"
	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
)

// Check an image as `docker run --user 1000 IMAGE` runs it, on a host
// whose kernel predates faccessat2: runc 1.1.4's check of the entrypoint,
// a 0744 script of root's, refuses what the kernel's execve allows (docker
// gives the container CAP_DAC_OVERRIDE).
func Example_image() {
	archive := exampleImage() // what `docker save` writes
	defer os.RemoveAll(filepath.Dir(archive))

	c, err := load.Image(archive, &load.Options{Engine: "docker@20.10.24", Flags: []string{"--user", "1000"}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	host, _ := preexec.HostFor("5.4.0-150-generic") // uname -r
	rt, _ := preexec.LookupRuntime("runc@1.1.4")
	res := preexec.Evaluate(c.Plan, c.FS, rt, c.On(host)) // c.Refusal != "": the engine refused it
	fmt.Println(res.Step, res.Text)
	// Output:
	// eaccess runc create failed: unable to start container process: exec /entrypoint.sh: permission denied
}

// exampleImage writes a docker-archive of an image whose entrypoint is
// /entrypoint.sh, 0744 root:root.
func exampleImage() string {
	f := rootfs.MustParseFixture(`
file /bin/sh         0755 0:0 elf
file /entrypoint.sh  0744 0:0 script=/bin/sh
`)
	img, err := imagebuild.Image(f, imagebuild.Config{Entrypoint: []string{"/entrypoint.sh"}})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "image")
	if err != nil {
		log.Fatal(err)
	}
	archive := filepath.Join(dir, "image.tar")
	if err := imagebuild.WriteDockerArchive(archive, "preexec.test/entrypoint:latest", img); err != nil {
		log.Fatal(err)
	}
	return archive
}
