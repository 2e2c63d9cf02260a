package main

import (
	"errors"
	"flag"
	"fmt"
	"math/bits"
	"os"
	"strconv"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
	"github.com/preexec/preexec/runtimeinfo"
)

// hostOptions are the flags that describe the host: --kernel,
// --protected-symlinks, and --runtime host, which reads both from the
// running kernel unless the flags say them.
type hostOptions struct {
	kernel    string
	protected bool
	bounding  string
	// set records which of the flags were given.
	set map[string]bool
}

func (h *hostOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&h.kernel, "kernel", "", "")
	fs.BoolVar(&h.protected, "protected-symlinks", true, "")
	fs.StringVar(&h.bounding, "bounding-set", "", "")
}

// visit records which flags fs was given.
func (h *hostOptions) visit(fs *flag.FlagSet) {
	h.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { h.set[f.Name] = true })
}

// A hostFacts is the Host and where each of its values came from, for the
// output.
type hostFacts struct {
	host preexec.Host
	// kernelFrom and protectedFrom say where Kernel and
	// ProtectedSymlinks came from: "default", "flag" or "host".
	kernelFrom, protectedFrom string
	// release is the kernel text given or read ("5.4.0-150-generic").
	release string
	// boundingFrom says where Bounding came from: "default" (every
	// capability), "flag", or "host" (this machine's).
	boundingFrom string
}

// resolveHost makes the Host of the flags; readHost (for --runtime host)
// fills what the flags do not say from the running kernel.
func resolveHost(h hostOptions, readHost bool) (hostFacts, []string, error) {
	f := hostFacts{kernelFrom: "default", protectedFrom: "default", boundingFrom: "default"}
	f.host.ProtectedSymlinks = h.protected
	var notes []string
	if h.set["bounding-set"] {
		b, err := parseBoundingSet(h.bounding)
		if err != nil {
			return f, nil, err
		}
		f.host.Bounding, f.boundingFrom = b, "flag"
	} else if b, err := readBounding(); err == nil && b&caps.All != caps.All && preexec.RuntimeSetupCaps.SubsetOf(b) {
		// This machine's, where a runtime could run (its setup's
		// capabilities are all there): a host or VM without some
		// capability. One without them (a container) runs no runtime:
		// the default stays.
		f.host.Bounding, f.boundingFrom = b&caps.All, "host"
	}
	if h.set["protected-symlinks"] {
		f.protectedFrom = "flag"
	}
	if h.set["kernel"] && strings.TrimSpace(h.kernel) == "" {
		return f, nil, fmt.Errorf("--kernel: given but empty; want X.Y or a `uname -r` release (5.4.0-150-generic), or leave the flag out for the newest modelled")
	}
	if h.kernel != "" {
		v, err := parseKernel(h.kernel)
		if err != nil {
			return f, nil, err
		}
		f.host.Kernel, f.kernelFrom, f.release = v, "flag", h.kernel
	}
	if readHost && (!h.set["kernel"] || !h.set["protected-symlinks"]) {
		k, err := runtimeinfo.ReadKernel()
		if err != nil {
			return f, nil, fmt.Errorf("--runtime host: reading the running kernel: %v", err)
		}
		if !h.set["kernel"] {
			v, err := parseKernel(k.Release)
			if err != nil {
				return f, nil, fmt.Errorf("--runtime host: the running kernel's release: %v", err)
			}
			f.host.Kernel, f.kernelFrom, f.release = v, "host", k.Release
			notes = append(notes, fmt.Sprintf("kernel %s (read from /proc/sys/kernel/osrelease)", k.Release))
		}
		if !h.set["protected-symlinks"] {
			f.host.ProtectedSymlinks, f.protectedFrom = k.ProtectedSymlinks, "host"
			notes = append(notes, fmt.Sprintf("fs.protected_symlinks=%d (read from /proc/sys/fs/protected_symlinks)", b2i(k.ProtectedSymlinks)))
		}
	}
	return f, notes, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// protectedNote says that fs.protected_symlinks=1 decided r, and where the
// value came from; "" when it did not. It decided r when r fails and the
// same runtime with fs.protected_symlinks=0 does otherwise (a refused
// trailing link, or what follows from it: runc's MkdirAll of a cwd whose
// link it may not follow fails with EEXIST).
func (f hostFacts) protectedNote(in *input, r preexec.Result) string {
	if !f.host.ProtectedSymlinks || r.Starts || r.Unknown != "" || in == nil || in.Plan == nil {
		return ""
	}
	decided := false
	if d, ok := denialOf(r.Err); ok && d.Reason == access.ReasonProtectedSymlink {
		decided = true
	} else if rt := r.RuntimeBuild(); rt.Release != nil {
		// The same build (its Go patch too), fs.protected_symlinks=0.
		h := f.host
		h.ProtectedSymlinks = false
		o := preexec.Evaluate(in.Plan, in.FS, rt, h)
		switch {
		case o.Unknown == "":
			decided = o.Starts != r.Starts || o.Step != r.Step || o.Text != r.Text
		case errors.Is(o.Err, preexec.ErrGoPatch):
			// The build's Go patches differ from here on: its trace is
			// one patch's, not this build's.
		default:
			// What follows cannot be told; the setting decided r only if
			// every part of the step r failed at passed and a later step
			// was reached.
			seen, passed, later := false, true, false
			for _, s := range o.Trace() {
				switch {
				case s.Step == r.Step:
					seen, passed, later = true, passed && s.Err == nil, false
				case seen && passed:
					later = true
				}
			}
			decided = seen && passed && later
		}
	}
	if !decided {
		return ""
	}
	from := map[string]string{
		"default": "the default, as most distributions boot (systemd's 50-default.conf); --protected-symlinks=false if this host has 0",
		"flag":    "--protected-symlinks",
		"host":    "read from this host's /proc/sys/fs/protected_symlinks",
	}[f.protectedFrom]
	return "fs.protected_symlinks=1 decided it (" + from + ")"
}

// readBounding is runtimeinfo.ReadBounding (tests replace it).
var readBounding = runtimeinfo.ReadBounding

// parseBoundingSet reads --bounding-set: all; a mask as /proc/PID/status
// prints CapBnd (000001fffeffffff; an older kernel's, without the bits of
// the capabilities it does not have, lacks none of those); the
// capabilities it lacks, each after
// a '-' (-sys_resource,-net_raw), as setpriv --bounding-set takes them; or
// the capabilities it holds (CAP_CHOWN,CAP_SYS_ADMIN…). Every capability
// is 0, as in preexec.Host.
func parseBoundingSet(s string) (caps.Set, error) {
	bad := func(why string) (caps.Set, error) {
		return 0, fmt.Errorf("--bounding-set: %s; want all, a CapBnd mask (000001fffeffffff), -NAME,… (what it lacks) or NAME,… (what it holds), got %q", why, s)
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return bad("empty")
	case strings.EqualFold(s, "all"):
		return 0, nil
	}
	if n, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64); err == nil && !strings.ContainsAny(s, ",-") {
		set := caps.Set(n) & caps.All
		// An older kernel's mask has no bit above its last capability
		// (CAP_AUDIT_READ before Linux 5.8): those it lacks nothing of.
		if top := bits.Len64(uint64(set)) - 1; top >= int(caps.CAP_AUDIT_READ) {
			set |= caps.Above(caps.Cap(top))
		}
		switch set {
		case 0:
			return bad("no capability left")
		case caps.All:
			return 0, nil
		}
		return set, nil
	}
	items := strings.Split(s, ",")
	lacks := strings.HasPrefix(items[0], "-")
	set := caps.Set(0)
	for _, it := range items {
		it = strings.TrimSpace(it)
		if strings.HasPrefix(it, "-") != lacks {
			return bad("mixes -NAME and NAME")
		}
		name := strings.ToUpper(strings.TrimPrefix(it, "-"))
		if !strings.HasPrefix(name, "CAP_") {
			name = "CAP_" + name
		}
		c, ok := caps.Parse(name)
		if !ok {
			return bad(fmt.Sprintf("unknown capability %q", strings.TrimPrefix(it, "-")))
		}
		set = set.With(c)
	}
	if lacks {
		set = caps.All &^ set
	}
	if set == caps.All {
		return 0, nil
	}
	if set == 0 {
		return bad("no capability left")
	}
	return set, nil
}

// boundingNote says that the runtime's bounding set decided r, what it
// lacks and where it came from; "" when it did not: r fails and the same
// runtime with every capability does otherwise.
func (f hostFacts) boundingNote(in *input, r preexec.Result) string {
	if f.host.Bounding == 0 || r.Starts || r.Unknown != "" || in == nil || in.Plan == nil {
		return ""
	}
	rt := r.RuntimeBuild()
	if rt.Release == nil {
		return ""
	}
	h := f.host
	h.Bounding = 0
	o := preexec.Evaluate(in.Plan, in.FS, rt, h)
	if o.Starts == r.Starts && o.Step == r.Step && o.Text == r.Text && o.Unknown == r.Unknown {
		return ""
	}
	var lacks []string
	for _, c := range (caps.All &^ f.host.Bounding).Caps() {
		lacks = append(lacks, c.String())
	}
	from := map[string]string{
		"flag": "--bounding-set",
		"host": "this machine's, read from /proc/self/status; --bounding-set all for a host with every capability",
	}[f.boundingFrom]
	return fmt.Sprintf("the runtime's capability bounding set decided it: it lacks %s (%s)", strings.Join(lacks, ", "), from)
}

// hostNote is what the host's settings decided of r: fs.protected_symlinks
// and the runtime's bounding set, "" for neither.
func (f hostFacts) hostNote(in *input, r preexec.Result) string {
	p, b := f.protectedNote(in, r), f.boundingNote(in, r)
	if p != "" && b != "" {
		return p + "; " + b
	}
	return p + b
}

// parseKernel reads --kernel: X.Y, or a release as `uname -r` prints it
// ("5.4.0-150-generic", "6.18.44", "4.18.0-553.el8_10.x86_64").
func parseKernel(s string) (uint32, error) {
	h, err := preexec.HostFor(s)
	if err != nil {
		return 0, fmt.Errorf("--kernel: want X.Y or a `uname -r` release (5.4.0-150-generic), got %q", s)
	}
	return h.Kernel, nil
}

// A selection is the runtimes --runtime and --runtime-version ask for.
type selection struct {
	rts []preexec.Runtime
	// notes say what was read, for the output ("/usr/sbin/runc is
	// runc@1.1.5+debian (…)").
	notes []string
	// host: --runtime host was given.
	host bool
	// skipped says why arguments were left out; nil if none was.
	skipped error
}

// selectRuntimes returns the runtimes args ask for, each once, in the
// order first asked: a name (runc@1.1.4+go1.19, crun@1.8.1), all (every
// modelled runtime, the default), a path to a runc or crun binary (it
// contains a '/' or is an existing file that is not a name), or host (the
// runc and crun on PATH). An argument it cannot resolve is left out and
// err says why: a caller goes on with the others when there are some
// (check warns and exits 3 at best) and fails when there are none.
func selectRuntimes(args []string) ([]preexec.Runtime, error) {
	s := resolveRuntimes(args, nil)
	return s.rts, s.skipped
}

// resolveRuntimes resolves --runtime args and --runtime-version texts.
func resolveRuntimes(args, versionTexts []string) selection {
	var s selection
	var errs []error
	if len(args) == 0 && len(versionTexts) == 0 {
		args = []string{"all"}
	}
	add := func(rt preexec.Runtime) { s.rts = append(s.rts, rt) }
	for _, a := range args {
		switch {
		case a == "all":
			for _, rt := range preexec.Runtimes() {
				add(rt)
			}
		case a == "host":
			s.host = true
			paths := runtimeinfo.HostRuntimes()
			if len(paths) == 0 {
				errs = append(errs, errors.New("--runtime host: neither runc nor crun is on PATH"))
			}
			for _, p := range paths {
				rt, note, err := runtimeAt(p)
				if err != nil {
					errs = append(errs, fmt.Errorf("--runtime host: %v", err))
					continue
				}
				add(rt)
				s.notes = append(s.notes, note)
			}
		case isPath(a):
			rt, note, err := runtimeAt(a)
			if err != nil {
				errs = append(errs, fmt.Errorf("--runtime %s: %v", a, err))
				continue
			}
			add(rt)
			s.notes = append(s.notes, note)
		default:
			rt, err := preexec.LookupRuntime(a)
			if err != nil {
				errs = append(errs, fmt.Errorf("--runtime: %v", err))
				continue
			}
			add(rt)
		}
	}
	for _, text := range versionTexts {
		rt, note, err := runtimeOfText(text)
		if err != nil {
			errs = append(errs, fmt.Errorf("--runtime-version: %v", err))
			continue
		}
		add(rt)
		s.notes = append(s.notes, note)
	}
	seen := map[string]bool{}
	out := s.rts[:0]
	for _, rt := range s.rts {
		if !seen[rt.Name] {
			seen[rt.Name] = true
			out = append(out, rt)
		}
	}
	s.rts, s.skipped = out, errors.Join(errs...)
	return s
}

// isPath tells a path from a runtime name: a '/' in it, or an existing
// file where the name is not one the model knows.
func isPath(a string) bool {
	if strings.Contains(a, "/") {
		return true
	}
	if _, err := preexec.LookupRuntime(a); err == nil {
		return false
	}
	st, err := os.Stat(a)
	return err == nil && st.Mode().IsRegular()
}

// runtimeAt reads the binary at path and returns the runtime that answers
// for it, with a note saying what was read.
func runtimeAt(path string) (preexec.Runtime, string, error) {
	b, err := runtimeinfo.Read(path)
	if err != nil {
		return preexec.Runtime{}, "", err
	}
	rt, err := preexec.RuntimeFor(b)
	if err != nil {
		return preexec.Runtime{}, "", fmt.Errorf("%s: %v", path, err)
	}
	return rt, fmt.Sprintf("%s is %s (%s)", path, rt.Name, buildNote(b)), nil
}

// runtimeOfText names the runtime a --version text describes.
func runtimeOfText(text string) (preexec.Runtime, string, error) {
	b, err := preexec.ParseVersionOutput(text)
	if err != nil {
		return preexec.Runtime{}, "", err
	}
	rt, err := preexec.RuntimeFor(b)
	if err != nil {
		return preexec.Runtime{}, "", err
	}
	first, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	note := buildNote(b)
	if b.Kind == "runc" && b.Go == "" {
		note += "; no go: line, so the official release binaries' Go " + rt.Go + " is assumed"
	}
	return rt, fmt.Sprintf("%q is %s (%s)", first, rt.Name, note), nil
}

// buildNote says what was read of a binary: where its version came from,
// the toolchain, the tags, and the distribution's version when it is not
// upstream's.
func buildNote(b preexec.BuildInfo) string {
	parts := []string{b.Source}
	if up, suffix, ok := preexec.UpstreamVersion(b.Version); ok && suffix != "" {
		parts = append(parts, fmt.Sprintf("%s is upstream %s", b.Version, up))
	}
	if b.Go != "" {
		parts = append(parts, "built with "+b.Go)
	}
	if len(b.Tags) > 0 {
		parts = append(parts, "-tags "+strings.Join(b.Tags, ","))
	}
	if b.CGO != "" {
		parts = append(parts, "CGO_ENABLED="+b.CGO)
	}
	return strings.Join(parts, "; ")
}

// extrapolatedLines lists, once each, why results were extrapolated, with
// the runtimes of each reason as ranges.
func extrapolatedLines(rts []preexec.Runtime, results []preexec.Result) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range results {
		if r.Extrapolated == "" || seen[r.Extrapolated] {
			continue
		}
		seen[r.Extrapolated] = true
		why := r.Extrapolated
		names := preexec.RuntimeRanges(rts, func(i int) bool { return results[i].Extrapolated == why })
		out = append(out, fmt.Sprintf("%s: extrapolated: %s", names, why))
	}
	return out
}
