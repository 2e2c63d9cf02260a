package main

import (
	"fmt"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
)

// distroKernel returns the distribution tag of a kernel release whose
// vendor backports features of newer upstream kernels ("el8" of
// "4.18.0-513.el8.x86_64"), "" for any other release. The model judges a
// kernel by its upstream number; for such a kernel that number may not
// say whether a syscall exists (RHEL backports; whether RHEL 8's 4.18 has
// faccessat2 is not something the model has verified).
func distroKernel(release string) string {
	for _, part := range strings.FieldsFunc(release, func(r rune) bool { return r == '.' || r == '-' || r == '_' || r == '+' }) {
		if len(part) > 2 && strings.HasPrefix(part, "el") && allDigits(part[2:]) {
			return part
		}
	}
	return ""
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// markDistroKernel makes the results that hang on faccessat2 uncertain
// when the kernel is a distribution's older than 5.8 by its upstream
// number: each results[i] (of rts[i]) that the same runtime answers
// otherwise on a kernel with faccessat2 says so in Uncertain.
func markDistroKernel(in *input, rts []preexec.Runtime, results []preexec.Result, f hostFacts) {
	tag := distroKernel(f.release)
	f58 := access.KernelVersion(5, 8)
	if tag == "" || f.host.Kernel == 0 || f.host.Kernel >= f58 || in == nil || in.plan == nil {
		return
	}
	h := f.host
	h.Kernel = f58
	for i := range results {
		r := &results[i]
		if i >= len(rts) || rts[i].Line == nil || r.Unknown != "" {
			continue
		}
		o := preexec.Evaluate(in.plan, in.fsys, rts[i], h)
		if sameResult(*r, o) {
			continue
		}
		with := "it starts"
		if !o.Starts {
			with = "it fails at " + string(o.Step)
		}
		why := fmt.Sprintf("kernel %s is a distribution kernel (%s) judged by its upstream number %s, without faccessat2 (5.8); its vendor may have backported faccessat2, which the model cannot tell, and with faccessat2 %s", f.release, tag, kernelText(f.host.Kernel), with)
		r.Uncertain = strings.TrimPrefix(r.Uncertain+"; ", "; ") + why
	}
}

// markDistroKernelOne is markDistroKernel for one result.
func markDistroKernelOne(in *input, rt preexec.Runtime, r preexec.Result, f hostFacts) preexec.Result {
	rs := []preexec.Result{r}
	markDistroKernel(in, []preexec.Runtime{rt}, rs, f)
	return rs[0]
}
