package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
	"github.com/preexec/preexec/workload"
)

const scanUsage = `usage: preexec scan [--runtime NAME|PATH|host]... [--runtime-version TEXT]... [--kernel K]
                    [--protected-symlinks=BOOL] [--bounding-set SET] [--engine NAME] [--platform OS/ARCH]
                    [--scc restricted-v2] [--images DIR] [--insecure] [--parallel N]
                    [--shard I/N] [--from A --to B] [--from-kernel K] [--to-kernel K]
                    [--limit NAME=VALUE]... [--json | --format table|json|sarif]
                    [--output FILE] INPUT...
       preexec merge [--json | --format table|json|sarif] FILE...

scan predicts, for every container of its inputs, what check predicts for
it, and prints a row per container: NAMESPACE, WORKLOAD, CONTAINER, IMAGE
and check's verdict line, "refused by ENGINE: …" when the engine refuses
the container, or "error: …" when its input or image could not be read.

INPUT is, told apart by what it is:
  an image          an OCI layout directory, an OCI archive or a docker-archive
                    tar, as check takes it (engine: docker@20.10.24)
  a manifest        a Kubernetes YAML (one or more documents) or JSON file:
                    Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
                    ReplicationController, Job, CronJob, or a List of them
                    (kubectl get -A -o json); every initContainer and container,
                    with the pod's securityContext merged as the kubelet does
                    (engine: containerd-cri@1.6.20)
  a directory       of such manifests (*.yaml, *.yml, *.json, not recursive)
  a reference       an image in a registry (REGISTRY/REPO:TAG, REPO@DIGEST);
                    a name that names no file but looks like a path (/, ./,
                    ../, ~, .tar, .yaml, …, or a directory part with neither
                    registry host, tag nor digest) is "no such file"
An OCI bundle is one container, not a fleet: scan refuses it (use check).
A pod name and UID the kubelet prints (an engine's refusal) are the
manifest's for a Pod; a controller's pods are named by it and given UIDs
by the API server, shown as NAME-<…> and <uid>. A workload whose
controller is scanned too (a Deployment's ReplicaSet and Pods in kubectl
get -A -o json) is left out, counted on stderr; objects of other kinds
(Service, ConfigMap, …) are skipped.
A container's image is taken from --images DIR when DIR has it, else from
its registry, with the credentials of the user's docker config
(~/.docker/config.json, credential helpers), anonymously where it has none.

  --runtime, --runtime-version, --kernel, --protected-symlinks, --bounding-set
                     as check; a --runtime that cannot be resolved is a
                     usage error
  --engine NAME      the engine for every input (default: see above)
  --platform OS/ARCH the image of an index to take (default linux/host)
  --scc restricted-v2  OpenShift's SCC admits each container (CRI engines)
  --userns MODE      podman's --userns for the containers of image inputs
                     (host, keep-id[:uid=N,gid=N], nomap)
` + rootlessUsage + `  --images DIR       OCI layouts, OCI archives and docker-archives, known by
                     their index.json annotations io.containerd.image.name or
                     org.opencontainers.image.ref.name (a full reference), or
                     their manifest.json RepoTags; references are compared
                     normalized (nginx:1.25 is index.docker.io/library/nginx:1.25)
  --insecure         registries over plain HTTP or unverified TLS (loopback
                     registries are reached over HTTP without it)
  --parallel N       containers evaluated at once (default GOMAXPROCS); at most
                     max(16, 2N) image indexes are held, each image indexed once
                     while it is held
  --shard I/N        only the containers whose identity (namespace, kind,
                     workload, container, image) hashes to I mod N (FNV-1a);
                     'preexec merge' joins the shards' --json outputs
  --from A --to B    an upgrade: one runtime each (a name, a path or a
                     --version text, as check --from/--to), and/or
  --from-kernel K --to-kernel K  each side's kernel (default --kernel; alone,
                     both sides run the --runtime selection); prints only the
                     containers whose outcome changes, with both texts and
                     the change that alone makes the difference (the row's
                     field and its upstream commit, the toolchain, the kernel);
                     when none changes, one line saying so; an extrapolated
                     side is named with why, and makes the exit 3, not 0
  --limit NAME=VALUE a bound on what is read, as check takes it (repeatable)
  --json             JSON Lines, streamed in the order of the rows (each row
                     written as its turn comes; only rows done ahead of
                     their turn are held): one object per container,
                     then one {"shard":"I/N","selection":…,"inputs":…,
                     "containers":ROWS} (unsharded: "0/1") for merge
  --format FORMAT    table (default), json, or sarif (SARIF 2.1.0, a result
                     per failing step and text, at the container's line of
                     its manifest)
  --output FILE      the report to FILE (written whole, then renamed into
                     place), not stdout; the exit status is then 0 once it
                     is written, 2 when it cannot be: a shard's findings are
                     merge's exit status (a Job's pod or a CI step that
                     found a failing container has not failed itself)

merge reads scan --json outputs (shards) and prints them as one scan would,
in the same order, with the same exit status. It refuses (exit 2) shards
that do not make one scan: a shard twice, a shard of N missing, different
N, runtime selections (runtimes, kernels, engine flags) or inputs, or an
output cut short (no last shard line, or fewer rows than it counts).

Exit status: 1 when a container fails (an upgrade: starts before and fails
after), else 2 when an input could not be read (its rows say why; also on
a usage error, with nothing on stdout), else 3 when one cannot be told or
is extrapolated, else 0.
`

// scanOptions are scan's flags.
type scanOptions struct {
	names      runtimeList
	versions   runtimeList
	ho         hostOptions
	engine     string
	platform   string
	scc        string
	images     string
	insecure   bool
	parallel   int
	shard      string
	from, to   string
	fromKernel string
	toKernel   string
	format     string
	output     string
	limits     load.Limits
	// rootless is --rootless and its ids (podman run by a user); userns
	// is --userns for the containers of image inputs.
	rootless *spec.Rootless
	userns   string
}

// scan is `preexec scan`.
func scan(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o scanOptions
	fs.Var(&o.names, "runtime", "")
	fs.Var(&o.versions, "runtime-version", "")
	o.ho.register(fs)
	fs.StringVar(&o.engine, "engine", "", "")
	registerRootless(fs, &o.rootless)
	fs.StringVar(&o.userns, "userns", "", "")
	fs.StringVar(&o.platform, "platform", "", "")
	fs.StringVar(&o.scc, "scc", "", "")
	fs.StringVar(&o.images, "images", "", "")
	fs.BoolVar(&o.insecure, "insecure", false, "")
	fs.IntVar(&o.parallel, "parallel", defaultParallel(), "")
	fs.StringVar(&o.shard, "shard", "", "")
	fs.StringVar(&o.from, "from", "", "")
	fs.StringVar(&o.to, "to", "", "")
	fs.StringVar(&o.fromKernel, "from-kernel", "", "")
	fs.StringVar(&o.toKernel, "to-kernel", "", "")
	asJSON := fs.Bool("json", false, "")
	fs.Var(&o.limits, "limit", "")
	fs.StringVar(&o.format, "format", "", "")
	fs.StringVar(&o.output, "output", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, scanUsage)
			return 0
		}
		printf(stderr, "preexec: %v\n", err)
		fmt.Fprint(stderr, scanUsage)
		return 2
	}
	o.ho.visit(fs)
	format, err := scanFormat(o.format, *asJSON)
	if err != nil {
		printf(stderr, "preexec: %v\n", err)
		return 2
	}
	o.format = format
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, scanUsage)
		return 2
	}
	s, err := newScanner(o, stderr)
	if err != nil {
		printf(stderr, "preexec: %v\n", err)
		return 2
	}
	// The report goes to stdout, or to --output's FILE.partial, renamed
	// FILE once whole.
	dst := stdout
	var file *os.File
	if o.output != "" {
		if file, err = os.Create(o.output + ".partial"); err != nil {
			printf(stderr, "preexec: --output: %v\n", err)
			return 2
		}
		defer file.Close()
		dst = file
	}
	var status int
	var sum scanTrailer
	if o.format == "json" {
		// JSON Lines stream: each row encoded as its turn comes, none
		// held once written.
		bw := bufio.NewWriterSize(dst, 1<<16)
		enc := json.NewEncoder(bw)
		n := 0
		s.stream(context.Background(), fs.Args(), func(r *scanRow) {
			enc.Encode(r)
			status = addStatus(status, r.Status)
			n++
		})
		sum = s.summary(n)
		enc.Encode(&sum)
		if err := bw.Flush(); err != nil && file != nil {
			printf(stderr, "preexec: --output: %v\n", err)
			return 2
		}
	} else {
		rows := s.run(context.Background(), fs.Args())
		sum = s.summary(len(rows))
		var out bytes.Buffer
		writeRows(&out, rows, o.format, &sum)
		dst.Write(out.Bytes())
		status = rowsStatus(rows)
	}
	status = scanStatus(status, &sum)
	if file != nil {
		if err := file.Close(); err != nil {
			printf(stderr, "preexec: --output: %v\n", err)
			return 2
		}
		if err := os.Rename(o.output+".partial", o.output); err != nil {
			printf(stderr, "preexec: --output: %v\n", err)
			return 2
		}
		return 0
	}
	return status
}

// defaultParallel is --parallel's default: GOMAXPROCS.
func defaultParallel() int { return runtime.GOMAXPROCS(0) }

// scanFormat is the output format --format and --json ask for.
func scanFormat(format string, asJSON bool) (string, error) {
	switch {
	case asJSON && format != "" && format != "json":
		return "", fmt.Errorf("--json is --format json; got --format %s too", format)
	case asJSON:
		return "json", nil
	}
	switch format {
	case "", "table":
		return "table", nil
	case "json", "sarif":
		return format, nil
	}
	return "", fmt.Errorf("--format: want table, json or sarif, got %q", format)
}

// A scanner is one scan's settings and its image cache.
type scanner struct {
	o        scanOptions
	rts      []preexec.Runtime
	facts    hostFacts    // Host.Create set: engines create, then start
	eng      *spec.Engine // --engine, or nil: by input
	dir      *imageDir
	reg      *registry
	cache    *imageCache
	shardI   int
	shardN   int
	diff     *scanDiff
	progress io.Writer // nil: none
	stderr   io.Writer // notes (containers left out); nil: none
	// results are computed for json and sarif (table needs the verdict).
	results bool
	// selection and inputs fingerprint what the rows answer for (the
	// runtimes, hosts and engine flags) and the containers of every shard
	// (set by run): merge refuses shards that differ in either.
	selection, inputs string
	// scanned is the containers of the shard; unsure those of an upgrade
	// left out as unchanged that cannot be told on a side (set by run).
	scanned, unsure int
}

// fingerprint is a short hash of parts (FNV-1a, 64 bits, hex).
func fingerprint(parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// selectionOf is what a scan's rows answer for: the runtimes and host of
// each side, the engine, SCC, platform and limit flags.
func (s *scanner) selectionOf() string {
	parts := []string{"engine=" + s.o.engine, "scc=" + s.o.scc, "platform=" + s.o.platform}
	if l := s.o.limits.String(); l != "" {
		// A limit changes what is read: rows of other limits differ.
		parts = append(parts, "limits="+l)
	}
	if s.o.rootless != nil || s.o.userns != "" {
		parts = append(parts, fmt.Sprintf("rootless=%+v", s.o.rootless), "userns="+s.o.userns)
	}
	side := func(label string, rts []preexec.Runtime, f hostFacts) {
		parts = append(parts, label, fmt.Sprintf("%+v", f.host))
		for _, rt := range rts {
			parts = append(parts, rt.Name)
		}
	}
	if d := s.diff; d != nil {
		side("from", d.fromRts, d.fromFacts)
		side("to", d.toRts, d.toFacts)
	} else {
		side("runtimes", s.rts, s.facts)
	}
	return fingerprint(parts...)
}

// A scanTrailer ends scan --json: the shard, the fingerprints of the
// selection and of all shards' containers, and how many rows the shard
// has, so that merge can tell a complete set of shards of one scan.
type scanTrailer struct {
	Shard      string `json:"shard"`
	Selection  string `json:"selection"`
	Inputs     string `json:"inputs"`
	Containers int    `json:"containers"`
	// An upgrade's: the containers scanned (its rows are those whose
	// outcome changes), the two sides, the runtimes extrapolated ("NAME:
	// why"), and how many unchanged containers cannot be told on a side.
	Scanned      int      `json:"scanned,omitempty"`
	From         string   `json:"from,omitempty"`
	To           string   `json:"to,omitempty"`
	Extrapolated []string `json:"extrapolated,omitempty"`
	Unsure       int      `json:"unsure,omitempty"`
}

// summary is the scan's shard line.
func (s *scanner) summary(rows int) scanTrailer {
	t := scanTrailer{Shard: fmt.Sprintf("%d/%d", s.shardI, s.shardN), Selection: s.selection, Inputs: s.inputs, Containers: rows}
	if d := s.diff; d != nil {
		t.Scanned, t.From, t.To, t.Unsure = s.scanned, d.fromName, d.toName, s.unsure
		seen := map[string]bool{}
		for _, rts := range [][]preexec.Runtime{d.fromRts, d.toRts} {
			for _, rt := range rts {
				if rt.Extrapolated != "" && !seen[rt.Name] {
					seen[rt.Name] = true
					t.Extrapolated = append(t.Extrapolated, rt.Name+": "+rt.Extrapolated)
				}
			}
		}
	}
	return t
}

// scanStatus is rowsStatus, and for an upgrade 3 rather than 0 when a
// side's runtime is extrapolated or an unchanged container cannot be told
// on a side.
func scanStatus(st int, t *scanTrailer) int {
	if st == 0 && (len(t.Extrapolated) > 0 || t.Unsure > 0) {
		return 3
	}
	return st
}

// scanDiff is an upgrade's two sides.
type scanDiff struct {
	fromRts, toRts     []preexec.Runtime
	fromFacts, toFacts hostFacts
	fromName, toName   string
}

// bounding is the capability bounding set of the host the engines run on
// (an upgrade's: both sides share it).
func (s *scanner) bounding() caps.Set {
	if s.diff != nil {
		return s.diff.fromFacts.host.Bounding
	}
	return s.facts.host.Bounding
}

func newScanner(o scanOptions, stderr io.Writer) (*scanner, error) {
	s := &scanner{o: o, shardN: 1, results: o.format != "table"}
	if o.parallel < 1 {
		return nil, fmt.Errorf("--parallel: want at least 1, got %d", o.parallel)
	}
	var err error
	if o.from != "" || o.to != "" || o.fromKernel != "" || o.toKernel != "" {
		if s.diff, err = newScanDiff(o); err != nil {
			return nil, err
		}
		s.rts = s.diff.fromRts
	} else {
		// Strict, unlike check: a batch answers for the runtimes asked
		// for, or not at all.
		sel := resolveRuntimes(o.names, o.versions)
		if sel.skipped != nil {
			return nil, sel.skipped
		}
		s.rts = sel.rts
		if s.facts, _, err = resolveHost(o.ho, sel.host); err != nil {
			return nil, err
		}
		s.facts.host.Create = true
	}
	if o.engine != "" {
		eng, err := spec.LookupEngine(o.engine)
		if err != nil {
			return nil, fmt.Errorf("--engine: %v", err)
		}
		eng.HostBounding = s.bounding()
		s.eng = &eng
	}
	if o.rootless != nil {
		if s.eng == nil || s.eng.Family != spec.Podman {
			return nil, errors.New("--rootless: podman only (--engine podman@4.3.1)")
		}
		s.eng.Rootless = o.rootless
	}
	if o.scc != "" && o.scc != spec.RestrictedV2.Name {
		return nil, fmt.Errorf("--scc: %q is not modelled (want %s)", o.scc, spec.RestrictedV2.Name)
	}
	if o.shard != "" {
		i, n, ok := strings.Cut(o.shard, "/")
		a, err1 := strconv.Atoi(i)
		b, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || b < 1 || a < 0 || a >= b {
			return nil, fmt.Errorf("--shard: want I/N with 0 <= I < N, got %q", o.shard)
		}
		s.shardI, s.shardN = a, b
	}
	if o.images != "" {
		if s.dir, err = loadImageDir(o.images, o.limits); err != nil {
			return nil, err
		}
	}
	// A registry's index gives the image of the platform local images
	// are taken for: --platform, or linux on the host's architecture
	// (go-containerregistry's own default is linux/amd64).
	platform := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if o.platform != "" {
		p, err := v1.ParsePlatform(o.platform)
		if err != nil {
			return nil, fmt.Errorf("--platform: %w", err)
		}
		platform = *p
	}
	s.reg = &registry{insecure: o.insecure, platform: platform, ctx: context.Background()}
	s.cache = &imageCache{max: max(16, 2*o.parallel)}
	s.stderr = stderr
	s.selection = s.selectionOf()
	if isTerminal(stderr) {
		s.progress = stderr
	}
	return s, nil
}

// newScanDiff reads --from, --to (a runtime name, a path to a binary or
// a --version text each, as check takes them), --from-kernel and
// --to-kernel: both runtimes or neither (then both sides run the
// --runtime selection); kernels default to --kernel.
func newScanDiff(o scanOptions) (*scanDiff, error) {
	d := &scanDiff{}
	if (o.from == "") != (o.to == "") {
		return nil, errors.New("--from and --to go together")
	}
	fromHost, toHost := false, false // a side on the running kernel
	if o.from != "" {
		if len(o.names) > 0 || len(o.versions) > 0 {
			return nil, errors.New("--from and --to name the runtimes: they take no --runtime or --runtime-version")
		}
		from, _, fh, err := diffRuntime("from", o.from)
		if err != nil {
			return nil, err
		}
		to, _, th, err := diffRuntime("to", o.to)
		if err != nil {
			return nil, err
		}
		d.fromRts, d.toRts, fromHost, toHost = []preexec.Runtime{from}, []preexec.Runtime{to}, fh, th
	} else {
		sel := resolveRuntimes(o.names, o.versions)
		if sel.skipped != nil {
			return nil, sel.skipped
		}
		d.fromRts, d.toRts, fromHost, toHost = sel.rts, sel.rts, sel.host, sel.host
	}
	var err error
	if d.fromFacts, _, err = resolveHost(withKernel(o.ho, o.fromKernel), fromHost); err != nil {
		return nil, fmt.Errorf("--from-kernel: %v", err)
	}
	if d.toFacts, _, err = resolveHost(withKernel(o.ho, o.toKernel), toHost); err != nil {
		return nil, fmt.Errorf("--to-kernel: %v", err)
	}
	d.fromFacts.host.Create, d.toFacts.host.Create = true, true
	fromRt, toRt := o.from, o.to
	if fromRt != "" && d.fromRts[0].Name == d.toRts[0].Name {
		fromRt, toRt = "", "" // one runtime: the sides are the kernels
	}
	d.fromName, d.toName = sideName(d.fromRts, fromRt, o.fromKernel, o.ho.kernel), sideName(d.toRts, toRt, o.toKernel, o.ho.kernel)
	if d.fromName == d.toName {
		return nil, errors.New("--from/--to, --from-kernel/--to-kernel: both sides are the same")
	}
	return d, nil
}

// sideName names one side of an upgrade: its runtime, its kernel.
func sideName(rts []preexec.Runtime, rt, kernel, dflt string) string {
	var parts []string
	if rt != "" {
		parts = append(parts, rts[0].Name)
	}
	if kernel == "" {
		kernel = dflt
	}
	if kernel != "" {
		parts = append(parts, "kernel "+kernel)
	}
	if len(parts) == 0 {
		return "newest kernel"
	}
	return strings.Join(parts, ", ")
}

// A scanJob is one container to evaluate: a workload's, or an image
// input's (c nil), or an input that could not be read (err).
type scanJob struct {
	c     *workload.Container
	image string // the reference or path
	path  bool   // image is a local path
	file  string // the input the job came from
	err   string
	key   string
	// noWorkload: the file holds no workload (err says so).
	noWorkload bool
}

// inputJobs expands the inputs into jobs, in the order given; an input
// given twice (a shell glob and a name, say) is read once.
func inputJobs(inputs []string, lim load.Limits) []scanJob {
	var jobs []scanJob
	seen := map[string]bool{}
	for _, in := range inputs {
		if seen[filepath.Clean(in)] {
			continue
		}
		seen[filepath.Clean(in)] = true
		kind, kerr := load.Kind(in)
		st, serr := os.Stat(in)
		switch {
		case serr != nil && errors.Is(serr, os.ErrNotExist):
			if looksLikePath(in) {
				msg := in + ": no such file or directory"
				if _, err := name.ParseReference(in); err == nil && !strings.ContainsAny(in[:1], "./~") && filepath.Ext(in) == "" {
					msg += " (an image reference needs a registry host, a tag or a digest: " + in + ":latest)"
				}
				jobs = append(jobs, errJob(in, msg))
				continue
			}
			if _, err := name.ParseReference(in); err != nil {
				jobs = append(jobs, errJob(in, fmt.Sprintf("%s: %v", in, errNotImage)))
				continue
			}
			jobs = append(jobs, scanJob{image: in, key: imageKey(in)})
		case serr != nil:
			jobs = append(jobs, errJob(in, serr.Error()))
		case kerr == nil && kind == load.KindImage:
			jobs = append(jobs, scanJob{image: in, path: true, file: in, key: imageKey(in)})
		case kerr == nil && kind == load.KindBundle:
			jobs = append(jobs, errJob(in, in+": an OCI bundle is one container: use preexec check"))
		case st.IsDir():
			files, err := manifestFiles(in)
			if err != nil {
				jobs = append(jobs, errJob(in, err.Error()))
				continue
			}
			// Files of other kinds only (a Service, a ConfigMap) sit
			// beside workloads: skipped; a directory of none is an error.
			var dj []scanJob
			for _, f := range files {
				fj := manifestJobs(f, lim)
				if len(fj) == 1 && fj[0].noWorkload {
					continue
				}
				dj = append(dj, fj...)
			}
			if len(dj) == 0 {
				dj = []scanJob{errJob(in, in+": no workload in its manifests ("+strings.Join(workload.Kinds(), ", ")+", or a List of them)")}
			}
			jobs = append(jobs, dj...)
		default:
			jobs = append(jobs, manifestJobs(in, lim)...)
		}
	}
	return jobs
}

// looksLikePath reports whether in, which names no file, was meant as
// one rather than as a registry reference: it starts with /, ./, ../ or
// ~, ends with a manifest's or an archive's extension, or has a
// directory part but neither a registry host, a tag nor a digest (so
// that "./nope.tar" or "x/y.yaml" is not looked up at https://./v2/ or
// Docker Hub).
func looksLikePath(in string) bool {
	if in == "." || in == ".." || in == "~" || strings.HasPrefix(in, "/") || strings.HasPrefix(in, "./") || strings.HasPrefix(in, "../") || strings.HasPrefix(in, "~") ||
		strings.HasPrefix(in, ".\\") || strings.HasPrefix(in, "..\\") || strings.ContainsRune(in, '\\') {
		return true
	}
	switch strings.ToLower(filepath.Ext(in)) {
	case ".tar", ".tgz", ".gz", ".yaml", ".yml", ".json", ".jsonl":
		return true
	}
	if !strings.Contains(in, "/") {
		return false // "nginx", "nginx:1.25": Docker Hub names
	}
	// REPO/PATH: a reference when it has a registry host (a dot, a port
	// or localhost in its first part), a tag or a digest.
	first, rest, _ := strings.Cut(in, "/")
	if strings.ContainsAny(first, ".:") || first == "localhost" {
		return false
	}
	if strings.Contains(in, "@") || strings.Contains(rest[strings.LastIndex(rest, "/")+1:], ":") {
		return false
	}
	return true
}

// dropOwned leaves out the containers of workloads whose controller is
// among the inputs too (across all files): kubectl get -A -o json lists
// a Deployment, its ReplicaSet and its Pods, one workload. It returns how
// many it left out.
func dropOwned(jobs []scanJob) ([]scanJob, int) {
	var cs []*workload.Container
	var at []int
	for i := range jobs {
		if jobs[i].c != nil {
			cs = append(cs, jobs[i].c)
			at = append(at, i)
		}
	}
	owned := workload.OwnedBySome(cs)
	drop := map[int]bool{}
	for k, o := range owned {
		if o {
			drop[at[k]] = true
		}
	}
	if len(drop) == 0 {
		return jobs, 0
	}
	kept := make([]scanJob, 0, len(jobs)-len(drop))
	for i := range jobs {
		if !drop[i] {
			kept = append(kept, jobs[i])
		}
	}
	return kept, len(drop)
}

// imageKey is an image input's identity: no namespace, kind, workload
// or container; the image. Image inputs sort first.
func imageKey(image string) string { return strings.Repeat("\x00", 5) + image }

// errJob is an input that could not be read; its rows sort last.
func errJob(file, msg string) scanJob {
	return scanJob{file: file, err: msg, key: "\x7f" + file}
}

// manifestFiles are a directory's manifests, in name order.
func manifestFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".yaml", ".yml", ".json":
			if !e.IsDir() {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: neither an OCI image layout nor a directory of manifests (*.yaml, *.yml, *.json)", dir)
	}
	return out, nil
}

// manifestJobs are the containers of a Kubernetes manifest file.
func manifestJobs(file string, lim load.Limits) []scanJob {
	src, err := lim.ReadFile(file)
	if err != nil {
		return []scanJob{errJob(file, err.Error())}
	}
	cs, err := workload.ParseWith(file, src, spec.YAML{MaxExpansion: lim.YAMLExpansion})
	if err != nil {
		j := errJob(file, err.Error())
		j.noWorkload = errors.Is(err, workload.ErrNoWorkload)
		return []scanJob{j}
	}
	jobs := make([]scanJob, len(cs))
	for i := range cs {
		c := cs[i]
		jobs[i] = scanJob{c: &c, image: c.Image, file: file, key: c.Key()}
	}
	return jobs
}

// inShard reports whether key is in shard i of n.
func inShard(key string, i, n int) bool {
	if n <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()%uint64(n) == uint64(i)
}

// run scans the inputs: every container of the shard, in parallel; the
// rows come back sorted (rowLess).
func (s *scanner) run(ctx context.Context, inputs []string) []scanRow {
	var rows []scanRow
	s.stream(ctx, inputs, func(r *scanRow) { rows = append(rows, *r) })
	return rows
}

// stream scans the inputs as run does, and hands each row to emit, in
// run's order, as soon as the rows before it are done: only rows that
// finish ahead of their turn are held, and a row's results are the
// answer it shares with every container of the same image and settings.
// An upgrade's rows that do not change are not emitted.
func (s *scanner) stream(ctx context.Context, inputs []string, emit func(*scanRow)) {
	s.reg.ctx = ctx
	var jobs []scanJob
	all, owned := dropOwned(inputJobs(inputs, s.o.limits))
	if owned > 0 && s.stderr != nil {
		what := "containers"
		if owned == 1 {
			what = "container"
		}
		printf(s.stderr, "scan: %d %s left out: their controller (a Deployment's ReplicaSet and Pods, a CronJob's Jobs) is scanned too\n", owned, what)
	}
	keys := make([]string, len(all))
	for i := range all {
		keys[i] = all[i].key
	}
	sort.Strings(keys)
	s.inputs = fingerprint(keys...)
	for _, j := range all {
		if inShard(j.key, s.shardI, s.shardN) {
			jobs = append(jobs, j)
		}
	}
	s.scanned = len(jobs)
	// The rows' order is known before any is made: rowLess of the row
	// each job makes (key, file, line), ties in input order.
	byRow := make([]int, len(jobs))
	for i := range byRow {
		byRow[i] = i
	}
	sort.SliceStable(byRow, func(a, b int) bool {
		x, y := jobRow(&jobs[byRow[a]]), jobRow(&jobs[byRow[b]])
		return rowLess(&x, &y)
	})
	rank := make([]int, len(jobs))
	for r, i := range byRow {
		rank[i] = r
	}
	// Containers of one image next to each other: its index is built
	// once and dropped when they are done.
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return jobs[order[a]].image < jobs[order[b]].image })
	var emu sync.Mutex
	held := map[int]*scanRow{}
	nextRank := 0
	put := func(i int, row *scanRow) {
		emu.Lock()
		defer emu.Unlock()
		held[rank[i]] = row
		for {
			r, ok := held[nextRank]
			if !ok {
				return
			}
			delete(held, nextRank)
			nextRank++
			switch {
			case s.diff == nil || r.Error != "" || r.Changed:
				emit(r)
			case r.unknown:
				s.unsure++
			}
		}
	}
	next := make(chan int)
	var wg sync.WaitGroup
	var done atomic.Int64
	var pmu sync.Mutex
	var shown int64
	for w := 0; w < min(s.o.parallel, max(1, len(jobs))); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				row := s.scanOne(&jobs[i])
				put(i, &row)
				n := done.Add(1)
				// At most about a hundred redraws, and the last.
				if s.progress != nil && (n == int64(len(jobs)) || n%int64(max(1, len(jobs)/100)) == 0) {
					pmu.Lock()
					if n > shown { // workers finish out of order
						shown = n
						printf(s.progress, "\rscan: %d/%d containers", n, len(jobs))
					}
					pmu.Unlock()
				}
			}
		}()
	}
	for _, i := range order {
		next <- i
	}
	close(next)
	wg.Wait()
	if s.progress != nil && len(jobs) > 0 {
		fmt.Fprint(s.progress, "\r\033[K") // the line cleared: it said how far, not what
	}
}

// jobRow is the part of the row j makes that orders it (rowLess).
func jobRow(j *scanJob) scanRow {
	r := scanRow{Key: j.key, File: j.file}
	if j.c != nil {
		r.File, r.Line = j.c.File, j.c.Line
	}
	return r
}

// scanOne evaluates one job; a failure to read is the row's error.
func (s *scanner) scanOne(j *scanJob) scanRow {
	row := scanRow{Key: j.key, Image: j.image}
	if c := j.c; c != nil {
		row.Kind, row.Namespace, row.Workload, row.Container, row.Init = c.Kind, c.Namespace, c.Name, c.Kube.Name, c.Init
		row.File, row.Line = c.File, c.Line
	} else if j.file != "" {
		row.File = j.file
	}
	if j.err != "" {
		return s.errRow(row, j.err)
	}
	if j.image == "" {
		// The API server's words for a container without one.
		e := &spec.PodError{File: j.c.File, Line: j.c.Line, Field: j.c.Field + ".image", Msg: "Required value: the container has no image"}
		return s.errRow(row, e.Error())
	}
	if !j.path && (strings.HasPrefix(j.image, "/") || strings.HasPrefix(j.image, "./") || strings.HasPrefix(j.image, "../") || strings.HasPrefix(j.image, "~")) {
		// A path is no image reference: not looked up at https://./v2/.
		msg := fmt.Sprintf("%s: not an image reference (a path)", j.image)
		if j.c != nil {
			msg = (&spec.PodError{File: j.c.File, Line: j.c.Line, Field: j.c.Field + ".image", Msg: fmt.Sprintf("%q is not an image reference (a path)", j.image)}).Error()
		}
		return s.errRow(row, msg)
	}
	img, release, err := s.image(j)
	if err != nil {
		return s.errRow(row, err.Error())
	}
	defer release()
	row.Digest = img.digest
	eng := s.eng
	if eng == nil {
		n := load.DefaultEngine
		if j.c != nil || s.o.scc != "" {
			n = load.DefaultCRIEngine
		}
		e, err := spec.LookupEngine(n)
		if err != nil {
			return s.errRow(row, err.Error())
		}
		e.HostBounding = s.bounding()
		eng = &e
	}
	row.Engine = eng.Name
	var ov spec.Overrides
	if j.c != nil {
		k := j.c.Kube
		ov.Kube = &k
	} else if s.o.scc != "" {
		ov.Kube = &spec.KubeContainer{}
	} else {
		ov.Userns = s.o.userns
	}
	src := load.EngineInput{Config: img.cfg, Base: img.fsys, Overrides: ov, SCC: s.o.scc, BindSources: s.o.limits.BindSources}
	in, err := src.Make(j.image, *eng)
	if err != nil {
		return s.errRow(row, err.Error())
	}
	defer in.Close()
	if in.Unknown != "" {
		row.Status = 3
		row.Verdict = "unknown: " + in.Unknown
		if s.diff != nil {
			// Neither side can be told: unsure, not unchanged.
			row.Changed, row.unknown = false, true
		}
		return row
	}
	if in.Refusal != "" {
		row.Status = 1
		row.Refusal = in.Refusal
		row.Verdict = "refused by " + eng.Name + ": " + firstLine(in.Refusal)
		if s.diff != nil {
			// Both sides refuse alike: no runtime runs.
			row.Changed = false
		}
		return row
	}
	if s.diff != nil {
		return s.diffRow(row, in)
	}
	key := evalKey(eng, ov)
	var a *scanAnswer
	if key != "" {
		a = img.answer(key)
	}
	if a == nil {
		a = s.evaluate(in)
		if key != "" {
			img.keep(key, a)
		}
	}
	if a.err != "" {
		return s.errRow(row, a.err)
	}
	row.Status, row.Verdict, row.Results = a.status, a.verdict, a.results
	return row
}

// evaluate is check's prediction for in: its verdict, status and (for
// json and sarif) results.
func (s *scanner) evaluate(in *input) *scanAnswer {
	host := s.facts.host
	results := preexec.Compare(in.Plan, in.FS, s.rts, host).Results
	markDistroKernel(in, s.rts, results, s.facts)
	a := &scanAnswer{status: exitStatus(results)}
	if a.status == 2 {
		var b strings.Builder
		writeUnread(&b, results)
		a.err = strings.TrimSuffix(strings.TrimPrefix(b.String(), "preexec: "), "\n")
		return a
	}
	a.verdict = verdict(s.rts, results)
	if s.results {
		a.results = jsonResults(in, results, s.facts)
	}
	return a
}

// evalKey is what an evaluation on one image depends on: the engine and
// the overrides, without the pod's and container's names, which only
// the engine's refusals print (and refusals are not kept).
func evalKey(eng *spec.Engine, ov spec.Overrides) string {
	if ov.Kube != nil {
		k := *ov.Kube
		k.Pod, k.Namespace, k.UID, k.Name = "", "", "", ""
		ov.Kube = &k
	}
	b, err := json.Marshal(struct {
		Engine string
		Ov     spec.Overrides
	}{eng.Name, ov})
	if err != nil {
		return "" // not kept
	}
	return string(b)
}

func (s *scanner) errRow(row scanRow, msg string) scanRow {
	row.Status, row.Error, row.Verdict = 2, msg, "error: "+firstLine(msg)
	return row
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// image returns j's image indexed, from the cache; release lets it go.
func (s *scanner) image(j *scanJob) (*scanImage, func(), error) {
	var src imageSource
	var build func() (*scanImage, error)
	local, ok := imageSource{}, false
	if j.path {
		local, ok = imageSource{path: j.image}, true
		if idx, err := readIndex(j.image, s.o.limits); err == nil && idx != nil && len(idx.Manifests) == 1 && idx.Manifests[0].MediaType.IsImage() {
			local.digest = idx.Manifests[0].Digest.String()
		}
	} else {
		local, ok = s.dir.lookup(j.image)
	}
	if ok {
		src = local
		build = func() (*scanImage, error) {
			opts := &rootfs.ImageOptions{Platform: s.o.platform, Ref: src.ref}
			s.o.limits.SetImage(opts)
			m, err := load.OpenImage(src.path, opts)
			if err != nil {
				return nil, err
			}
			return newScanImage(m, src.digest), nil
		}
	} else {
		img, rsrc, err := s.reg.resolve(j.image)
		if err != nil {
			return nil, nil, err
		}
		src = rsrc
		build = func() (*scanImage, error) {
			m, err := openRemote(j.image, img, s.o.limits)
			if err != nil {
				return nil, err
			}
			return newScanImage(m, src.digest), nil
		}
	}
	img, err, release := s.cache.get(src.key(), build)
	if err != nil {
		release()
		return nil, nil, err
	}
	return img, release, nil
}

func newScanImage(m *load.ImageFile, digest string) *scanImage {
	return &scanImage{cfg: m.Config, fsys: m.Image, digest: digest}
}

// diffRow evaluates in on both sides of the upgrade. The row changes
// when a runtime's outcome does (sameResult, as check --from/--to); its
// status is check --from/--to's: 1 when a runtime that starts before
// fails after, else 3 when a side cannot be told or is extrapolated, else
// 0. With one runtime a side, the changes are check's causes: each row
// difference (and the kernel) applied alone, marked when it alone gives
// the after outcome.
func (s *scanner) diffRow(row scanRow, in *input) scanRow {
	d := s.diff
	side := func(rts []preexec.Runtime, facts hostFacts) ([]preexec.Result, *scanSide) {
		results := preexec.Compare(in.Plan, in.FS, rts, facts.host).Results
		markDistroKernel(in, rts, results, facts)
		sd := &scanSide{Status: exitStatus(results)}
		if len(rts) == 1 {
			r := results[0]
			switch {
			case r.Unknown != "":
				sd.Text = "unknown at " + string(r.Step) + ": " + r.Unknown
			case r.Starts:
				sd.Text = "starts"
			default:
				sd.Text = shownOf(in.Engine, r).Text
				sd.Step = string(r.Step)
			}
			if r.Caveat != "" {
				sd.Text += "\nuncertain: " + r.Caveat
			}
		} else {
			sd.Text = verdict(rts, results)
		}
		if s.results {
			sd.Results = jsonResults(in, results, facts)
		}
		return results, sd
	}
	before, from := side(d.fromRts, d.fromFacts)
	after, to := side(d.toRts, d.toFacts)
	from.Name, to.Name = d.fromName, d.toName
	row.From, row.To = from, to
	breaks, unsure := false, false
	for i := range after {
		if !sameResult(before[i], after[i]) {
			row.Changed = true
		}
		if before[i].Starts && !after[i].Starts && after[i].Unknown == "" {
			breaks = true
		}
		for _, r := range []preexec.Result{before[i], after[i]} {
			if r.Unknown != "" || r.Extrapolated != "" {
				unsure = true
			}
			if r.Unknown != "" {
				row.unknown = true
			}
		}
	}
	row.Verdict = outcomeWord(from.Status) + " → " + outcomeWord(to.Status)
	switch {
	case breaks:
		row.Status = 1
	case unsure:
		row.Status = 3
	}
	if !row.Changed {
		return row
	}
	if len(before) == 1 {
		for _, c := range causesOf(in, d.fromRts[0], d.toRts[0], d.fromFacts, d.toFacts, before[0], after[0]) {
			row.Changes = append(row.Changes, jsonChange{c.Field, c.From, c.To, c.Cite, c.decides, c.exact})
		}
	} else if k1, k2 := d.fromFacts.host.Kernel, d.toFacts.host.Kernel; k1 != k2 {
		// The same runtimes on both sides: the kernel alone differs.
		row.Changes = []jsonChange{{Field: "Kernel", From: kernelLabel(d.fromFacts), To: kernelLabel(d.toFacts), Decides: true}}
	}
	return row
}

// outcomeWord is one side's outcome in a word, by check's exit status.
func outcomeWord(status int) string {
	switch status {
	case 0:
		return "starts"
	case 1:
		return "fails"
	}
	return "unknown"
}

// rowsStatus is the exit status of a scan's rows: 1 when one fails, else
// 2 when one could not be read, else 3 when one cannot be told, else 0.
func rowsStatus(rows []scanRow) int {
	st := 0
	for _, r := range rows {
		st = addStatus(st, r.Status)
	}
	return st
}

// addStatus is the status of rows of status st and one more of status
// r: 1 over 2 over 3 over 0.
func addStatus(st, r int) int {
	for _, x := range []int{1, 2, 3} {
		if st == x || r == x {
			return x
		}
	}
	return 0
}
