//go:build linux

package enginetest

import (
	"context"
	"fmt"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/preexec/preexec/internal/imagebuild"
	"github.com/preexec/preexec/rootfs"
)

// Archive builds the image of every case (its rootfs as one layer, shared
// by the cases with the same rootfs, under its config) and writes them all, each tagged ImageRef, to the
// docker-archive tar p.
func Archive(cases []Case, p string) error {
	tagged := make(map[string]v1.Image, len(cases))
	layers := map[string]v1.Layer{}
	for i := range cases {
		c := &cases[i]
		l, ok := layers[c.Rootfs]
		if !ok {
			f, err := rootfs.ParseFixture(c.Name, c.Rootfs)
			if err != nil {
				return err
			}
			if l, err = imagebuild.NewLayer(f); err != nil {
				return fmt.Errorf("case %s: %w", c.Name, err)
			}
			layers[c.Rootfs] = l
		}
		img, err := imagebuild.WithLayer(l, imagebuild.Config{
			User: c.Image.User, WorkingDir: c.Image.WorkingDir,
			Entrypoint: c.Image.Entrypoint, Cmd: c.Image.Cmd, Env: c.Image.Env,
		})
		if err != nil {
			return fmt.Errorf("case %s: %w", c.Name, err)
		}
		tagged[ImageRef(c)] = img
	}
	return imagebuild.WriteDockerArchives(p, tagged)
}

// A Failure is a harness error on one case and engine: the engine did
// something the harness does not know, so there is no outcome to compare.
type Failure struct {
	Case, Engine string
	Err          error
}

// RunCases creates the container of every case in every engine, jobs
// creates at a time, and returns the outcomes by case name and engine,
// and the harness failures.
func (h *Harness) RunCases(ctx context.Context, cases []Case, engines []string, jobs int) (map[string]map[string]Outcome, []Failure) {
	type job struct {
		c      *Case
		engine string
	}
	ch := make(chan job)
	var mu sync.Mutex
	out := map[string]map[string]Outcome{}
	var fails []Failure
	var wg sync.WaitGroup
	if jobs < 1 {
		jobs = 1
	}
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				o, err := h.Create(ctx, j.engine, j.c)
				mu.Lock()
				if err != nil {
					fails = append(fails, Failure{Case: j.c.Name, Engine: j.engine, Err: err})
				} else {
					if out[j.c.Name] == nil {
						out[j.c.Name] = map[string]Outcome{}
					}
					out[j.c.Name][j.engine] = o
				}
				mu.Unlock()
			}
		}()
	}
	// Interleave the engines, so that the three work at once.
	for i := range cases {
		for _, e := range engines {
			select {
			case ch <- job{&cases[i], e}:
			case <-ctx.Done():
			}
		}
	}
	close(ch)
	wg.Wait()
	return out, fails
}
