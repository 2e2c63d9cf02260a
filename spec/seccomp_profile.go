package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// SeccompFile is the profile of --security-opt seccomp=FILE as the caller
// (load) read it, for the engine that reads it: its bytes, or what reading
// it met, as the engine's os.ReadFile would report it (an *fs.PathError:
// "open FILE: no such file or directory", "read FILE: is a directory").
type SeccompFile struct {
	Data []byte
	Err  error
}

// seccompFile returns the profile ov names and whether it names one.
func (ov Overrides) seccompFile() (path string, f *SeccompFile, ok bool) {
	if ov.Seccomp == "" || ov.Seccomp == "unconfined" || ov.SeccompFile == nil {
		return "", nil, false
	}
	return ov.Seccomp, ov.SeccompFile, true
}

// dockerCLISeccomp is the docker CLI's reading of the profile before it
// sends anything to the daemon (cli/command/container/opts.go:
// parseSecurityOpts@v20.10.24): `opening seccomp profile (FILE) failed:
// ERR` when it cannot read it, `compacting json for seccomp profile (FILE)
// failed: ERR` when it is not JSON (json.Compact's syntax error). Real
// runs of docker 20.10.24 (Debian): a missing file, a directory, an empty
// file, a truncated object; each with status 125 and "See 'docker run
// --help'.".
func dockerCLISeccomp(eng Engine, ov Overrides) error {
	path, f, ok := ov.seccompFile()
	if !ok {
		return nil
	}
	cli := func(format string, a ...any) error {
		return &EngineError{Engine: eng.Name, Msg: fmt.Sprintf(format, a...), Create: true, CLI: true}
	}
	if f.Err != nil {
		return cli("opening seccomp profile (%s) failed: %v", path, f.Err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, f.Data); err != nil {
		return cli("compacting json for seccomp profile (%s) failed: %v", path, err)
	}
	return nil
}

// mobySeccomp mirrors moby's profiles/seccomp.Seccomp@v20.10.24, whose
// decoding errors name its types: it has no defaultErrnoRet, listenerPath
// or flags, so Docker 20.10 drops them.
type mobySeccomp struct {
	DefaultAction specs.LinuxSeccompAction `json:"defaultAction"`
	Architectures []specs.Arch             `json:"architectures,omitempty"`
	ArchMap       []mobyArchitecture       `json:"archMap,omitempty"`
	Syscalls      []*mobySyscall           `json:"syscalls"`
}

type mobyArchitecture struct {
	Arch      specs.Arch   `json:"architecture"`
	SubArches []specs.Arch `json:"subArchitectures"`
}

type mobyFilter struct {
	Caps      []string        `json:"caps,omitempty"`
	Arches    []string        `json:"arches,omitempty"`
	MinKernel json.RawMessage `json:"minKernel,omitempty"`
}

type mobySyscall struct {
	Name     string                   `json:"name,omitempty"`
	Names    []string                 `json:"names,omitempty"`
	Action   specs.LinuxSeccompAction `json:"action"`
	ErrnoRet *uint                    `json:"errnoRet,omitempty"`
	Args     []*specs.LinuxSeccompArg `json:"args"`
	Comment  string                   `json:"comment"`
	Includes mobyFilter               `json:"includes"`
	Excludes mobyFilter               `json:"excludes"`
}

// dockerSeccomp is dockerd's LoadProfile and setupSeccomp
// (profiles/seccomp/seccomp_linux.go@v20.10.24) for an x86_64 daemon: the
// profile becomes linux.seccomp, without defaultErrnoRet, listenerPath
// and flags, which moby's type does not have (a real docker 20.10.24 run
// with defaultErrnoRet 38 fails execve with EPERM, podman 4.3.1's with
// ENOSYS). Its refusal (at start, in the daemon) is `Decoding seccomp
// profile failed: ERR` (real run: a number as defaultAction), or one of
// setupSeccomp's. bounding is the spec's bounding set, which a rule's
// includes.caps and excludes.caps test. A rule with minKernel, which needs
// the host's kernel, is not modelled.
func dockerSeccomp(eng Engine, ov Overrides, bounding []string) (*specs.LinuxSeccomp, error) {
	_, f, ok := ov.seccompFile()
	if !ok {
		return nil, nil
	}
	daemon := func(format string, a ...any) error {
		return &EngineError{Engine: eng.Name, Msg: fmt.Sprintf(format, a...)}
	}
	var c mobySeccomp
	if err := json.Unmarshal(f.Data, &c); err != nil {
		return nil, daemon("Decoding seccomp profile failed: %s", engineDecodeError(err, mobyTypeNames, "moby"))
	}
	if c.DefaultAction == "" && len(c.Syscalls) == 0 {
		return nil, nil
	}
	if len(c.Architectures) != 0 && len(c.ArchMap) != 0 {
		return nil, daemon("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'")
	}
	out := &specs.LinuxSeccomp{DefaultAction: c.DefaultAction, Architectures: c.Architectures}
	for _, a := range c.ArchMap {
		if a.Arch == specs.ArchX86_64 {
			out.Architectures = append(append(out.Architectures, a.Arch), a.SubArches...)
			break
		}
	}
	for _, call := range c.Syscalls {
		if call == nil {
			continue
		}
		if len(call.Excludes.MinKernel) > 0 || len(call.Includes.MinKernel) > 0 {
			return nil, &UnsupportedError{eng.Name, "a seccomp profile rule with minKernel: it depends on the host's kernel, not modelled"}
		}
		if !filterIncludes(call.Includes, call.Excludes, "amd64", bounding) {
			continue
		}
		r := specs.LinuxSyscall{Action: call.Action, ErrnoRet: call.ErrnoRet, Names: call.Names}
		if call.Name != "" && len(call.Names) != 0 {
			return nil, daemon("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'")
		}
		if call.Name != "" {
			r.Names = []string{call.Name}
		}
		for _, a := range call.Args {
			if a != nil {
				r.Args = append(r.Args, *a)
			}
		}
		out.Syscalls = append(out.Syscalls, r)
	}
	return out, nil
}

// filterIncludes applies a rule's excludes, then includes, on arches (the
// daemon's native name, "amd64") and caps (every one in, or none in, the
// bounding set), as moby's and containers/common's setupSeccomp do.
func filterIncludes(inc, exc mobyFilter, arch string, bounding []string) bool {
	if slices.Contains(exc.Arches, arch) {
		return false
	}
	for _, c := range exc.Caps {
		if slices.Contains(bounding, c) {
			return false
		}
	}
	if len(inc.Arches) > 0 && !slices.Contains(inc.Arches, arch) {
		return false
	}
	for _, c := range inc.Caps {
		if !slices.Contains(bounding, c) {
			return false
		}
	}
	return true
}

// commonSeccomp mirrors containers/common pkg/seccomp.Seccomp as podman
// 4.3.1 vendors it (vendor/github.com/containers/common/pkg/seccomp/
// types.go@v4.3.1): defaultErrnoRet, defaultErrno, listenerPath and flags
// are kept.
type commonSeccomp struct {
	DefaultAction    commonAction         `json:"defaultAction"`
	DefaultErrnoRet  *uint                `json:"defaultErrnoRet,omitempty"`
	DefaultErrno     string               `json:"defaultErrno,omitempty"`
	Architectures    []commonArch         `json:"architectures,omitempty"`
	ArchMap          []commonArchitecture `json:"archMap,omitempty"`
	Syscalls         []*commonSyscall     `json:"syscalls"`
	Flags            []string             `json:"flags,omitempty"`
	ListenerPath     string               `json:"listenerPath,omitempty"`
	ListenerMetadata string               `json:"listenerMetadata,omitempty"`
}

type (
	commonAction       string
	commonArch         string
	commonOperator     string
	commonArchitecture struct {
		Arch      commonArch   `json:"architecture"`
		SubArches []commonArch `json:"subArchitectures"`
	}
	commonArg struct {
		Index    uint           `json:"index"`
		Value    uint64         `json:"value"`
		ValueTwo uint64         `json:"valueTwo"`
		Op       commonOperator `json:"op"`
	}
	commonSyscall struct {
		Name     string       `json:"name,omitempty"`
		Names    []string     `json:"names,omitempty"`
		Action   commonAction `json:"action"`
		Errno    string       `json:"errno"`
		ErrnoRet *uint        `json:"errnoRet,omitempty"`
		Args     []*commonArg `json:"args"`
		Comment  string       `json:"comment"`
		Includes mobyFilter   `json:"includes"`
		Excludes mobyFilter   `json:"excludes"`
	}
)

// mobyTypeNames and commonTypeNames are the names moby's and
// containers/common's types have in a decoding error ("Go struct field
// Seccomp.defaultAction of type seccomp.Action"); runtime-spec's keep
// theirs ("specs.LinuxSeccompAction").
var mobyTypeNames = map[reflect.Type]string{
	reflect.TypeOf(mobySeccomp{}): "seccomp.Seccomp", reflect.TypeOf(mobyArchitecture{}): "seccomp.Architecture",
	reflect.TypeOf(mobySyscall{}): "seccomp.Syscall", reflect.TypeOf(mobyFilter{}): "seccomp.Filter",
}

var commonTypeNames = map[reflect.Type]string{
	reflect.TypeOf(commonSeccomp{}): "seccomp.Seccomp", reflect.TypeOf(commonAction("")): "seccomp.Action",
	reflect.TypeOf(commonArch("")): "seccomp.Arch", reflect.TypeOf(commonOperator("")): "seccomp.Operator",
	reflect.TypeOf(commonArchitecture{}): "seccomp.Architecture", reflect.TypeOf(commonArg{}): "seccomp.Arg",
	reflect.TypeOf(commonSyscall{}): "seccomp.Syscall", reflect.TypeOf(mobyFilter{}): "seccomp.Filter",
}

// engineDecodeError is err as it reads with the engine's own types: names
// gives them, prefix is the mirror types' ("moby", "common").
func engineDecodeError(err error, names map[reflect.Type]string, prefix string) string {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Struct == "" {
		return err.Error()
	}
	typ, ok := names[te.Type]
	if !ok {
		typ = te.Type.String()
	}
	st := strings.TrimPrefix(te.Struct, prefix)
	return "json: cannot unmarshal " + te.Value + " into Go struct field " + st + "." + te.Field + " of type " + typ
}

// podmanSeccomp is podman's reading and loading of the profile
// (pkg/specgen/generate/config_linux_cgo.go:getSeccompConfig@v4.3.1,
// containers/common pkg/seccomp:LoadProfileFromBytes): `opening seccomp
// profile failed: ERR`, `loading seccomp profile (FILE) failed: decoding
// seccomp profile failed: ERR` (real runs of podman 4.3.1: a missing file,
// a directory, an empty file, a truncated object, a number as
// defaultAction; status 125). Actions, architectures and syscall names are
// passed to the runtime unchecked (real runs: SCMP_ACT_BOGUS and
// SCMP_ARCH_PDP11 reach runc, which refuses them; an unknown name is
// ignored).
func podmanSeccomp(eng Engine, ov Overrides, bounding []string) (*specs.LinuxSeccomp, error) {
	path, f, ok := ov.seccompFile()
	if !ok {
		return nil, nil
	}
	refuse := func(format string, a ...any) error {
		return &EngineError{Engine: eng.Name, Msg: fmt.Sprintf(format, a...), Create: true}
	}
	if f.Err != nil {
		return nil, refuse("opening seccomp profile failed: %v", f.Err)
	}
	var c commonSeccomp
	if err := json.Unmarshal(f.Data, &c); err != nil {
		return nil, refuse("loading seccomp profile (%s) failed: decoding seccomp profile failed: %s", path, engineDecodeError(err, commonTypeNames, "common"))
	}
	if c.DefaultAction == "" && len(c.Syscalls) == 0 {
		return nil, nil
	}
	if len(c.Architectures) != 0 && len(c.ArchMap) != 0 {
		return nil, refuse("loading seccomp profile (%s) failed: 'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'", path)
	}
	if c.DefaultErrno != "" || slices.ContainsFunc(c.Syscalls, func(s *commonSyscall) bool { return s != nil && s.Errno != "" }) {
		return nil, &UnsupportedError{eng.Name, "a seccomp profile's errno names (defaultErrno, errno): not modelled"}
	}
	out := &specs.LinuxSeccomp{DefaultAction: specs.LinuxSeccompAction(c.DefaultAction), DefaultErrnoRet: c.DefaultErrnoRet,
		ListenerPath: c.ListenerPath, ListenerMetadata: c.ListenerMetadata}
	for _, a := range c.Architectures {
		out.Architectures = append(out.Architectures, specs.Arch(a))
	}
	for _, a := range c.ArchMap {
		if a.Arch == commonArch(specs.ArchX86_64) {
			out.Architectures = append(out.Architectures, specs.Arch(a.Arch))
			for _, s := range a.SubArches {
				out.Architectures = append(out.Architectures, specs.Arch(s))
			}
			break
		}
	}
	for _, fl := range c.Flags {
		out.Flags = append(out.Flags, specs.LinuxSeccompFlag(fl))
	}
	for _, call := range c.Syscalls {
		if call == nil {
			continue
		}
		if len(call.Excludes.MinKernel) > 0 || len(call.Includes.MinKernel) > 0 {
			return nil, &UnsupportedError{eng.Name, "a seccomp profile rule with minKernel: it depends on the host's kernel, not modelled"}
		}
		if !filterIncludes(call.Includes, call.Excludes, "amd64", bounding) {
			continue
		}
		if call.Name != "" && len(call.Names) != 0 {
			return nil, refuse("loading seccomp profile (%s) failed: 'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'", path)
		}
		r := specs.LinuxSyscall{Action: specs.LinuxSeccompAction(call.Action), ErrnoRet: call.ErrnoRet, Names: call.Names}
		if call.Name != "" {
			r.Names = []string{call.Name}
		}
		for _, a := range call.Args {
			if a != nil {
				r.Args = append(r.Args, specs.LinuxSeccompArg{Index: a.Index, Value: a.Value, ValueTwo: a.ValueTwo, Op: specs.LinuxSeccompOperator(a.Op)})
			}
		}
		out.Syscalls = append(out.Syscalls, r)
	}
	return out, nil
}

// withSeccomp sets s's linux.seccomp to the profile ov names, as load
// (dockerSeccomp or podmanSeccomp) turns it into one for the spec's
// bounding set.
func withSeccomp(s *specs.Spec, load func(Engine, Overrides, []string) (*specs.LinuxSeccomp, error), eng Engine, ov Overrides) error {
	var bounding []string
	if s.Process != nil && s.Process.Capabilities != nil {
		bounding = s.Process.Capabilities.Bounding
	}
	sc, err := load(eng, ov, bounding)
	if err != nil || sc == nil {
		return err
	}
	if s.Linux == nil {
		s.Linux = &specs.Linux{}
	}
	s.Linux.Seccomp = sc
	return nil
}
