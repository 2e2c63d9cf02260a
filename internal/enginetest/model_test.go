package enginetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// TestEngineModel holds spec.FromImage to the goldens recorded from the
// real engines (testdata/engine): for every case and engine, the model's
// spec, projected as the golden is (Project), must equal the engine's, or
// the model's refusal, printed as the engine's command printed it, must
// equal the engine's stderr. It runs unprivileged. It ends with
//
//	engine-model: <N> cases x <engines>, <M> disagreements
func TestEngineModel(t *testing.T) {
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	if d := os.Getenv("PREEXEC_ENGINE_GOLDENS"); d != "" {
		dir = d // another golden set, such as one being recorded
	}
	g, err := LoadGoldens(dir)
	if err != nil {
		t.Fatal(err)
	}
	all := g.All()
	if len(all) == 0 {
		t.Skipf("no engine goldens in %s yet (recorded by internal/enginetest/cmd/record)", dir)
	}
	var disagreements, compared, skipped int
	for _, gc := range all {
		c := gc.Case
		for _, name := range EngineNames {
			out, ok := gc.Outcomes[name]
			if !ok || out.Skip != "" {
				skipped++
				continue
			}
			compared++
			if diff := modelDiff(&c, name, out); diff != "" {
				disagreements++
				t.Errorf("%s on %s (%s):\n%s", c.Name, name, c.Rule, diff)
			}
		}
	}
	t.Logf("engine-model: %d cases x %d engines (%d outcomes compared, %d skipped by the engine), %d disagreements",
		len(all), len(EngineNames), compared, skipped, disagreements)
	fmt.Printf("engine-model: %d cases x %s, %d disagreements\n", len(all), strings.Join(EngineNames, " "), disagreements)
}

// recordingBounding is the capability bounding set of the machine the
// goldens were recorded on (CapBnd 000001fffeffffff in /proc/self/status:
// every capability of Linux 6.18 but CAP_SYS_RESOURCE). header.json does
// not record it; podman's --cap-add ALL and its filter of every list
// depend on it (spec.Engine.HostBounding), and so does the capset of the
// runtimes the end-to-end runs start (preexec.Host.Bounding).
var recordingBounding = caps.Set(0x1fffeffffff)

// mountDir is the random directory ctr's WithUser mounts the snapshot on;
// it is in ctr's text but not normalised by the recorder.
var mountDir = regexp.MustCompile(`/tmp/containerd-mount[0-9]+`)

// modelDiff runs the model on c for engine and returns how it differs from
// the recorded outcome, "" when it does not.
func modelDiff(c *Case, engine string, want Outcome) string {
	eng, err := spec.LookupEngine(engine)
	if err != nil {
		return err.Error()
	}
	return modelDiffEngine(c, eng, want)
}

// modelDiffEngine is modelDiff for the row eng (a copy with Rootless set,
// for the rootless podman).
func modelDiffEngine(c *Case, eng spec.Engine, want Outcome) string {
	fx, err := rootfs.ParseFixture(c.Name, c.Rootfs)
	if err != nil {
		return err.Error()
	}
	ov, err := spec.ParseOverrides(c.Flags)
	if err != nil {
		return "ParseOverrides: " + err.Error()
	}
	if c.usesProfile() {
		ov.SeccompFile = profileFile(c)
	}
	img := c.Image
	eng.HostBounding = recordingBounding
	s, err := spec.FromImage(img, fx.Mem(), eng, ov)
	if want.Error != "" {
		if err == nil {
			return fmt.Sprintf("model starts, engine refused:\n%s", want.Error)
		}
		got := printedRefusal(eng, c, err)
		w := mountDir.ReplaceAllString(want.Error, "$$MOUNT")
		if got != w {
			return fmt.Sprintf("refusal text:\n-want %q\n+got  %q", w, got)
		}
		return ""
	}
	if err != nil {
		return fmt.Sprintf("model refused (%v), engine wrote a spec", err)
	}
	got := ProjectCase(c, s)
	// Project is idempotent; goldens recorded before it sorted podman's
	// map-ordered env and mounts compare the same way.
	w := *ProjectCase(c, want.Spec)
	// The engines' own mounts (/proc, /dev, hostname, resolv.conf…) are
	// not the model's. The flags' mounts come after the engine's own at a
	// destination (ctr keeps its /run when --mount adds another): compare,
	// per destination the model writes, the golden's last mounts there.
	n := map[string]int{}
	for _, m := range got.Mounts {
		n[m.Destination]++
	}
	for _, t := range ov.Tmpfs {
		n[t.Destination] += 0
	}
	for _, v := range ov.Volumes {
		n[v.Destination] += 0
	}
	var wm []specs.Mount
	for i, m := range w.Mounts {
		k, asked := n[m.Destination]
		if !asked {
			continue
		}
		later := 0
		for _, m2 := range w.Mounts[i+1:] {
			if m2.Destination == m.Destination {
				later++
			}
		}
		if later < k || k == 0 {
			wm = append(wm, m)
		}
	}
	w.Mounts = wm
	// libcontainer/user.GetAdditionalGroups collects --group-add in a map:
	// with two or more the engine's order is random; compare them as sets.
	if len(ov.GroupAdd) > 1 && (eng.Family == spec.Docker || eng.Family == spec.Podman) && got.Process != nil && w.Process != nil {
		wp := *w.Process
		wp.User.AdditionalGids = slices.Sorted(slices.Values(wp.User.AdditionalGids))
		w.Process = &wp
		got.Process.User.AdditionalGids = slices.Sorted(slices.Values(got.Process.User.AdditionalGids))
	}
	if got.Process != nil {
		for i, e := range got.Process.Env {
			if e == "HOSTNAME=" {
				got.Process.Env[i] = "HOSTNAME=$HOSTNAME"
			}
		}
		slices.Sort(got.Process.Env)
	}
	return cmp.Diff(&w, got, cmp.Comparer(func(a, b []string) bool {
		return slices.Equal(a, b) || (len(a) == 0 && len(b) == 0)
	}), cmp.Comparer(func(a, b []uint32) bool {
		return slices.Equal(a, b) || (len(a) == 0 && len(b) == 0)
	}))
}

// printedRefusal is the model's refusal as the command the recorder ran
// printed it: `docker create` prints its own refusal (a seccomp profile it
// cannot read) as "docker: MSG." and "See 'docker create --help'.", the
// daemon's error as "Error response from daemon: MSG" and, for an error at start, `docker start` adds
// "Error: failed to start containers: NAME" (docker/cli
// cli/command/container/start.go@v20.10.24); podman and ctr print what
// Engine.Refusal renders.
func printedRefusal(eng spec.Engine, c *Case, err error) string {
	var ee *spec.EngineError
	msg := err.Error()
	switch eng.Family {
	case spec.Docker:
		if errors.As(err, &ee) && ee.CLI {
			// The CLI's own refusal, before it asks the daemon
			// (reportError(…, "create", …, true)).
			return "docker: " + strings.TrimSuffix(msg, ".") + ".\nSee 'docker create --help'."
		}
		s := "Error response from daemon: " + msg
		if errors.As(err, &ee) && !ee.Create {
			s += "\nError: failed to start containers: " + ContainerName(c)
		}
		return s
	}
	return eng.Refusal(err)
}

// TestEngineModelCoversEveryEngine checks that every engine the goldens
// name has a model row.
func TestEngineModelCoversEveryEngine(t *testing.T) {
	var names []string
	for _, n := range EngineNames {
		if _, err := spec.LookupEngine(n); err != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) > 0 {
		t.Errorf("engines without a model row: %v", names)
	}
}

// TestIncidentsThroughEngines runs the two design incidents from an image
// through spec.FromImage, spec.Parse and preexec.Compare over every runc
// the model knows: the whole pipeline `preexec check --engine` composes.
//
//  1. docker run --user 1000680000:0 on a distroless-like nonroot image
//     (WORKDIR /home/nonroot 0700 65532:65532) fails on runc rc93 only
//     (the runtime oracle's curated case
//     rc93_chdir_distroless_nonroot_home_openshift_uid), and
//     Docker prints rc93's error in its own wrapping.
//  2. The 0744 root:root entrypoint run as a non-root user with
//     --cap-add DAC_OVERRIDE: under Docker 20.10 the user gets no
//     effective capabilities, so execve itself fails on every runc; under
//     Docker 24.0.6 with it, and under containerd's ctr with its default
//     capabilities, only runc 1.1.4/1.1.5's access(2) fallback, on a
//     kernel without faccessat2, fails.
func TestIncidentsThroughEngines(t *testing.T) {
	distroless := rootfs.MustParseFixture("dir / 0755 0:0\nfile /bin/busybox 0755 0:0 busybox\nsymlink /bin/echo busybox\n" +
		"dir /home/nonroot 0700 65532:65532\n" +
		`file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"` + "\n").Mem()
	img := spec.ImageConfig{User: "65532", WorkingDir: "/home/nonroot", Entrypoint: []string{"/bin/echo", "hi"}}
	ov, err := spec.ParseOverrides([]string{"--user", "1000680000:0"})
	if err != nil {
		t.Fatal(err)
	}
	docker, _ := spec.LookupEngine("docker@20.10.24")
	failing := failingRuncs(t, img, distroless, docker, ov, preexec.Host{})
	if len(failing) == 0 {
		t.Fatal("incident 1: no runc fails")
	}
	for name, res := range failing {
		if !strings.Contains(name, "rc93") {
			t.Errorf("incident 1: %s fails (%s); only rc93 should", name, res.Text)
		}
	}
	for name, res := range failing {
		t.Logf("incident 1 on %s: %s", name, docker.Message("runc", res.Text))
	}

	script := rootfs.MustParseFixture("dir / 0755 0:0\nfile /bin/busybox 0755 0:0 busybox\nsymlink /bin/sh busybox\n" +
		`file /entrypoint.sh 0744 0:0 text="#!/bin/sh\necho hi\n"` + "\n" +
		`file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n"` + "\n").Mem()
	img2 := spec.ImageConfig{User: "alice", Entrypoint: []string{"/entrypoint.sh"}}
	ov2, _ := spec.ParseOverrides([]string{"--cap-add", "DAC_OVERRIDE"})
	noF2 := preexec.Host{Kernel: access.KernelVersion(5, 4)}
	all := len(runcs(t))
	if n := len(failingRuncs(t, img2, script, docker, ov2, noF2)); n != all {
		t.Errorf("incident 2 on docker@20.10.24: %d of %d runc fail; a non-root user has no effective capabilities there, so all should", n, all)
	}
	d24, _ := spec.LookupEngine("docker@24.0.6")
	ctr, _ := spec.LookupEngine("containerd@1.6.20")
	for _, c := range []struct {
		eng spec.Engine
		ov  spec.Overrides
	}{{d24, ov2}, {ctr, spec.Overrides{}}} {
		failing := failingRuncs(t, img2, script, c.eng, c.ov, noF2)
		if len(failing) == 0 {
			t.Errorf("incident 2 on %s: no runc fails; 1.1.4/1.1.5 should", c.eng.Name)
		}
		for name := range failing {
			if !strings.Contains(name, "1.1.4") && !strings.Contains(name, "1.1.5") {
				t.Errorf("incident 2 on %s: %s fails; only runc 1.1.4/1.1.5 should", c.eng.Name, name)
			}
		}
	}
}

func runcs(t *testing.T) []preexec.Runtime {
	var out []preexec.Runtime
	for _, rt := range preexec.Runtimes() {
		if strings.HasPrefix(rt.Name, "runc@") {
			out = append(out, rt)
		}
	}
	return out
}

// failingRuncs returns the runc runtimes that do not start the container
// the engine makes of img with ov, by name.
func failingRuncs(t *testing.T, img spec.ImageConfig, fsys access.FS, eng spec.Engine, ov spec.Overrides, host preexec.Host) map[string]preexec.Result {
	t.Helper()
	s, err := spec.FromImage(img, fsys, eng, ov)
	if err != nil {
		t.Fatalf("%s: %v", eng.Name, err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := spec.Parse("config.json", b)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]preexec.Result{}
	for _, rt := range runcs(t) {
		if r := preexec.Evaluate(plan, fsys, rt, host); !r.Starts && r.Unknown == "" {
			out[rt.Name] = r
		}
	}
	return out
}

// TestEngineE2EModel holds the whole pipeline to the end-to-end goldens
// (testdata/engine/e2e): for each docker run, podman run and ctr run of an
// image on one runc, spec.FromImage makes the spec, preexec.Evaluate
// predicts that runc, and the prediction must match what the engine
// printed:
//
//  1. starts ⇔ exit status 0;
//  2. the model's Phase decides how the engine shows a failure
//     (Engine.Failure), and both the text and the exit status must be
//     the engine's: a failure at create is the engine's error around the
//     runtime's (docker and podman exit 126, ctr 1 with "ctr: ",
//     containerd's CRI 128 with the kubelet's event): Docker and ctr take
//     the last "error" line of runc's log (containerd's
//     getLastRuntimeError, pkg/process/init.go@v1.6.20); podman, which
//     runs each build through a link named runc as users have it, the
//     msg of runc's JSON log, and names the runtime by its path
//     ($RUNTIMES/NAME/runc); a failure after the start is the
//     container's own output and exit status, passed through.
//
// Runs the engines skipped (crun; for ctr, a case with --user) are left
// out. It ends with
//
//	engine-e2e-model: <runs> runs, <M> disagreements (<engine> <runs>, …)
func TestEngineE2EModel(t *testing.T) {
	dir, err := FindGoldenDir()
	if err != nil {
		t.Fatal(err)
	}
	if d := os.Getenv("PREEXEC_ENGINE_GOLDENS"); d != "" {
		dir = d // another golden set, such as images never seen before
	}
	goldens, err := LoadE2E(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) == 0 {
		t.Skipf("no end-to-end goldens in %s/e2e yet", dir)
	}
	names := make([]string, 0, len(goldens))
	for n := range goldens {
		names = append(names, n)
	}
	sort.Strings(names)
	runs, disagree := 0, 0
	perEngine := map[string]int{}
	phases := map[string]int{}
	for _, n := range names {
		g := goldens[n]
		fsys := rootfs.MustParseFixture(g.Case.Rootfs).Mem()
		for _, engName := range E2EEngines {
			eng, err := spec.LookupEngine(engName)
			if err != nil {
				t.Fatal(err)
			}
			eng.HostBounding = recordingBounding
			rtNames := make([]string, 0, len(g.Runs[engName]))
			for rn := range g.Runs[engName] {
				rtNames = append(rtNames, rn)
			}
			sort.Strings(rtNames)
			for _, rn := range rtNames {
				run := g.Runs[engName][rn]
				if run.Skip != "" {
					continue
				}
				runs++
				perEngine[engName]++
				d, phase := e2eDiff(&g.Case, fsys, eng, rn, run)
				phases[phase]++
				if d != "" {
					disagree++
					t.Errorf("%s, %s on %s: %s", g.Case.Name, engName, rn, d)
				}
			}
		}
	}
	var by []string
	for _, e := range E2EEngines {
		by = append(by, fmt.Sprintf("%s %d", e, perEngine[e]))
	}
	t.Logf("engine-e2e-model: %d end-to-end runs, %d disagreements (%s; phases: started %d, engine refusal %d, create %d, after-start %d)",
		runs, disagree, strings.Join(by, ", "), phases["started"], phases["refusal"], phases[string(preexec.PhaseCreate)], phases[string(preexec.PhaseAfterStart)])
}

// e2eDiff predicts one end-to-end run and says how it differs from what
// was recorded, "" when it does not.
//
// It also returns the phase of the prediction: "started", "refusal" (the
// engine refuses before any runtime runs), or the result's Phase.
func e2eDiff(c *Case, fsys access.FS, eng spec.Engine, rtName string, run E2ERun) (string, string) {
	flags, runtimeArg := runFlags(c, rtName, run)
	ov, err := spec.ParseOverrides(flags)
	if err != nil {
		return err.Error(), ""
	}
	s, err := spec.FromImage(c.Image, fsys, eng, ov)
	if err != nil {
		// dockerd names the rootfs it mounted; the recorder, its data root.
		run.Stderr = strings.ReplaceAll(run.Stderr, "$ENGINE/root/overlay2/", "/var/lib/docker/overlay2/")
		run.Stderr = strings.ReplaceAll(run.Stderr, "$ENGINE/root/overlay/", "/var/lib/containers/storage/overlay/")
		if run.Stderr != eng.Refusal(err) {
			return fmt.Sprintf("refusal:\n-want %q\n+got  %q", run.Stderr, eng.Refusal(err)), "refusal"
		}
		return "", "refusal"
	}
	// The engine's spec as the CLI reads it (an empty process.args, which
	// ctr passes on, is the runtime's to refuse).
	plan, err := spec.FromSpec("config.json", s)
	if err != nil {
		return err.Error(), ""
	}
	// The rootfs as the engine leaves it for the runtime (dockerd makes a
	// missing WORKDIR).
	fsys = spec.Prepared(c.Image, fsys, eng, ov)
	rt, err := preexec.LookupRuntime(rtName)
	if err != nil {
		return err.Error(), ""
	}
	// Engines create, then start: runc says "runc create failed:".
	r := preexec.Evaluate(plan, fsys, rt, preexec.Host{Create: true, Bounding: recordingBounding})
	switch {
	case r.Unknown != "":
		return "model cannot tell: " + r.Unknown, ""
	case r.Starts != (run.Exit == 0):
		return fmt.Sprintf("model starts=%v (%s), engine exit %d: %s", r.Starts, r.Text, run.Exit, run.Stderr), string(r.Phase)
	case r.Starts:
		return "", "started"
	}
	shown := eng.Failure(runtimeArg, r.Text, r.Phase == preexec.PhaseAfterStart, r.ExitStatus)
	if shown.Text != run.Stderr || shown.Exit != run.Exit {
		return fmt.Sprintf("%s (phase %s):\n-want exit %d %q\n+got  exit %d %q", r.Step, r.Phase, run.Exit, run.Stderr, shown.Exit, shown.Text), string(r.Phase)
	}
	return "", string(r.Phase)
}

// profileFile is the seccomp profile of case c as load reads it: its
// content, or, without one, the missing file the engine's os.ReadFile
// opens.
func profileFile(c *Case) *spec.SeccompFile {
	if c.SeccompProfile == nil {
		return &spec.SeccompFile{Err: &fs.PathError{Op: "open", Path: ProfilePath, Err: syscall.ENOENT}}
	}
	return &spec.SeccompFile{Data: []byte(*c.SeccompProfile)}
}

// runFlags are the flags a run of case c gave the engine as the model
// reads them — c's, after the --security-opt the harness added — and the
// runtime as the engine names it (--runtime's value; rtName without one).
func runFlags(c *Case, rtName string, run E2ERun) (flags []string, runtimeArg string) {
	flags = append([]string{}, c.Flags...)
	runtimeArg = rtName
	for i := 0; i+1 < len(run.Flags); i++ {
		switch {
		case run.Flags[i] == "--security-opt" && !slices.Contains(c.Flags, run.Flags[i+1]):
			flags = append([]string{run.Flags[i], run.Flags[i+1]}, flags...)
		case run.Flags[i] == "--runtime":
			runtimeArg = run.Flags[i+1]
		}
	}
	return flags, runtimeArg
}
