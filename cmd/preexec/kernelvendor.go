package main

import (
	"fmt"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
)

// markDistroKernel makes the results that hang on faccessat2 uncertain
// when the kernel is a distribution's older than 5.8 by its upstream
// number: each results[i] (of rts[i]) that the same runtime answers
// otherwise on a kernel with faccessat2 says so in Caveat.
func markDistroKernel(in *input, rts []preexec.Runtime, results []preexec.Result, f hostFacts) {
	tag := preexec.DistroKernel(f.release)
	f58 := access.KernelVersion(5, 8)
	if tag == "" || f.host.Kernel == 0 || f.host.Kernel >= f58 || in == nil || in.Plan == nil {
		return
	}
	h := f.host
	h.Kernel = f58
	for i := range results {
		r := &results[i]
		if i >= len(rts) || rts[i].Release == nil || r.Unknown != "" {
			continue
		}
		o := preexec.Evaluate(in.Plan, in.FS, rts[i], h)
		if sameResult(*r, o) {
			continue
		}
		with := "it starts"
		if !o.Starts {
			with = "it fails at " + string(o.Step)
		}
		why := fmt.Sprintf("kernel %s is a distribution kernel (%s) judged by its upstream number %s, without faccessat2 (5.8); its vendor may have backported faccessat2, which the model cannot tell, and with faccessat2 %s", f.release, tag, kernelText(f.host.Kernel), with)
		r.Caveat = strings.TrimPrefix(r.Caveat+"; ", "; ") + why
	}
}

// markDistroKernelOne is markDistroKernel for one result.
func markDistroKernelOne(in *input, rt preexec.Runtime, r preexec.Result, f hostFacts) preexec.Result {
	rs := []preexec.Result{r}
	markDistroKernel(in, []preexec.Runtime{rt}, rs, f)
	return rs[0]
}
