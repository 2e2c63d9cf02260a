//go:build !linux

package main

import (
	"errors"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/spec"
)

func rootFS(bundle string, plan *spec.Plan) (access.FS, error) {
	return nil, errors.New("reading a root filesystem from disk needs Linux (owners, ACL and capability xattrs)")
}

func mountsOver(base access.FS, plan *spec.Plan, dir string) (access.FS, error) {
	if len(plan.Mounts) == 0 {
		return base, nil
	}
	return nil, errors.New("bind and tmpfs mounts are read from disk on Linux only")
}
