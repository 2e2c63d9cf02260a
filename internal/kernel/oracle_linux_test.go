//go:build linux

package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/rootfs"
)

// The parent side of the oracle: batches of queries, each run by a child
// and judged against the model.

// needOracle skips t unless the oracle can run here (Linux, root); with
// PREEXEC_ORACLE=required it fails instead.
func needOracle(t *testing.T) {
	t.Helper()
	reason := ""
	switch {
	case os.Geteuid() != 0:
		reason = "the kernel oracle needs root (setresuid, capset, mount, chroot)"
	case hostCaps.full&(1<<21) == 0:
		reason = "the kernel oracle needs CAP_SYS_ADMIN"
	}
	if reason == "" {
		return
	}
	if os.Getenv("PREEXEC_ORACLE") == "required" {
		t.Fatal(reason + ", and PREEXEC_ORACLE=required")
	}
	t.Skip(reason)
}

// A check compares one kernel answer with one model function.
type check struct {
	// checker names the model function family, for the summary line.
	checker string
	// fn describes the model call, for disagreement reports.
	fn string
	// model computes the model's outcome on a fresh copy of the batch's
	// Proc.
	model func(p *access.Proc) string
	// kernel projects the kernel's result to the same form; nil is
	// errnoOnly.
	kernel func(r result) string
}

// A probe is one query and the checks its answer feeds.
type probe struct {
	q      query
	checks []check
}

// A batch is one child: one fixture, one credential, many probes.
type batch struct {
	fixture string
	fx      *rootfs.Fixture
	mem     *rootfs.Mem
	cred    credSpec
	seccomp string
	chroot  bool
	report  bool
	// minimal says the fixture may be cut down to the ancestors of the
	// queried path when a disagreement is printed.
	minimal bool
	// seed is the generator seed that made the batch, for reports.
	seed   uint64
	probes []probe
	// onResults, if set, also receives the kernel's answers.
	onResults func([]result)
}

// newBatch parses fixture (panicking on error: fixtures are generated or
// written in code) and returns a batch for cred.
func newBatch(fixture string, cred credSpec) *batch {
	fx := rootfs.MustParseFixture(fixture)
	return &batch{fixture: fixture, fx: fx, mem: fx.Mem(), cred: cred, chroot: true}
}

// add appends a probe of q with the default path-level check for its op,
// then the extra checks.
func (b *batch) add(checker string, q query, extra ...check) {
	pr := probe{q: q}
	if checker != "" {
		pr.checks = append(pr.checks, procCheck(checker, q))
	}
	pr.checks = append(pr.checks, extra...)
	b.probes = append(b.probes, pr)
}

// proc returns the model process of the batch.
func (b *batch) proc(k access.Kernel) *access.Proc {
	switch b.seccomp {
	case seccompENOSYS:
		k.Faccessat2 = access.ENOSYS
	case seccompEPERM:
		k.Faccessat2 = access.EPERM
	}
	return &access.Proc{Cred: b.modelCred(), FS: b.mem, Kernel: k}
}

// modelCred returns the model's credentials of the batch.
func (b *batch) modelCred() *access.Cred { return b.cred.cred() }

// errnoOnly projects a result to its errno name.
func errnoOnly(r result) string { return r.Err }

// fullOutcome projects a result to everything its op reports.
func fullOutcome(r result) string {
	switch {
	case r.Err != "OK":
		return r.Err
	case r.Exit != "":
		return r.Exit
	case r.State != nil:
		return "OK " + r.State.String()
	case r.Steps != nil:
		var ss []string
		for _, s := range r.Steps {
			ss = append(ss, s.Err+" "+s.State.String())
		}
		return strings.Join(ss, " | ")
	case r.Mode != 0:
		return statOutcome(r.Mode, r.UID, r.GID)
	}
	return "OK"
}

func statOutcome(mode, uid, gid uint32) string {
	return fmt.Sprintf("OK %07o %d:%d", mode, uid, gid)
}

// modelStat is statOutcome for a model inode as a task with credentials c
// sees it: ids without a mapping in its user namespace are the overflow
// ids (fs/stat.c:cp_new_stat → from_kuid_munged, 65534 by default).
func modelStat(c *access.Cred, ino access.Inode) string {
	uid, gid := ino.UID, ino.GID
	if ns := c.UserNS; ns != nil {
		var ok bool
		if uid, ok = ns.UID(ino.UID); !ok {
			uid = 65534
		}
		if gid, ok = ns.GID(ino.GID); !ok {
			gid = 65534
		}
	}
	return statOutcome(ino.Mode, uid, gid)
}

// errString is the outcome of a model error: its errno name, "OK" for nil.
func errString(err error) string {
	if err == nil {
		return "OK"
	}
	return errName(err)
}

// procCheck returns the check of q against the model's path-level
// operation for its op: the (*access.Proc) methods, Faccessat2ElseEmulated, and
// for chmod the walk plus OwnerOrCapable.
func procCheck(checker string, q query) check {
	c := check{checker: checker, kernel: fullOutcome}
	switch q.Op {
	case opAccess:
		c.fn = "p.Access"
		c.model = func(p *access.Proc) string { return errString(p.Access(q.Path, q.Mode)) }
	case opFaccessat2:
		c.fn = "p.Faccessat2"
		c.model = func(p *access.Proc) string { return errString(p.Faccessat2(q.Path, q.Mode, q.Flags)) }
	case opGoFaccessat:
		c.fn = "access.Faccessat2ElseEmulated"
		c.model = func(p *access.Proc) string {
			return errString(access.Faccessat2ElseEmulated(p, q.Path, q.Mode, q.Flags))
		}
	case opStat, opLstat:
		c.fn = "p.Stat"
		stat := (*access.Proc).Stat
		if q.Op == opLstat {
			c.fn, stat = "p.Lstat", (*access.Proc).Lstat
		}
		c.model = func(p *access.Proc) string {
			ino, err := stat(p, q.Path)
			if err != nil {
				return errString(err)
			}
			return modelStat(p.Cred, ino)
		}
	case opOpen:
		c.fn = "p.Open"
		c.model = func(p *access.Proc) string {
			ino, err := p.Open(q.Path, int(q.Mode))
			if err != nil {
				return errString(err)
			}
			return modelStat(p.Cred, ino)
		}
	case opMkdir:
		c.fn = "p.Mkdir"
		c.model = func(p *access.Proc) string { _, err := p.Mkdir(q.Path); return errString(err) }
	case opChdir:
		c.fn = "p.Chdir"
		c.model = func(p *access.Proc) string { return errString(p.Chdir(q.Path)) }
	case opChmod:
		c.fn = "p.Stat + access.OwnerOrCapable"
		c.model = func(p *access.Proc) string { return chmodModel(p, q.Path) }
	case opExecCheck:
		c.fn = "p.OpenExec"
		c.model = func(p *access.Proc) string {
			_, _, err := p.OpenExec(q.Path)
			return errString(err)
		}
	case opExecve:
		c.fn = "p.Execve"
		c.model = func(p *access.Proc) string {
			x, err := p.Execve(q.Path, []string{q.Path})
			return execOutcome(p, x, err)
		}
	case opExecCaps:
		c.fn = "p.Execve → Exec.Cred"
		c.model = func(p *access.Proc) string {
			x, err := p.Execve(q.Path, []string{q.Path})
			if err != nil {
				return errString(err)
			}
			return "OK " + stateOf(x.Cred).String()
		}
	case opCapSeq:
		c.fn = "caps.State transitions"
		c.model = func(p *access.Proc) string { return capSeqModel(p.Cred, q.Steps) }
	default:
		panic("no model for op " + q.Op)
	}
	return c
}

// chmodModel decides chmod(2) of name to its own mode: the walk follows
// symlinks with the caller's credentials, a read-only mount is EROFS
// (fs/open.c:chmod_common → mnt_want_write), then
// fs/attr.c:setattr_prepare requires inode_owner_or_capable, else EPERM.
func chmodModel(p *access.Proc, name string) string {
	ino, err := p.Stat(name)
	if err != nil {
		return errString(err)
	}
	if ino.Mount&(access.MNT_READONLY|access.SB_RDONLY) != 0 {
		return "EROFS"
	}
	if !access.OwnerOrCapable(p.Cred, &ino) {
		return "EPERM"
	}
	return "OK"
}

// execOutcome is the outcome of a model execve in the probe's terms. The
// probe, once running, opens its last argument when it has two or more
// (rootfs.ProbeELF): for a #! script that is the script execve was given,
// also through nested interpreters, whereas Exec.Script is the innermost
// script, the one a real interpreter opens. So the prediction opens the
// last element of Exec.Argv with the new credentials, in the same working
// directory; where that is Exec.Script, Exec.ScriptErr must agree.
func execOutcome(p *access.Proc, x *access.Exec, err error) string {
	if err != nil {
		return errString(err)
	}
	if len(x.Argv) < 2 {
		return "ran"
	}
	last := x.Argv[len(x.Argv)-1]
	after := &access.Proc{Cred: x.Cred, FS: p.FS, Cwd: p.Cwd, Kernel: p.Kernel}
	_, oerr := after.Open(last, access.O_RDONLY)
	if last == x.Script && errString(oerr) != errString(x.ScriptErr) {
		return fmt.Sprintf("inconsistent: Exec.ScriptErr %s, Open(%q) %s", errString(x.ScriptErr), last, errString(oerr))
	}
	if oerr != nil {
		return "ran/script:" + errString(oerr)
	}
	return "ran"
}

// stateOf returns the credential state of a model Cred as /proc shows it.
func stateOf(c *access.Cred) credState {
	return credState{
		UID: c.UID, EUID: c.EUID, SUID: c.SUID, FSUID: c.FSUID,
		GID: c.GID, EGID: c.EGID, SGID: c.SGID, FSGID: c.FSGID,
		Groups: c.Groups, E: c.CapEffective, P: c.CapPermitted, I: c.CapInheritable,
		B: c.CapBounding, A: c.CapAmbient, NNP: c.NoNewPrivs,
	}
}

// stats counts cases and disagreements per checker.
type stats struct {
	mu      sync.Mutex
	cases   map[string]int
	bad     map[string]int
	queries int
	reports int
	// retried counts answers that needed runStable's ELOOP retries.
	retried int
	// outcomes counts the kernel's answers per checker, logged with
	// PREEXEC_ORACLE_DEBUG=1 to show that the cases are not all alike.
	outcomes map[string]map[string]int
}

// oracle runs batches and judges them.
type oracle struct {
	t      *testing.T
	base   string
	kernel access.Kernel
	// release is the running kernel's uname -r, printed with every
	// disagreement.
	release string
	st      stats
}

// maxReports bounds the disagreement rows one test prints.
const maxReports = 40

// newOracle prepares a base directory for the children of t.
func newOracle(t *testing.T) *oracle {
	t.Helper()
	needOracle(t)
	base, err := os.MkdirTemp("", "preexec-oracle-")
	if err != nil {
		t.Fatal(err)
	}
	// Searchable by every credential: exec_caps runs outside a chroot.
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	release, version := kernelVersion(t)
	ps := protectedSymlinks(t)
	t.Logf("host: Linux %s, fs.protected_symlinks=%v, LSMs %q", release, ps, lsms())
	return &oracle{
		t: t, base: base, release: release,
		kernel: access.Kernel{Version: version, ProtectedSymlinks: ps},
		st:     stats{cases: map[string]int{}, bad: map[string]int{}, outcomes: map[string]map[string]int{}},
	}
}

// kernelVersion returns the running kernel's release (uname -r) and its
// version code for access.Kernel.Version.
func kernelVersion(t *testing.T) (string, uint32) {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	release := b.String()
	var major, minor int
	if _, err := fmt.Sscanf(release, "%d.%d", &major, &minor); err != nil {
		t.Fatalf("uname release %q: %v", release, err)
	}
	return release, access.KernelVersion(major, minor)
}

// lsms returns the active LSMs (/sys/kernel/security/lsm), which can add
// denials the model does not know (AppArmor, SELinux, Landlock).
func lsms() string {
	b, err := os.ReadFile("/sys/kernel/security/lsm")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// protectedSymlinks reads fs.protected_symlinks.
func protectedSymlinks(t *testing.T) bool {
	b, err := os.ReadFile("/proc/sys/fs/protected_symlinks")
	if err != nil {
		t.Fatalf("read fs.protected_symlinks: %v", err)
	}
	return strings.TrimSpace(string(b)) != "0"
}

// runSeeded makes n batches with gen from each of t's seeds (scaled),
// runs them and logs the summary.
func (o *oracle) runSeeded(t *testing.T, n int, gen func(r *rand.Rand, seed uint64) *batch) {
	t.Helper()
	start := time.Now()
	var batches []*batch
	for _, seed := range seeds(t) {
		r := newRand(seed)
		for range scale(n) {
			batches = append(batches, gen(r, seed))
		}
	}
	o.run(batches)
	o.summary(start)
}

// run runs every batch in a child, GOMAXPROCS at a time, and judges the
// answers.
func (o *oracle) run(batches []*batch) {
	o.t.Helper()
	exe, err := os.Executable()
	if err != nil {
		o.t.Fatal(err)
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				o.runBatch(exe, i, batches[i])
			}
		}()
	}
	for i := range batches {
		work <- i
	}
	close(work)
	wg.Wait()
}

var batchSeq struct {
	sync.Mutex
	n int
}

func (o *oracle) runBatch(exe string, i int, b *batch) {
	dir := o.batchDir()
	if err := os.Mkdir(dir, 0o755); err != nil {
		o.t.Error(err)
		return
	}
	req := request{Dir: dir, Fixture: b.fixture, Chroot: b.chroot, ReportBinary: b.report,
		Cred: b.cred, Seccomp: b.seccomp, UserNS: b.cred.NS}
	for _, p := range b.probes {
		req.Queries = append(req.Queries, p.q)
	}
	resp, ok := o.ask(exe, i, b, req)
	if !ok {
		return
	}
	// A kernel ELOOP the model does not give is asked again, patiently, in
	// a fresh child: a restarted lookup can only turn an answer into ELOOP
	// (see runStable), and under a load of mounts elsewhere on the machine
	// eight quick repetitions can all be restarted.
	if idx := o.eloopSuspects(b, resp.Results); len(idx) > 0 {
		again := req
		again.Dir = o.batchDir()
		again.Queries = nil
		again.ELOOPPatience = true
		for _, k := range idx {
			again.Queries = append(again.Queries, req.Queries[k])
		}
		if err := os.Mkdir(again.Dir, 0o755); err != nil {
			o.t.Error(err)
			return
		}
		r2, ok := o.ask(exe, i, b, again)
		if !ok {
			return
		}
		for j, k := range idx {
			if r2.Results[j].Err != "ELOOP" {
				r2.Results[j].Retried += eloopRetries + 1
				resp.Results[k] = r2.Results[j]
			}
		}
	}
	if b.onResults != nil {
		b.onResults(resp.Results)
	}
	o.judge(b, resp.Results)
}

// batchDir returns a new directory name under the oracle's base.
func (o *oracle) batchDir() string {
	batchSeq.Lock()
	defer batchSeq.Unlock()
	batchSeq.n++
	return filepath.Join(o.base, strconv.Itoa(batchSeq.n))
}

// ask runs req in a child and returns its answers, one per query; it
// reports a harness failure and returns false.
func (o *oracle) ask(exe string, i int, b *batch, req request) (response, bool) {
	in, err := json.Marshal(req)
	if err != nil {
		o.t.Error(err)
		return response{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = []string{envChild + "=1", envGorace}
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	cmd.Stdin = bytes.NewReader(in)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		o.t.Errorf("batch %d (seed %d): child: %v\nstderr: %s\nfixture:\n%s", i, b.seed, err, errb.String(), b.fixture)
		return response{}, false
	}
	var resp response
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		o.t.Errorf("batch %d: decode response: %v\n%s", i, err, out.String())
		return response{}, false
	}
	if resp.Setup != "" {
		o.t.Errorf("batch %d (seed %d): harness setup failed: %s\ncred: %#v\nfixture:\n%s", i, b.seed, resp.Setup, b.cred, b.fixture)
		return response{}, false
	}
	if len(resp.Results) != len(req.Queries) {
		o.t.Errorf("batch %d: %d results for %d queries", i, len(resp.Results), len(req.Queries))
		return response{}, false
	}
	return resp, true
}

// eloopSuspects returns the indexes of the probes the kernel answered
// ELOOP where a check of the model answers otherwise.
func (o *oracle) eloopSuspects(b *batch, results []result) []int {
	var idx []int
	base := b.proc(o.kernel)
	for i, pr := range b.probes {
		if results[i].Err != "ELOOP" {
			continue
		}
		for _, c := range pr.checks {
			kp := c.kernel
			if kp == nil {
				kp = errnoOnly
			}
			p := *base
			p.Cred = b.modelCred()
			if kp(results[i]) != c.model(&p) {
				idx = append(idx, i)
				break
			}
		}
	}
	return idx
}

// judge compares every answer of a batch with its checks.
func (o *oracle) judge(b *batch, results []result) {
	base := b.proc(o.kernel)
	o.st.mu.Lock()
	o.st.queries += len(results)
	for _, r := range results {
		if r.Retried > 0 {
			o.st.retried++
		}
	}
	o.st.mu.Unlock()
	for i, pr := range b.probes {
		res := results[i]
		if strings.Contains(res.Err, ":") || strings.HasPrefix(res.Err, "error") || strings.HasPrefix(res.Err, "unknown") {
			o.t.Errorf("harness failure on %s: %s", pr.q, res.Err)
			continue
		}
		for _, c := range pr.checks {
			kp := c.kernel
			if kp == nil {
				kp = errnoOnly
			}
			want := kp(res)
			p := *base
			p.Cred = b.modelCred()
			got := c.model(&p)
			o.st.mu.Lock()
			o.st.cases[c.checker]++
			if o.st.outcomes[c.checker] == nil {
				o.st.outcomes[c.checker] = map[string]int{}
			}
			o.st.outcomes[c.checker][outcomeClass(want)]++
			agree := want == got
			report := false
			if !agree {
				o.st.bad[c.checker]++
				o.st.reports++
				report = o.st.reports <= maxReports
			}
			o.st.mu.Unlock()
			if report {
				o.t.Errorf("kernel-oracle disagreement [%s] %s (seed %d, Linux %s, fs.protected_symlinks=%v):\n%s // model %s: %s",
					c.checker, pr.q, b.seed, o.release, o.kernel.ProtectedSymlinks, rowText(b, pr.q, want), c.fn, got)
			}
		}
	}
}

// summary logs one line per checker, sorted by name.
func (o *oracle) summary(start time.Time) {
	o.t.Helper()
	var names []string
	for n := range o.st.cases {
		names = append(names, n)
	}
	sort.Strings(names)
	total := 0
	for _, n := range names {
		o.t.Logf("kernel-oracle %s: %d cases, %d disagreements", n, o.st.cases[n], o.st.bad[n])
		total += o.st.cases[n]
	}
	if os.Getenv("PREEXEC_ORACLE_DEBUG") != "" {
		for _, n := range names {
			o.t.Logf("  %s kernel outcomes: %v", n, o.st.outcomes[n])
		}
	}
	o.t.Logf("(%d kernel queries, %d comparisons in %v; %d spurious ELOOP answers replaced on retry)",
		o.st.queries, total, time.Since(start).Round(time.Millisecond), o.st.retried)
}

// outcomeClass shortens an outcome for the debug histogram: errno names
// only, per step for capseq.
func outcomeClass(s string) string {
	var steps []string
	for _, st := range strings.Split(s, " | ") {
		steps = append(steps, strings.Fields(st + " ?")[0])
	}
	return strings.Join(steps, ",")
}

// rowText prints a disagreement as a row of the curated table
// (table_linux_test.go), the kernel's answer as want.
func rowText(b *batch, q query, want string) string {
	fx := b.fixture
	if b.minimal {
		fx = minimalFixture(b.fx, q.Path)
	}
	extra := ""
	if b.seccomp != "" {
		extra += fmt.Sprintf(" seccomp: %q,", b.seccomp)
	}
	return fmt.Sprintf("\t{name: %q, fixture: `\n%s`, cred: %#v,%s q: %#v, want: %q, rule: \"TODO\"},",
		rowName(q), fx, b.cred, extra, q, want)
}

// usernsExpr prints ns as Go.
func usernsExpr(ns *access.UserNS) string {
	m := func(ms []access.IDMap) string {
		var p []string
		for _, e := range ms {
			p = append(p, fmt.Sprintf("{ContainerID: %d, HostID: %d, Size: %d}", e.ContainerID, e.HostID, e.Size))
		}
		return "[]access.IDMap{" + strings.Join(p, ", ") + "}"
	}
	return fmt.Sprintf("&access.UserNS{UIDMap: %s, GIDMap: %s}", m(ns.UIDMap), m(ns.GIDMap))
}

// rowName suggests a snake_case name for a row of q.
func rowName(q query) string {
	return "oracle_" + q.Op + "_" + strconv.FormatUint(rand.Uint64()%1e6, 10)
}

// minimalFixture keeps the lines of fx that name can depend on: the
// ancestors of name and name itself, and, transitively, what those lines
// refer to (symlink targets, #! interpreters, PT_INTERP loaders), with the
// mounts above all of them.
func minimalFixture(fx *rootfs.Fixture, name string) string {
	keep := map[string]bool{}
	var work []string
	add := func(p string) {
		for q := path.Clean("/" + p); ; q = path.Dir(q) {
			if !keep[q] {
				keep[q] = true
				work = append(work, q)
			}
			if q == "/" {
				break
			}
		}
	}
	add(name)
	for len(work) > 0 {
		p := work[len(work)-1]
		work = work[:len(work)-1]
		for _, e := range fx.Entries {
			if e.Path != p {
				continue
			}
			for _, ref := range references(e) {
				add(ref)
			}
		}
	}
	var b strings.Builder
	for _, e := range fx.Entries {
		if keep[e.Path] {
			b.WriteString(e.String())
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// references returns the absolute paths a fixture line makes the kernel
// look at when it is followed or executed: a symlink's target, a script's
// interpreter, an ELF's PT_INTERP loader (relative names resolve from the
// root, the working directory of every query).
func references(e rootfs.Entry) []string {
	var refs []string
	abs := func(dir, p string) string {
		if strings.HasPrefix(p, "/") {
			return p
		}
		return path.Join(dir, p)
	}
	switch e.Kind {
	case rootfs.KindSymlink:
		refs = append(refs, abs(path.Dir(e.Path), e.Target))
	case rootfs.KindFile:
		k, v, _ := strings.Cut(e.ContentSpec, "=")
		switch k {
		case "interp", "script":
			refs = append(refs, abs("/", v))
		}
		if c := e.Content; len(c) > 2 && c[0] == '#' && c[1] == '!' {
			line, _, _ := strings.Cut(string(c[2:]), "\n")
			if f := strings.Fields(line); len(f) > 0 {
				refs = append(refs, abs("/", f[0]))
			}
		}
	}
	return refs
}

// GoString prints q as a Go composite literal.
func (q query) GoString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "query{Op: %q", q.Op)
	if q.Path != "" || q.Op != opCapSeq {
		fmt.Fprintf(&b, ", Path: %q", q.Path)
	}
	if q.Mode != 0 {
		if q.Op == opOpen {
			fmt.Fprintf(&b, ", Mode: %#o", q.Mode)
		} else {
			fmt.Fprintf(&b, ", Mode: %d", q.Mode)
		}
	}
	if q.Flags != 0 {
		fmt.Fprintf(&b, ", Flags: %#x", q.Flags)
	}
	if len(q.Steps) > 0 {
		b.WriteString(", Steps: []capStep{")
		for i, s := range q.Steps {
			if i > 0 {
				b.WriteString(", ")
			}
			switch s.Op {
			case "setresuid", "setresgid", "setuid", "setgid":
				fmt.Fprintf(&b, "{Op: %q, R: %d, E: %d, S: %d}", s.Op, s.R, s.E, s.S)
			case "capset":
				fmt.Fprintf(&b, "{Op: %q, Eff: %s, Perm: %s, Inh: %s}", s.Op, setExpr(s.Eff), setExpr(s.Perm), setExpr(s.Inh))
			case "ambient_raise", "bset_drop":
				fmt.Fprintf(&b, "{Op: %q, Cap: caps.%s}", s.Op, s.Cap)
			case "keepcaps":
				fmt.Fprintf(&b, "{Op: %q, On: %v}", s.Op, s.On)
			}
		}
		b.WriteString("}")
	}
	b.WriteString("}")
	return b.String()
}

// seeds returns the seeds of the random tests: a fixed one and one from
// the clock, or only PREEXEC_ORACLE_SEED when set. It logs them.
func seeds(t *testing.T) []uint64 {
	t.Helper()
	if s := os.Getenv("PREEXEC_ORACLE_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PREEXEC_ORACLE_SEED: %v", err)
		}
		t.Logf("seed %d (PREEXEC_ORACLE_SEED)", n)
		return []uint64{n}
	}
	now := uint64(time.Now().UnixNano())
	t.Logf("seeds: fixed 1, time %d (PREEXEC_ORACLE_SEED=N replays one)", now)
	return []uint64{1, now}
}

// scale returns how many batches a random test makes per seed: n times
// PREEXEC_ORACLE_SCALE (default 1).
func scale(n int) int {
	if s, err := strconv.ParseFloat(os.Getenv("PREEXEC_ORACLE_SCALE"), 64); err == nil && s > 0 {
		return max(1, int(float64(n)*s))
	}
	return n
}
