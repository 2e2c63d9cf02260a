package main

import (
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/spec"
)

// loadBundle reads BUNDLE/config.json and its root filesystem, with bind
// and tmpfs mounts laid over it (load.Bundle), for the tests.
func loadBundle(bundle string) (*spec.Plan, access.FS, error) {
	c, err := load.Bundle(bundle, nil)
	if err != nil {
		return nil, nil, err
	}
	return c.Plan, c.FS, nil
}
