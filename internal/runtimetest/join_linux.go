//go:build linux

package runtimetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// RunJoin materialises jc's container in a fresh bundle, starts it with rt
// (`run -d`, its own output to a file), runs `exec --process` for each of
// jc.Execs in turn and returns their outcomes, in order, keyed by name. The
// container is deleted (`delete -f`) whatever happened. If the container
// does not start, every exec's outcome is that harness error.
func (h *Harness) RunJoin(ctx context.Context, rt Runtime, jc *JoinCase) map[string]Outcome {
	out := map[string]Outcome{}
	all := func(o Outcome) map[string]Outcome {
		for _, e := range jc.Execs {
			out[e.Name] = o
		}
		return out
	}
	if err := jc.Validate(); err != nil {
		return all(harnessError(err))
	}
	n := h.n.Add(1)
	id := fmt.Sprintf("preexec-j%d-%d", os.Getpid(), n)
	work := filepath.Join(h.dir, strconv.FormatUint(n, 10))
	bundle := filepath.Join(work, "bundle")
	state := filepath.Join(work, "state")
	defer os.RemoveAll(work)
	for _, d := range []string{work, bundle, state} {
		if err := os.Mkdir(d, 0o711); err != nil {
			return all(harnessError(err))
		}
	}
	c := jc.Container
	c.Name, c.Rule = jc.Name, jc.Rule
	if err := Bundle(&c, bundle); err != nil {
		return all(harnessError(fmt.Errorf("bundle: %w", err)))
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		runCmd(dctx, rt.command(false, state, "delete", "-f", id))
	}()

	// run -d: the container keeps the runtime's stdio, so it goes to a
	// file, not to a pipe the harness would wait on.
	logf, err := os.Create(filepath.Join(work, "run.out"))
	if err != nil {
		return all(harnessError(err))
	}
	cmd := withBounding(rt.command(false, state, "run", "-d", "--bundle", bundle, id), c.Bounding)
	cmd.Stdout, cmd.Stderr = logf, logf
	rctx, cancel := context.WithTimeout(ctx, timeout)
	err = runDetached(rctx, cmd)
	cancel()
	logf.Close()
	if err != nil {
		b, _ := os.ReadFile(filepath.Join(work, "run.out"))
		o := harnessError(fmt.Errorf("container did not start: %w", err))
		o.Output = string(b)
		return all(o)
	}
	for i, e := range jc.Execs {
		pc := c
		pc.Process = e.Process
		b, err := json.MarshalIndent(Spec(&pc, make([]string, len(pc.Mounts))).Process, "", "\t")
		if err != nil {
			out[e.Name] = harnessError(err)
			continue
		}
		pf := filepath.Join(work, fmt.Sprintf("process-%d.json", i))
		if err := os.WriteFile(pf, b, 0o644); err != nil {
			out[e.Name] = harnessError(err)
			continue
		}
		ectx, cancel := context.WithTimeout(ctx, timeout)
		stdout, stderr, status, err := runCmd(ectx, withBounding(rt.command(false, state, "exec", "--process", pf, id), c.Bounding))
		cancel()
		if err != nil {
			o := harnessError(err)
			o.Output = joinOutput(stdout, stderr)
			out[e.Name] = o
			continue
		}
		out[e.Name] = Classify(rt.Kind, stdout, stderr, status)
	}
	return out
}

// runDetached runs cmd, whose output goes to files, until it exits or ctx
// ends, when its process group is killed.
func runDetached(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return fmt.Errorf("timeout: %w", ctx.Err())
	}
}

// A JoinJob is one runtime on one join case.
type JoinJob struct {
	Case    *JoinCase
	Runtime Runtime
}

// A JoinResult is a JoinJob's outcomes, by exec name.
type JoinResult struct {
	JoinJob
	Outcomes map[string]Outcome
	Duration time.Duration
}

// RunJoins runs jobs on workers goroutines and returns their results in
// job order. A job with a harness error in any of its outcomes (a timeout
// under load is not the runtime's fault) is made again once, whole — a
// new container and every exec, since the one it joined is gone by then
// — and its second outcomes are returned as they are.
func (h *Harness) RunJoins(ctx context.Context, jobs []JoinJob, workers int, progress func(done int)) []JoinResult {
	return runPool(ctx, jobs, workers, progress, func(j JoinJob) JoinResult {
		start := time.Now()
		out := h.RunJoin(ctx, j.Runtime, j.Case)
		if anyHarnessError(out) && ctx.Err() == nil {
			out = h.RunJoin(ctx, j.Runtime, j.Case)
		}
		return JoinResult{JoinJob: j, Outcomes: out, Duration: time.Since(start)}
	}, func(j JoinJob) JoinResult {
		r := JoinResult{JoinJob: j, Outcomes: map[string]Outcome{}}
		for _, e := range j.Case.Execs {
			r.Outcomes[e.Name] = harnessError(ctx.Err())
		}
		return r
	})
}

// anyHarnessError reports whether one of outcomes is a HarnessError.
func anyHarnessError(outcomes map[string]Outcome) bool {
	for _, o := range outcomes {
		if o.Class == HarnessError {
			return true
		}
	}
	return false
}
