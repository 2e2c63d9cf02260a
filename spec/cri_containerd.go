package spec

import (
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/caps"
)

// criContainerdProcess completes the process for containerd's CRI plugin:
// its environment, oci.WithUser, WithAdditionalGIDs and the pod's
// supplemental groups, and its capabilities
// (pkg/cri/server/container_create_linux.go:containerSpec@v1.6.20).
func criContainerdProcess(p *specs.Process, img ImageConfig, fsys access.FS, eng Engine, k *KubeContainer, uid *int64, username, userstr string, groups []int64) error {
	// WithDefaultPathEnv, HOSTNAME, then the image's env and the
	// container's.
	p.Env = replaceOrAppendEnv(nil, []string{defaultPath})
	p.Env = replaceOrAppendEnv(p.Env, []string{"HOSTNAME="})
	p.Env = replaceOrAppendEnv(p.Env, append(append([]string{}, img.Env...), k.Env...))
	withGroup := userstr
	if k.RunAsGroup != nil {
		withGroup += ":" + strconv.FormatInt(*k.RunAsGroup, 10)
	}
	if withGroup != "" {
		if err := containerdWithUser(fsys, eng, p, withGroup); err != nil {
			return err
		}
	}
	// customopts.WithAdditionalGIDs(runAsUsername or runAsUser, "0"
	// when unset), merged and sorted (mergeGids), then
	// WithSupplementalGroups (merged and sorted again).
	before := p.User.AdditionalGids
	addUser := username
	if addUser == "" {
		addUser = "0"
		if uid != nil {
			addUser = strconv.FormatInt(*uid, 10)
		}
	}
	if err := containerdAdditionalGIDs(fsys, p, addUser); err != nil {
		// oci.WithAdditionalGIDs reads /etc/group through a temporary
		// mount of the snapshot, as WithUser does.
		return &EngineError{Engine: eng.Name, Msg: err.Error(), Create: true, Snapshot: true}
	}
	p.User.AdditionalGids = mergeGids(p.User.AdditionalGids, before)
	var sg []uint32
	for _, g := range groups {
		sg = append(sg, uint32(g))
	}
	p.User.AdditionalGids = mergeGids(p.User.AdditionalGids, sg)
	c := p.Capabilities
	c.Bounding, c.Effective, c.Permitted = append([]string{}, eng.Caps...), append([]string{}, eng.Caps...), append([]string{}, eng.Caps...)
	criContainerdCaps(c, k, eng.HostBounding)
	if k.Privileged {
		// containerSpec applies oci.WithPrivileged after WithCapabilities
		// (pkg/cri/server/container_create_linux.go@v1.6.20):
		// WithAllCurrentCapabilities, containerd's own capabilities
		// (pkg/cap.Current) in B, E and P, whatever add and drop said;
		// WithoutAmbientCaps follows. The kubelet makes the pod's sandbox
		// privileged when a container is (kuberuntime_sandbox.go), so
		// "no privileged container allowed in sandbox" does not arise.
		all := inBounding(allCaps(caps.CAP_LAST_CAP), eng.HostBounding)
		c.Bounding, c.Effective, c.Permitted = all, append([]string{}, all...), append([]string{}, all...)
		c.Ambient = nil
	}
	return nil
}

// mergeGids is pkg/cri/opts/spec_linux.go:mergeGids@v1.6.20: the union,
// sorted.
func mergeGids(a, b []uint32) []uint32 {
	set := map[uint32]bool{}
	for _, g := range append(append([]uint32{}, a...), b...) {
		set[g] = true
	}
	var out []uint32
	for g := range set {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// criContainerdCaps is pkg/cri/opts/spec_linux.go:WithCapabilities and
// WithoutAmbientCaps@v1.6.20: add ALL sets every capability, drop ALL
// none — ALL in any case, as util.InStringSlice compares with
// strings.EqualFold (pkg/cri/util/strings.go@v1.6.20; held by the engine
// oracle's flag_cap_drop_all_lowercase) — then each other name,
// upper-cased behind "CAP_", is added to or removed from B, E and P.
// Unknown names are not checked here (the runtime decides).
func criContainerdCaps(c *specs.LinuxCapabilities, k *KubeContainer, bounding caps.Set) {
	if len(k.CapAdd) == 0 && len(k.CapDrop) == 0 {
		return
	}
	if containsFold(k.CapAdd, "ALL") {
		// c.allCaps is pkg/cap.Current(): containerd's own effective set.
		all := inBounding(allCaps(caps.CAP_LAST_CAP), bounding)
		c.Bounding, c.Effective, c.Permitted = all, append([]string{}, all...), append([]string{}, all...)
	}
	if containsFold(k.CapDrop, "ALL") {
		c.Bounding, c.Effective, c.Permitted = nil, nil, nil
	}
	for _, a := range k.CapAdd {
		if strings.ToUpper(a) == "ALL" {
			continue
		}
		n := "CAP_" + strings.ToUpper(a)
		for _, l := range []*[]string{&c.Bounding, &c.Effective, &c.Permitted} {
			if !contains(*l, n) {
				*l = append(*l, n)
			}
		}
	}
	for _, d := range k.CapDrop {
		if strings.ToUpper(d) == "ALL" {
			continue
		}
		n := "CAP_" + strings.ToUpper(d)
		for _, l := range []*[]string{&c.Bounding, &c.Effective, &c.Permitted} {
			var kept []string
			for _, x := range *l {
				if x != n {
					kept = append(kept, x)
				}
			}
			*l = kept
		}
	}
	c.Ambient = nil
}
