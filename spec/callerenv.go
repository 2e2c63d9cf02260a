package spec

import (
	"fmt"
	"strings"
)

// callerEnvUndecided says when a bare -e NAME (no '=') decides the
// answer. The docker CLI fills it from the environment `docker run` is
// called in, and sends it bare when that lacks it, which the daemon then
// removes from the image's and its own defaults (docker/cli
// opts/env.go:ValidateEnv@v20.10.24; moby daemon/commit.go:merge and
// opts/env.go:ReplaceOrAppendEnvValues); podman takes the caller's value
// too, and NAME* every caller's variable with that prefix, and drops it
// when unset (podman pkg/env/env.go:parseEnv@v4.3.1, leading blanks of
// the name trimmed). The caller's environment is not among the model's
// inputs: the model's spec is that of a caller without the variable
// (which the engine oracle's goldens are), and where PATH could be such
// a variable and args[0] is looked up in it (no '/'), the answer is
// unknown. Other variables do not change the pre-exec checks.
func callerEnvUndecided(eng Engine, env, args []string) error {
	if len(args) == 0 || strings.Contains(args[0], "/") {
		return nil
	}
	for _, e := range env {
		if strings.Contains(e, "=") {
			continue
		}
		name, cite := e, "docker/cli opts/env.go:ValidateEnv@v20.10.24; unset there, the image's and the engine's PATH are removed and args[0] is not found"
		match := name == "PATH"
		if eng.Family == Podman {
			cite = "podman pkg/env/env.go:parseEnv@v4.3.1; unset there, the image's PATH stays"
			name = strings.TrimLeft(name, " \t\n")
			if p, ok := strings.CutSuffix(name, "*"); ok {
				match = strings.HasPrefix("PATH", p)
			} else {
				match = name == "PATH"
			}
		}
		if match {
			return &UndecidedError{Engine: eng.Name, Why: fmt.Sprintf("-e %s takes PATH from the environment the engine's command is run in (%s), which is not among the model's inputs, and args[0] %q is looked up in that PATH", e, cite, args[0])}
		}
	}
	return nil
}
