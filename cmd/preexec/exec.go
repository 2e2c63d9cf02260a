package main

import (
	"encoding/json"
	"errors"

	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/spec"
)

// joinProcess makes in the process of processPath (--exec) joined to the
// running container in describes: in.Plan becomes spec.ParseExec's, the
// root filesystem stays the container's. The container must be one
// without an engine (a bundle, or a manifest with --config): an engine's
// exec wraps runc exec's error in words not modelled.
func joinProcess(in *input, processPath string, limits load.Limits) error {
	if in.Engine != nil || in.Source != nil {
		return errors.New("--exec: the container must be a bundle or a manifest with --config: an engine's exec (docker exec, kubectl exec) wraps runc exec's error in its own words, which are not modelled")
	}
	b, err := limits.ReadFile(processPath)
	if err != nil {
		return err
	}
	config, err := json.Marshal(in.Plan.Spec)
	if err != nil {
		return err
	}
	plan, err := spec.ParseExec(processPath, b, "config.json", config)
	if err != nil {
		return err
	}
	in.Plan = plan
	return nil
}
