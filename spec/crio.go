package spec

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// crioProcess completes the process for CRI-O: its environment, the user
// from the image's /etc/passwd and /etc/group (GetExecUser), the groups
// and its capabilities, as CRI-O 1.34's server/container_create.go and
// container_create_linux.go do.
func crioProcess(p *specs.Process, img ImageConfig, fsys access.FS, eng Engine, k *KubeContainer, uid *int64, username string, groups []int64) error {
	refuse := func(msg string) error { return &EngineError{Engine: eng.Name, Msg: msg, Create: true} }
	// CRI-O: runtime-tools generate.New's PATH and TERM
	// (internal/factory/container/container.go), HOSTNAME, crio.conf's
	// default_env (empty by default), the container's env then the
	// image's keys it lacks (server/utils.go:mergeEnvs; image entries
	// without '=' dropped), "container=crio" (container_create_linux.go),
	// each AddProcessEnv replacing the same key in place.
	env := []string{"HOSTNAME="}
	env = append(env, k.Env...)
	for _, ie := range img.Env {
		key, _, ok := strings.Cut(ie, "=")
		if !ok || key == "" {
			continue
		}
		found := false
		for _, ke := range k.Env {
			kk, _, _ := strings.Cut(ke, "=")
			found = found || kk == key
		}
		if !found {
			env = append(env, ie)
		}
	}
	p.Env = replaceOrAppendEnv([]string{defaultPath, "TERM=xterm"}, append(env, "container=crio"))
	passwd, group := readEtc(fsys, "/etc/passwd"), readEtc(fsys, "/etc/group")
	// server/container_create.go:generateUserString: the uid, else the
	// name, else the image's whole USER.
	crioStr := username
	if uid != nil && username == "" {
		crioStr = strconv.FormatInt(*uid, 10)
	}
	if crioStr == "" {
		crioStr = img.User
	}
	eu, err := getExecUser(crioStr, passwd, group)
	if err != nil {
		return refuse("get exec user: " + err.Error())
	}
	p.User.UID, p.User.GID = uint32(eu.uid), uint32(eu.gid)
	if k.RunAsGroup != nil {
		p.User.GID = uint32(*k.RunAsGroup)
	}
	addGid := func(g uint32) {
		if !containsGid(p.User.AdditionalGids, g) {
			p.User.AdditionalGids = append(p.User.AdditionalGids, g)
		}
	}
	addGid(p.User.GID)
	// setupContainerUser@v1.34.0: Merge adds the user's /etc/group
	// memberships, Strict only the kubelet's groups (fsGroup and
	// supplementalGroups). CRI-O 1.34 reports the policy as supported and
	// its kubelet (1.34, SupplementalGroupsPolicy on by default) sends it.
	if k.SupplementalGroupsPolicy != "Strict" {
		for _, g := range eu.sgids {
			addGid(uint32(g))
		}
	}
	for _, g := range groups {
		addGid(uint32(g))
	}
	if k.Privileged {
		// internal/factory/container/container.go:SpecSetPrivileges
		// @v1.34.0: specgen.SetupPrivileged(true), not
		// SpecSetupCapabilities: every capability the kernel supports
		// (HostSpecific, capability.ListSupported) in all five sets,
		// whatever add and drop said.
		all := allCaps(caps.CAP_LAST_CAP)
		c := p.Capabilities
		c.Bounding, c.Effective, c.Permitted = all, append([]string{}, all...), append([]string{}, all...)
		c.Inheritable, c.Ambient = append([]string{}, all...), append([]string{}, all...)
		return nil
	}
	if err := crioCapsApply(p.Capabilities, eng.Caps, k); err != nil {
		return refuse(err.Error())
	}
	return nil
}

func containsGid(l []uint32, g uint32) bool {
	for _, x := range l {
		if x == g {
			return true
		}
	}
	return false
}

// crioCapsApply is CRI-O's SpecSetupCapabilities@v1.34.0
// (internal/factory/container/container.go) without inheritable
// capabilities (add_inheritable_capabilities defaults to false): the
// defaults join the added unless add or drop is ALL (any case); add ALL
// adds every capability, then drop ALL removes every one, then each other
// added name, then each other dropped name. A name gets "CAP_" unless it
// has it (any case); runtime-tools' generator upper-cases it before it
// adds or removes it (generate.go:AddProcessCapabilityBounding,
// DropProcessCapabilityBounding), so cap_sys_ptrace and CAP_SYS_PTRACE
// are one. An added name CRI-O does not know (compared in any case) is
// `unknown capability "cap_x" to add`, a dropped one `failed to drop cap
// cap_x invalid capability: CAP_X` (capabilities.CapValid's error), each
// with the name as prefixed.
func crioCapsApply(c *specs.LinuxCapabilities, defaults []string, k *KubeContainer) error {
	addAll, dropAll := containsFold(k.CapAdd, "ALL"), containsFold(k.CapDrop, "ALL")
	adds := append([]string{}, k.CapAdd...)
	if !addAll && !dropAll {
		adds = append(adds, defaults...)
	}
	all := allCaps(caps.CAP_LAST_CAP)
	prefixed := func(s string) string {
		if !strings.HasPrefix(strings.ToLower(s), "cap_") {
			return "CAP_" + strings.ToUpper(s)
		}
		return s
	}
	var b, e, p []string
	if addAll {
		b, e, p = append([]string{}, all...), append([]string{}, all...), append([]string{}, all...)
	}
	if dropAll {
		b, e, p = nil, nil, nil
	}
	for _, a := range adds {
		if strings.EqualFold(a, "ALL") {
			continue
		}
		n := prefixed(a)
		if !containsFold(all, n) {
			return fmt.Errorf("unknown capability %q to add", n)
		}
		n = strings.ToUpper(n)
		for _, l := range []*[]string{&b, &e, &p} {
			if !contains(*l, n) {
				*l = append(*l, n)
			}
		}
	}
	for _, d := range k.CapDrop {
		if strings.EqualFold(d, "ALL") {
			continue
		}
		n := prefixed(d)
		if !contains(all, strings.ToUpper(n)) {
			return fmt.Errorf("failed to drop cap %s invalid capability: %s", n, strings.ToUpper(n))
		}
		for _, l := range []*[]string{&b, &e, &p} {
			var kept []string
			for _, x := range *l {
				if x != strings.ToUpper(n) {
					kept = append(kept, x)
				}
			}
			*l = kept
		}
	}
	c.Bounding, c.Effective, c.Permitted = b, e, p
	return nil
}

func containsFold(l []string, s string) bool {
	for _, x := range l {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
