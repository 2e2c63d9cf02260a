package spec

import (
	"errors"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// PodIDs is how many ids a pod with hostUsers: false gets: the kubelet's
// default (KubeletConfiguration userNamespaces.idsPerPod, 65536; the
// kubelet's userns manager maps container ids 0 to PodIDs-1 of every
// pod of the node to a range of host ids of its own, a multiple of
// PodIDs: kubernetes/kubernetes pkg/kubelet/userns/userns_manager.go).
const PodIDs = 65536

// hostUsers applies a pod's hostUsers to the spec s the CRI engine eng
// made: nothing for the default (true); for false the user namespace the
// engine makes, or why the model cannot say what happens.
//
// CRI-O makes the user namespace the kubelet asks for (pinns, with the
// pod's mappings: cri-o/cri-o internal/config/nsmgr/nsmgr_linux.go@v1.34.0)
// and hands the same mappings to containers/storage for the container's
// root filesystem (server/sandbox_run_linux.go:configureSandboxIDMappings
// @v1.34.0): an idmapped mount of the image's layers, or a chowned copy
// where the kernel or the driver has none. Inside the container a file
// keeps the owner the image gives it, and that owner is mapped when it
// is below PodIDs. The spec says so with a mapping of container ids 0 to
// PodIDs-1 onto the same numbers: the host range the kubelet picks does
// not change a check made through the mapped root, and the root file
// system the model reads carries the image's owners. An image file owned
// by PodIDs or more is then unmapped (the overflow id; no capability
// applies to it), as through an idmapped mount; a chowned copy cannot
// map it and containers/storage fails the container instead, which the
// model does not say.
//
// containerd 1.6's CRI plugin makes no user namespace: its CRI api
// (k8s.io/cri-api v0.25.0) carries the kubelet's
// NamespaceOption.userns_options, which nothing in pkg/cri@v1.6.20
// reads (containerd 1.7 pkg/cri/opts/spec_opts.go is the first to).
// What happens to the pod is the kubelet's to decide,
// and the kubelet is not modelled. A kubelet from 1.30 on, with
// UserNamespacesSupport on (the default from 1.33), refuses the pod
// because containerd 1.6 reports no runtime handler that supports user
// namespaces (kubernetes/kubernetes#123216,
// pkg/kubelet/userns/userns_manager.go:GetOrCreateUserNamespaceMappings);
// an older one, or one with the feature off, runs it in the host's user
// namespace. The answer is an *UndecidedError saying so.
func hostUsers(s *specs.Spec, eng Engine, k *KubeContainer) error {
	if k.HostUsers == nil || *k.HostUsers {
		return nil
	}
	if eng.Family != CRIO {
		return &UndecidedError{Engine: eng.Name, Why: "hostUsers: false: containerd 1.6 makes no user namespace for a pod; a kubelet from 1.30 on (UserNamespacesSupport) refuses the pod, an older one runs it in the host's user namespace, and which kubelet runs it is not known here"}
	}
	ids := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 0, Size: PodIDs}}
	if s.Linux == nil {
		s.Linux = &specs.Linux{}
	}
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	s.Linux.UIDMappings = ids
	s.Linux.GIDMappings = append([]specs.LinuxIDMapping(nil), ids...)
	return nil
}

// ErrUndecided is what an *UndecidedError is (errors.Is).
var ErrUndecided = errors.New("decided outside the model's inputs")

// An UndecidedError says that what becomes of a container depends on
// something outside the model's inputs — another component's version,
// such as the kubelet's: FromImage gives neither a spec nor a refusal,
// and the answer is unknown.
type UndecidedError struct {
	// Engine is the row's name.
	Engine string
	// Why says what decides, and between what.
	Why string
}

// Error returns "ENGINE: WHY".
func (e *UndecidedError) Error() string { return e.Engine + ": " + e.Why }

// Is reports whether target is ErrUndecided.
func (e *UndecidedError) Is(target error) bool { return target == ErrUndecided }
