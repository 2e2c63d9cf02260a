package preexec_test

import (
	"fmt"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

const distrolessConfig = `{
	"ociVersion": "1.0.2",
	"root": {"path": "rootfs"},
	"process": {
		"user": {"uid": 1000680000, "gid": 0},
		"cwd": "/home/nonroot",
		"args": ["/app"],
		"env": ["PATH=/usr/bin:/bin"]
	}
}`

// The runc rc93 incident: OpenShift runs distroless static:nonroot as an
// arbitrary uid with gid 0, and rc93 changes to /home/nonroot (0700
// 65532:65532) after switching to that user.
func ExampleEvaluate() {
	plan, err := spec.Parse("config.json", []byte(distrolessConfig))
	if err != nil {
		panic(err)
	}
	fsys := rootfs.MustParseFixture(`
dir  /home/nonroot 0700 65532:65532
file /app          0755 0:0 busybox
`).Mem()
	rt, _ := preexec.LookupRuntime("runc@1.0.0-rc93")
	res := preexec.Evaluate(plan, fsys, rt, preexec.Host{})
	fmt.Println(res.Starts, res.Step)
	fmt.Println(res.Text)
	// Output:
	// false chdir
	// container_linux.go:367: starting container process caused: chdir to cwd ("/home/nonroot") set in config.json failed: permission denied
}

// Compare shows where runc rc92, rc93 and rc94 part ways on the same
// container.
func ExampleCompare() {
	plan, _ := spec.Parse("config.json", []byte(distrolessConfig))
	fsys := rootfs.MustParseFixture(`
dir  /home/nonroot 0700 65532:65532
file /app          0755 0:0 busybox
`).Mem()
	var rts []preexec.Runtime
	for _, name := range []string{"runc@1.0.0-rc92", "runc@1.0.0-rc93", "runc@1.0.0-rc94"} {
		rt, _ := preexec.LookupRuntime(name)
		rts = append(rts, rt)
	}
	c := preexec.Compare(plan, fsys, rts, preexec.Host{})
	for _, g := range c.Groups {
		fmt.Println(g.Runtimes, g.Starts, g.Step)
	}
	// Output:
	// [runc@1.0.0-rc92 runc@1.0.0-rc94] true started
	// [runc@1.0.0-rc93] false chdir
}

// Name the runtime a `runc --version` text describes: Debian's package is
// the upstream release built with Debian's Go.
func ExampleParseVersionOutput() {
	b, err := preexec.ParseVersionOutput("runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4")
	if err != nil {
		panic(err)
	}
	rt, err := preexec.RuntimeFor(b)
	fmt.Println(rt.Name, err)
	// Output: runc@1.1.5+debian <nil>
}

// A release the rows do not name is answered as the newest older one, and
// says so.
func ExampleLookupRuntime_extrapolated() {
	rt, _ := preexec.LookupRuntime("runc@1.7.0+go1.26")
	fmt.Println(rt.Extrapolated)
	// Output: runc 1.7.0 is not modelled; answered as runc 1.6.0-rc.1, the newest older release modelled
}

// What changes between runc 1.1.3 and 1.1.4, and the commit that changed it.
func ExampleChanges() {
	from, _ := preexec.LookupRuntime("runc@1.1.3+go1.19")
	to, _ := preexec.LookupRuntime("runc@1.1.4+go1.19")
	for _, c := range preexec.Changes(from, to) {
		fmt.Printf("%s: %s → %s (%s)\n", c.Field, c.From, c.To, c.Cite)
	}
	// Output: ExecCheck: none → faccessat2, else access(2) (d83a861d9 (#3541, backport of #3522): system.Eaccess after LookPath)
}

// A distribution's version is its upstream release and its own suffix.
func ExampleUpstreamVersion() {
	for _, v := range []string{"1.1.5+ds1", "1.1.12-0ubuntu3", "1.1.12-1.el9", "1.0.0~rc93+ds1"} {
		up, suffix, _ := preexec.UpstreamVersion(v)
		fmt.Println(up, suffix)
	}
	// Output:
	// 1.1.5 +ds1
	// 1.1.12 -0ubuntu3
	// 1.1.12 -1.el9
	// 1.0.0-rc93 +ds1
}

// One name no row can answer does not lose the others.
func ExampleLookupRuntimes() {
	rts, err := preexec.LookupRuntimes([]string{"runc@1.1.4+go1.19", "runc@0.1.0", "crun@1.8.1"})
	for _, rt := range rts {
		fmt.Println(rt.Name)
	}
	fmt.Println(err)
	// Output:
	// runc@1.1.4+go1.19
	// crun@1.8.1
	// unknown runtime "runc@0.1.0": runc 0.1.0 is older than every runc release modelled (1.0.0-rc92)
}
