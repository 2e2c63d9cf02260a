//go:build linux

package runtimetest

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// A Job is one runtime on one case.
type Job struct {
	Case    *Case
	Runtime Runtime
}

// A Result is a Job's outcome and how long the run took.
type Result struct {
	Job
	Outcome  Outcome
	Duration time.Duration
}

// DefaultWorkers is the number of runs in flight: one more than the CPUs,
// since a run waits on fork, exec and mount as much as it computes.
func DefaultWorkers() int { return runtime.NumCPU() + 1 }

// RunAll runs jobs on workers goroutines and returns their results in job
// order. A harness error is retried once (a timeout under load is not the
// runtime's fault); a second one is returned as it is. progress, if not
// nil, is called after each job with the number done.
func (h *Harness) RunAll(ctx context.Context, jobs []Job, workers int, progress func(done int)) []Result {
	return runPool(ctx, jobs, workers, progress, func(j Job) Result {
		start := time.Now()
		o := h.Run(ctx, j.Runtime, j.Case)
		if o.Class == HarnessError && ctx.Err() == nil {
			o = h.Run(ctx, j.Runtime, j.Case)
		}
		return Result{Job: j, Outcome: o, Duration: time.Since(start)}
	}, func(j Job) Result {
		return Result{Job: j, Outcome: harnessError(ctx.Err())}
	})
}

// runPool calls run on each of jobs from workers goroutines (DefaultWorkers
// if fewer than one) and returns the results in job order. Once ctx ends no
// job is started: each left is given unrun(job). progress, if not nil, is
// called after each job run with the number done, one call at a time.
func runPool[J, R any](ctx context.Context, jobs []J, workers int, progress func(done int), run, unrun func(J) R) []R {
	if workers < 1 {
		workers = DefaultWorkers()
	}
	results := make([]R, len(jobs))
	ran := make([]bool, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], ran[i] = run(jobs[i]), true
				if progress != nil {
					mu.Lock()
					done++
					progress(done)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for i := range results {
		if !ran[i] {
			results[i] = unrun(jobs[i])
		}
	}
	return results
}
