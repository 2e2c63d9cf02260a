package spec_test

import (
	"fmt"

	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// Incident 1: a distroless-like nonroot image run under OpenShift's
// restricted-v2 SCC. CRI-O resolves the arbitrary uid, absent from
// /etc/passwd, to gid 0; the 0700 home it must chdir into belongs to
// 65532. The same credentials come from `docker run --user 1000680000:0`.
func ExampleFromImage_restrictedV2() {
	fsys := rootfs.MustParseFixture(`
dir / 0755 0:0
dir /home/nonroot 0700 65532:65532
file /app 0755 0:0 text="x"
file /etc/passwd 0644 0:0 text="root:x:0:0::/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n"
`).Mem()
	img := spec.ImageConfig{User: "nonroot", WorkingDir: "/home/nonroot", Entrypoint: []string{"/app"}}

	ov, _ := spec.ParsePod("pod.yaml", []byte("kind: Pod\nspec:\n  containers:\n  - name: app\n"), "")
	k := spec.RestrictedV2.Admit(*ov.Kube)
	ov.Kube = &k
	crio, _ := spec.LookupEngine("crio@1.34.0")
	s, _ := spec.FromImage(img, fsys, crio, ov)
	u := s.Process.User
	fmt.Println("crio:", u.UID, u.GID, u.AdditionalGids, s.Process.Cwd, s.Process.NoNewPrivileges, len(s.Process.Capabilities.Effective))

	flags, _ := spec.ParseOverrides([]string{"--user", "1000680000:0"})
	docker, _ := spec.LookupEngine("docker@20.10.24")
	s, _ = spec.FromImage(img, fsys, docker, flags)
	u = s.Process.User
	fmt.Println("docker:", u.UID, u.GID, u.AdditionalGids, s.Process.Cwd, len(s.Process.Capabilities.Effective))
	// Output:
	// crio: 1000680000 0 [0 1000680000] /home/nonroot true 0
	// docker: 1000680000 0 [0] /home/nonroot 0
}

// Incident 2's engine side: the same non-root user gets containerd's
// default capabilities in its effective set (so CAP_DAC_OVERRIDE lets
// execve run a 0744 root:root entrypoint), podman 4.3's none.
func ExampleFromImage_capabilitiesByEngine() {
	fsys := rootfs.MustParseFixture(`
dir / 0755 0:0
file /entrypoint.sh 0744 0:0 text="#!/bin/sh\n"
file /etc/passwd 0644 0:0 text="root:x:0:0::/root:/bin/sh\ntestuser:x:1000:1000::/home/testuser:/bin/sh\n"
`).Mem()
	img := spec.ImageConfig{User: "testuser", Entrypoint: []string{"/entrypoint.sh"}}
	for _, name := range []string{"containerd@1.6.20", "podman@4.3.1", "docker@20.10.24", "docker@24.0.6"} {
		eng, _ := spec.LookupEngine(name)
		s, _ := spec.FromImage(img, fsys, eng, spec.Overrides{})
		c := s.Process.Capabilities
		fmt.Printf("%s: effective %d, bounding %d\n", name, len(c.Effective), len(c.Bounding))
	}
	// Output:
	// containerd@1.6.20: effective 14, bounding 14
	// podman@4.3.1: effective 0, bounding 11
	// docker@20.10.24: effective 0, bounding 14
	// docker@24.0.6: effective 14, bounding 14
}

// An engine wraps the runtime's error in its own words.
func ExampleEngine_Message() {
	msg := `runc create failed: unable to start container process: exec: "/entrypoint.sh": permission denied`
	for _, name := range []string{"docker@20.10.24", "podman@4.3.1"} {
		eng, _ := spec.LookupEngine(name)
		fmt.Println(eng.Message("runc", msg))
	}
	// Output:
	// docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/entrypoint.sh": permission denied: unknown.
	// Error: runc: runc create failed: unable to start container process: exec: "/entrypoint.sh": permission denied: OCI permission denied
}
