package preexec

import (
	"errors"
	"fmt"
	"strings"
)

// A Go given without its patch level ("runc@1.3.0", whose official Go is
// recorded as "1.23"; "runc@1.3.0+go1.23") names every patch release of
// that minor. Where the minor spans more than one os/exec.LookPath variant
// (goClass: 1.20.0–1.20.1 and 1.20.2 on; 1.23.0–1.23.11 and 1.23.12 on;
// 1.24.0–1.24.5 and 1.24.6 on), the runtime is evaluated at each end, and
// when the answers differ the result is unknown, saying which patches
// answer what.

// ErrGoPatch is the Result.Err of a runtime whose Go is named without a
// patch level when the patch releases of that minor answer differently.
var ErrGoPatch = errors.New("the Go patch release that built the runtime decides")

// goTooOld says why a build with Go s is extrapolated when s is older than
// every toolchain the LookPath table was read against; "" otherwise.
func goTooOld(s string) string {
	if s == "" {
		return ""
	}
	g, err := parseGo(s)
	if err != nil {
		return ""
	}
	o, _ := parseGo(oldestGo + ".0")
	if g.atLeast(o.major, o.minor, o.patch) {
		return ""
	}
	return fmt.Sprintf("Go %s is older than every toolchain whose os/exec.LookPath the model was read against (Go %s … %s); answered with Go %s–1.18's", s, oldestGo, NewestGo(), oldestGo)
}

// officialGo is the Go of version v's official binaries.
func (l *Release) officialGo(v string) string {
	if g, ok := l.OfficialGoOf[v]; ok {
		return g
	}
	return l.OfficialGo
}

// goSpan is patch releases from..to (to < 0: and later) of one minor that
// share a goClass.
type goSpan struct {
	from, to int32
	class    int
}

// maxPatch bounds the patch levels minorSpans looks at; no Go minor has had
// as many.
const maxPatch = 64

// minorSplits reports whether the patch releases of g's minor fall in more
// than one goClass, without allocating (classes only grow with the
// version): most minors do not, and Compare asks for every runtime.
func minorSplits(g goVersion) bool {
	return goClass(goVersion{g.major, g.minor, 0}) != goClass(goVersion{g.major, g.minor, maxPatch})
}

// minorSpans splits the patch releases of g's minor by goClass.
func minorSpans(g goVersion) []goSpan {
	var out []goSpan
	for p := int32(0); p <= maxPatch; p++ {
		c := goClass(goVersion{g.major, g.minor, p})
		if n := len(out); n > 0 && out[n-1].class == c {
			out[n-1].to = p
			continue
		}
		out = append(out, goSpan{from: p, to: p, class: c})
	}
	out[len(out)-1].to = -1
	return out
}

func (s goSpan) name(g goVersion) string {
	if s.to < 0 {
		return fmt.Sprintf("≥ %d.%d.%d", g.major, g.minor, s.from)
	}
	if s.from == s.to {
		return fmt.Sprintf("%d.%d.%d", g.major, g.minor, s.from)
	}
	return fmt.Sprintf("%d.%d.%d–%d.%d.%d", g.major, g.minor, s.from, g.major, g.minor, s.to)
}

// bareMinor reports whether a Go version names a minor without a patch.
func bareMinor(s string) bool { return strings.Count(s, ".") == 1 }

// goPatchUnknown makes r, rt's result evaluated with the newest patch of
// a Go named without one, unknown when an older patch of that minor
// answers differently; m is the memo of a Compare (nil in Evaluate).
func (in *input) goPatchUnknown(rt Runtime, r *Result, m *memo) {
	// r.goV is rt.goVersion(), parsed once by Evaluate or Compare: most
	// minors do not split, which settles it without reading rt.Go again.
	g := r.goV
	if rt.Release == nil || r.Unknown != "" || !m.minorSplits(g) || rt.Release.Runtime != "runc" || !bareMinor(rt.Go) {
		return
	}
	spans := minorSpans(g)
	outcomes := make([]string, len(spans))
	differ := false
	for i, s := range spans {
		if i == len(spans)-1 {
			outcomes[i] = outcomeText(r)
			break
		}
		e := new(eval)
		e.reset(in, rt, goVersion{g.major, g.minor, s.from}, m)
		e.run()
		outcomes[i] = outcomeText(&e.res)
	}
	for _, o := range outcomes[1:] {
		differ = differ || o != outcomes[0]
	}
	if !differ {
		return
	}
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = "Go " + s.name(g)
		if i > 0 {
			names[i] = s.name(g)
		}
	}
	what := "answer"
	if len(in.plan.Args) > 0 {
		what = fmt.Sprintf("look up %q", in.plan.Args[0])
	}
	base, _, _ := strings.Cut(rt.Name, "+")
	why := fmt.Sprintf("%s %s differently (%s); name the build's Go patch, e.g. %s+go%d.%d.%d (`runc --version` prints it)",
		strings.Join(names, " and "), what, strings.Join(outcomes, " / "), base, g.major, g.minor, spans[0].from)
	*r = Result{Runtime: r.Runtime, Step: StepLookPath, Err: ErrGoPatch, Unknown: why,
		Caveat: r.Caveat, Extrapolated: r.Extrapolated, in: r.in, line: r.line, version: r.version, goName: r.goName, goV: r.goV}
}

// outcomeText is a result in a few words: "starts", "fails: TEXT",
// "unknown: WHY".
func outcomeText(r *Result) string {
	switch {
	case r.Unknown != "":
		return "unknown: " + r.Unknown
	case r.Starts:
		return "starts"
	}
	return "fails: " + r.Text
}
