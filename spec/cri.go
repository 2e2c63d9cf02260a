package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
)

// kubeFromFlags turns docker-style flags into the Kubernetes container a
// user would write for them, for the CRI engines: a numeric --user
// [uid[:gid]] as runAsUser and runAsGroup, a name as the image user would
// be (CRI has no group names), --group-add numbers as supplementalGroups,
// --workdir, --entrypoint and the command as workingDir, command and
// args, --cap-add/--cap-drop, no-new-privileges as
// allowPrivilegeEscalation false, --privileged as privileged,
// seccomp=unconfined and seccomp=PATH as seccompProfile Unconfined and
// Localhost, --read-only, --env; --userns host is the pod's default.
func kubeFromFlags(eng Engine, ov Overrides) (*KubeContainer, error) {
	if len(ov.Tmpfs) > 0 || len(ov.Volumes) > 0 {
		return nil, &UnsupportedError{eng.Name, "mounts come from the pod's volumes, not modelled"}
	}
	switch ov.Userns {
	case "", "host":
	default:
		return nil, &UnsupportedError{eng.Name, "--userns " + ov.Userns + ": a pod asks for a user namespace with hostUsers: false (--pod)"}
	}
	k := &KubeContainer{Pod: "pod", Namespace: "default", Name: "main", WorkingDir: ov.Workdir,
		CapAdd: ov.CapAdd, CapDrop: ov.CapDrop, ReadOnlyRootFilesystem: ov.ReadOnly, Env: ov.Env, Args: ov.Cmd}
	if ov.Entrypoint != nil {
		k.Command = []string{*ov.Entrypoint}
	}
	for _, e := range ov.Env {
		if !strings.Contains(e, "=") {
			return nil, &UnsupportedError{eng.Name, "-e " + e + " takes the value of the caller's environment; a Kubernetes env entry has its value"}
		}
	}
	if ov.NoNewPrivileges {
		f := false
		k.AllowPrivilegeEscalation = &f
	}
	if ov.Privileged {
		if ov.NoNewPrivileges {
			// The API server refuses such a container
			// (pkg/apis/core/validation/validation.go:ValidateSecurityContext),
			// as ParsePod does; the CRI alone would take it.
			return nil, &UnsupportedError{eng.Name, "--privileged with no-new-privileges: Kubernetes refuses a container with privileged true and allowPrivilegeEscalation false"}
		}
		k.Privileged = true
	}
	for _, o := range ov.SecurityOpt {
		key, v, ok := strings.Cut(o, "=")
		if !ok {
			key, v, _ = strings.Cut(o, ":")
		}
		if _, err := strconv.ParseBool(v); key == "no-new-privileges" && (err == nil || o == key) {
			continue
		}
		if key == "seccomp" {
			// seccomp=unconfined is seccompProfile type Unconfined;
			// seccomp=PATH a Localhost profile, which the kubelet reads
			// on the node, not the file the caller may have (fromCRI).
			k.SeccompProfile = &KubeSeccomp{Type: "Unconfined"}
			if v != "unconfined" {
				k.SeccompProfile = &KubeSeccomp{Type: "Localhost", LocalhostProfile: v}
			}
			continue
		}
		return nil, &UnsupportedError{eng.Name, "Kubernetes has no securityContext field for --security-opt " + o}
	}
	if ov.User != "" {
		u, g, hasG := strings.Cut(ov.User, ":")
		uid, err := strconv.ParseInt(u, 10, 64)
		if err != nil {
			return nil, &UnsupportedError{eng.Name, "a Kubernetes container names its user by number (runAsUser), not " + strconv.Quote(u)}
		}
		k.RunAsUser = &uid
		if hasG {
			gid, err := strconv.ParseInt(g, 10, 64)
			if err != nil {
				return nil, &UnsupportedError{eng.Name, "a Kubernetes container names its group by number (runAsGroup), not " + strconv.Quote(g)}
			}
			k.RunAsGroup = &gid
		}
	}
	for _, g := range ov.GroupAdd {
		gid, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			return nil, &UnsupportedError{eng.Name, "supplementalGroups are numbers, not " + strconv.Quote(g)}
		}
		k.SupplementalGroups = append(k.SupplementalGroups, gid)
	}
	return k, nil
}

// criUser is what the kubelet sends as the user: the effective runAsUser,
// else the image's user from the runtime's ImageStatus (containerd
// pkg/cri/server/helpers.go:getUserFromImage@v1.6.20: the part before
// ':', a number as uid, else a name; "" as uid 0 by the kubelet's
// getImageUser), after verifyRunAsNonRoot
// (pkg/kubelet/kuberuntime/security_context_others.go).
func criUser(img ImageConfig, k *KubeContainer) (uid *int64, username string, err error) {
	var imgUID *int64
	imgName := ""
	if img.User != "" {
		u := strings.Split(img.User, ":")[0]
		if n, e := strconv.ParseInt(u, 10, 64); e == nil {
			imgUID = &n
		} else {
			imgName = u
		}
	} else {
		zero := int64(0)
		imgUID = &zero
	}
	if k.RunAsNonRoot != nil && *k.RunAsNonRoot {
		switch {
		case k.RunAsUser != nil && *k.RunAsUser == 0:
			return nil, "", fmt.Errorf("container's runAsUser breaks non-root policy (pod: %q, container: %s)", k.podName(), k.Name)
		case k.RunAsUser != nil:
		case imgUID == nil && imgName != "":
			return nil, "", fmt.Errorf("container has runAsNonRoot and image has non-numeric user (%s), cannot verify user is non-root (pod: %q, container: %s)", imgName, k.podName(), k.Name)
		case imgUID != nil && *imgUID == 0:
			return nil, "", fmt.Errorf("container has runAsNonRoot and image will run as root (pod: %q, container: %s)", k.podName(), k.Name)
		}
	}
	if k.RunAsUser != nil {
		return k.RunAsUser, "", nil
	}
	return imgUID, imgName, nil
}

// criCommand is containerd pkg/cri/opts/spec.go:WithProcessArgs@v1.6.20
// (moby's merge): command replaces the entrypoint and, without args,
// drops the image's Cmd; an image entrypoint of [""] counts as none.
// CRI-O (internal/factory/container/container.go SpecSetProcessArgs
// @v1.34.0) does the same but keeps an entrypoint [""] (emptyEntrypoint
// false).
//
// unknown0 reports that args[0] is the container's own command or args
// whose expansion read a value the model cannot know
// (KubeContainer.UnknownCommand, UnknownArgs).
func criCommand(img ImageConfig, k *KubeContainer, emptyEntrypoint bool) (argv []string, unknown0 bool, err error) {
	command, args := k.Command, k.Args
	cmdUnknown, argsUnknown := slices.Contains(k.UnknownCommand, 0), slices.Contains(k.UnknownArgs, 0)
	if len(command) == 0 {
		if len(args) == 0 {
			args = append([]string{}, img.Cmd...)
			argsUnknown = false
		}
		if command == nil && !(emptyEntrypoint && len(img.Entrypoint) == 1 && img.Entrypoint[0] == "") {
			command = append([]string{}, img.Entrypoint...)
			cmdUnknown = false
		}
	}
	if len(command) == 0 && len(args) == 0 {
		return nil, false, fmt.Errorf("no command specified")
	}
	if len(command) > 0 {
		return append(append([]string{}, command...), args...), cmdUnknown, nil
	}
	return append([]string{}, args...), argsUnknown, nil
}

// undecidedExec says why the model cannot tell what the runtime execs,
// "" when it can: args[0] is an expansion of a value it does not know, or
// args[0] has no '/' and is looked up in a PATH whose value it does not
// know (a valueFrom PATH, or envFrom that may set one). Other unknown
// values cannot change the checks and are let be.
func undecidedExec(k *KubeContainer, argv []string, unknown0 bool) string {
	const why = "; a ConfigMap, Secret or field of the pod (valueFrom, envFrom) or a Service's link variable is not among the model's inputs"
	if unknown0 {
		return fmt.Sprintf("args[0] %q is the kubelet's expansion of a variable whose value is not known here%s", argv[0], why)
	}
	if !strings.Contains(argv[0], "/") && k.pathUnknown() {
		return fmt.Sprintf("args[0] %q is looked up in PATH, whose value is not known here%s", argv[0], why)
	}
	return ""
}

// fromCRI follows the kubelet and a CRI runtime: containerd's CRI plugin
// (pkg/cri/server/container_create_linux.go:containerSpec and
// containerSpecOpts@v1.6.20) or CRI-O (server/container_create.go
// setupContainerUser@v1.34.0, internal/factory/container
// SpecSetupCapabilities).
func fromCRI(img ImageConfig, fsys access.FS, eng Engine, ov Overrides) (*specs.Spec, error) {
	k := ov.Kube
	if k == nil {
		var err error
		if k, err = kubeFromFlags(eng, ov); err != nil {
			return nil, err
		}
	}
	refuse := func(msg string) error { return &EngineError{Engine: eng.Name, Msg: msg, Create: true} }
	uid, username, err := criUser(img, k)
	if err != nil {
		return nil, refuse(err.Error())
	}
	args, unknown0, err := criCommand(img, k, eng.Family == ContainerdCRI)
	if err != nil {
		if eng.Family == ContainerdCRI {
			// CreateContainer: containerSpec's error, then its caller's
			// (pkg/cri/server/container_create.go@v1.6.20).
			return nil, refuse(fmt.Sprintf("failed to generate container %q spec: failed to generate spec: %v", ContainerID, err))
		}
		return nil, refuse(err.Error())
	}
	if k.RunAsGroup != nil && uid == nil && username == "" {
		// containerSpecOpts, then CreateContainer
		// (container_create_linux.go, container_create.go@v1.6.20).
		return nil, refuse(fmt.Sprintf("failed to get container spec opts: failed to generate user string: user group %q is specified without user", strconv.FormatInt(*k.RunAsGroup, 10)))
	}
	s := newSpec()
	p := s.Process
	p.Args = args
	p.Cwd = "/"
	if img.WorkingDir != "" {
		p.Cwd = img.WorkingDir
	}
	if k.WorkingDir != "" {
		p.Cwd = k.WorkingDir
	}
	p.NoNewPrivileges = k.NoNewPrivs()
	s.Root.Readonly = k.ReadOnlyRootFilesystem

	// User: containerd's generateUserString and oci.WithUser, or CRI-O's
	// generateUserString and GetUserInfo (libcontainer's GetExecUser).
	userstr := username
	if uid != nil && username == "" {
		userstr = strconv.FormatInt(*uid, 10)
	}
	groups := k.criGroups()
	if eng.Family == ContainerdCRI {
		err = criContainerdProcess(p, img, fsys, eng, k, uid, username, userstr, groups)
	} else {
		err = crioProcess(p, img, fsys, eng, k, uid, username, groups)
	}
	if err != nil {
		return nil, err
	}
	if err := hostUsers(s, eng, k); err != nil {
		return nil, err
	}
	if k.SupplementalGroupsPolicy == "Strict" && eng.Family == ContainerdCRI {
		return nil, &UndecidedError{Engine: eng.Name, Why: "supplementalGroupsPolicy: Strict: containerd 1.6's CRI has no such field and reports no support for it; a kubelet with the SupplementalGroupsPolicy feature (on by default from 1.33) refuses the pod on such a node (kubernetes pkg/kubelet/lifecycle/predicate.go), an older one or one with the feature off runs it with Merge (the image's /etc/group memberships added), and which kubelet runs it is not known here"}
	}
	if why := undecidedExec(k, args, unknown0); why != "" {
		return nil, &UndecidedError{Engine: eng.Name, Why: why}
	}
	if why := undecidedSeccomp(k); why != "" {
		return nil, &UndecidedError{Engine: eng.Name, Why: why}
	}
	return s, nil
}

// undecidedSeccomp says why the seccomp filter is not known here, "" when
// it is. The kubelet sends the effective seccompProfile (Unconfined
// without one, its default unless --seccomp-default); containerd's CRI
// installs none for a privileged container or Unconfined, its default
// profile for RuntimeDefault, and the file LocalhostRef names for
// Localhost (pkg/cri/server/container_create_linux.go:
// generateSeccompSpecOpts@v1.6.20); CRI-O likewise skips a privileged
// container (privileged_seccomp_profile unset, its default) and reads the
// same three kinds (server/container_create.go@v1.34.0). The default
// profiles (containerd contrib/seccomp/seccomp_default.go@v1.6.20,
// containers/common's for CRI-O) allow every system call the runtimes make
// before the exec (chdir, execve, execveat, faccessat2, openat2,
// close_range), so RuntimeDefault is modelled as no filter, as the default
// profiles of docker and podman are. A Localhost profile is a file on the
// node that preexec does not read: it may deny one of those calls.
func undecidedSeccomp(k *KubeContainer) string {
	sp := k.SeccompProfile
	if sp == nil || sp.Type != "Localhost" || k.Privileged {
		return ""
	}
	return fmt.Sprintf("seccompProfile Localhost %q is a profile file on the node, which is not among the model's inputs, and its filter may deny a system call the runtime makes before the exec (chdir, execve)", sp.LocalhostProfile)
}
