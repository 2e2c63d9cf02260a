package spec

import (
	"encoding/json"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ParseExec returns the plan of a process that `runc exec --process`
// joins to a running container: process is the process.json it is given
// (processName prefixes its errors), config the config.json the container
// was created from (configName), which gives the root filesystem, mounts,
// user namespace and seccomp filter the process meets.
//
// The process is decoded and checked as runc exec does
// (exec.go:getProcess, utils_linux.go:validateProcessSpec: cwd not empty
// and absolute, args not empty), errors pointing into process. Its
// capabilities, when absent, are the container's: runc's init falls back
// to the container config's (opencontainers/runc
// libcontainer/init_linux.go:finalizeNamespace@v1.0.0-rc92 … v1.2.9;
// libcontainer/container_linux.go:newInitConfig@v1.3.0, 73849e797) — and
// with neither, Plan.CapsAbsent says so as for a container. Its
// noNewPrivileges is its own (utils_linux.go:newProcess passes
// &p.NoNewPrivileges), never the container's. The config is checked as
// Parse checks it, but for its own process, which runc exec does not read.
func ParseExec(processName string, process []byte, configName string, config []byte) (*Plan, error) {
	var p specs.Process
	if err := json.Unmarshal(process, &p); err != nil {
		return nil, decodeError(processName, process, err)
	}
	var s specs.Spec
	if err := json.Unmarshal(config, &s); err != nil {
		return nil, decodeError(configName, config, err)
	}
	return execPlan(processName, process, configName, config, &s, &p)
}

// ForExec is ParseExec for a decoded config and process (as an engine or a
// test holds them); errors name "process.json" and "config.json".
func ForExec(s *specs.Spec, p *specs.Process) (*Plan, error) {
	pb, err := json.Marshal(p)
	if err != nil {
		return nil, &Error{File: "process.json", Msg: err.Error(), Err: err}
	}
	cb, err := json.Marshal(s)
	if err != nil {
		return nil, &Error{File: "config.json", Msg: err.Error(), Err: err}
	}
	return ParseExec("process.json", pb, "config.json", cb)
}

func execPlan(processName string, process []byte, configName string, config []byte, s *specs.Spec, p *specs.Process) (*Plan, error) {
	var pr *problem
	switch {
	case p.Cwd == "":
		pr = problemf("cwd", "Cwd property must not be empty")
	case !strings.HasPrefix(p.Cwd, "/"):
		pr = problemf("cwd", "Cwd must be an absolute path")
	case len(p.Args) == 0:
		pr = problemf("args", errEmptyArgs)
	}
	if pr != nil {
		return nil, newError(processName, process, locate(process, pr.path), pr.path, pr.msg, nil)
	}
	c := *s
	proc := *p
	if proc.Capabilities == nil && s.Process != nil {
		proc.Capabilities = s.Process.Capabilities
	}
	c.Process = &proc
	if c.Root == nil || c.Root.Path == "" {
		// runc exec reads the container's state, not root.path.
		r := specs.Root{Path: "rootfs"}
		if c.Root != nil {
			r.Readonly = c.Root.Readonly
		}
		c.Root = &r
	}
	plan, pr := plan(&c, false)
	if pr != nil {
		return nil, newError(configName, config, locate(config, pr.path), pr.path, pr.msg, nil)
	}
	if s.Process != nil {
		if strings.HasPrefix(s.Process.Cwd, "/") {
			plan.JoinedCwd = s.Process.Cwd
		}
		plan.JoinedEnv = Env(s.Process.Env)
	}
	return plan, nil
}
