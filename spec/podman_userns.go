package spec

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
)

// Rootless is podman run by an ordinary user: podman and the runtime it
// starts run as uid 0 of a user namespace of their own (libpod's rootless
// namespace, made with newuidmap and newgidmap: pkg/rootless
// rootless_linux.go:BecomeRootInUserNS@v4.3.1), which maps its uid 0 to the
// user's uid and its uids 1 … to the user's /etc/subuid ranges in order
// (gids likewise with /etc/subgid). Image layers are stored with the
// image's ids through that mapping (containers/storage chowns them), so
// inside the container files keep the image's ids. Set it on a copy of the
// podman row (Engine.Rootless), as HostBounding.
//
// A rootless runtime without subordinate ranges (one id mapped, setgroups
// denied) is not modelled: podman needs the ranges for --userns keep-id and
// nomap, and FromImage refuses such a Rootless as unsupported.
type Rootless struct {
	// UID and GID are the user's own ids on the host.
	UID, GID uint32
	// SubUIDs and SubGIDs are the user's /etc/subuid and /etc/subgid
	// ranges, in the file's order.
	SubUIDs, SubGIDs []IDRange
}

// An IDRange is a line of /etc/subuid or /etc/subgid: Size ids from Start.
type IDRange struct {
	Start, Size uint32
}

// DefaultRootless is the rootless user a preexec command line assumes
// unless told: uid and gid 1000 (the first user useradd makes) with the
// range useradd gives it, 100000:65536 (shadow's SUB_UID_MIN and
// SUB_UID_COUNT defaults in login.defs).
var DefaultRootless = Rootless{UID: 1000, GID: 1000,
	SubUIDs: []IDRange{{100000, 65536}}, SubGIDs: []IDRange{{100000, 65536}}}

// ParseIDRange reads START:SIZE (an /etc/subuid line's numbers).
func ParseIDRange(s string) (IDRange, error) {
	a, b, ok := strings.Cut(s, ":")
	start, err1 := strconv.ParseUint(a, 10, 32)
	size, err2 := strconv.ParseUint(b, 10, 32)
	if !ok || err1 != nil || err2 != nil || size == 0 || start+size-1 > math.MaxUint32 {
		return IDRange{}, fmt.Errorf("%q: want START:SIZE, a subordinate id range (/etc/subuid: 100000:65536)", s)
	}
	return IDRange{uint32(start), uint32(size)}, nil
}

// nsMaps are the rootless namespace's uid and gid maps: 0 to the user's id,
// then 1 … to the ranges in order (newuidmap's lines as libpod writes them,
// pkg/rootless/rootless_linux.go:tryMappingTool@v4.3.1).
func (r *Rootless) nsMaps() (uid, gid []access.IDMap) {
	build := func(own uint32, rs []IDRange) []access.IDMap {
		m := []access.IDMap{{ContainerID: 0, HostID: own, Size: 1}}
		next := uint32(1)
		for _, x := range rs {
			m = append(m, access.IDMap{ContainerID: next, HostID: x.Start, Size: x.Size})
			next += x.Size
		}
		return m
	}
	return build(r.UID, r.SubUIDs), build(r.GID, r.SubGIDs)
}

// subSize is the number of subordinate ids of rs (libpod's maxUID, maxGID).
func subSize(rs []IDRange) int {
	n := 0
	for _, r := range rs {
		n += int(r.Size)
	}
	return n
}

// podmanNS is what --userns makes of a podman container
// (pkg/specgen/namespaces.go:SetupUserNS@v4.3.1): the spec's user
// namespace, its mappings in ids of the namespace podman runs in, and the
// process.user it sets before libpod looks the user up.
type podmanNS struct {
	// mode is "host" (no namespace of its own), "keep-id" or "nomap".
	mode string
	// uidMap and gidMap are the container's mappings into the namespace
	// podman runs in (nil for host).
	uidMap, gidMap []access.IDMap
	// uid and gid are keep-id's and nomap's process.user, set before
	// libpod looks the user up.
	uid, gid uint32
	// passwdEntry: keep-id without options adds the user's passwd entry
	// (namespaces.go: libpod.WithAddCurrentUserPasswdEntry).
	passwdEntry bool
}

// parsePodmanUserns reads --userns for eng: host and "" share podman's
// namespace (the host's, or the rootless one); keep-id[:uid=N,gid=N] and
// nomap are rootless only (pkg/util/utils.go:GetKeepIDMapping,
// GetNoMapMapping@v4.3.1); private with no --uidmap has no mappings
// (SetupUserNS: privateUserNamespace); auto needs podman's allocation of
// /etc/subuid ranges among containers (containers/storage
// getAutoUserNS), ns:PATH, container:ID and pod another namespace: those
// are unsupported. Anything else is ParseNamespace's refusal, which the
// command line makes before anything else (parseErr, with the
// unsupported); refused is MakeContainer's refusal of the mode.
func parsePodmanUserns(eng Engine, v string) (ns podmanNS, refused, parseErr error) {
	ns, err := podmanUserns(eng, v)
	var ee *EngineError
	if err != nil && (!errors.As(err, &ee) || ee.parse) {
		return ns, nil, err
	}
	return ns, err, nil
}

// podmanUserns is parsePodmanUserns's reading of v.
func podmanUserns(eng Engine, v string) (podmanNS, error) {
	refuse := func(format string, a ...any) error {
		return &EngineError{Engine: eng.Name, Msg: fmt.Sprintf(format, a...), Create: true}
	}
	rl := eng.Rootless
	switch {
	case v == "" || v == "host":
		return podmanNS{mode: "host"}, nil
	case v == "auto" || strings.HasPrefix(v, "auto:"):
		return podmanNS{}, &UnsupportedError{eng.Name, "--userns " + v + ": podman allocates the ids among its containers from /etc/subuid (containers/storage getAutoUserNS), which the model does not know"}
	case v == "pod" || strings.HasPrefix(v, "ns:") || strings.HasPrefix(v, "container:"):
		return podmanNS{}, &UnsupportedError{eng.Name, "--userns " + v + ": another namespace's mappings are not known to the model"}
	case v == "private":
		return podmanNS{}, refuse("must provide at least one UID or GID mapping to configure a user namespace")
	case v == "keep-id" || strings.HasPrefix(v, "keep-id:"):
		if rl == nil {
			return podmanNS{}, refuse("keep-id is only supported in rootless mode")
		}
		uid, gid := int(rl.UID), int(rl.GID)
		_, opts, hasOpts := strings.Cut(v, ":")
		if hasOpts {
			// namespaces.go:GetKeepIDOptions@v4.3.1.
			for _, o := range strings.Split(opts, ",") {
				k, val, ok := strings.Cut(o, "=")
				n, err := strconv.ParseUint(val, 10, 32)
				if !ok || (k != "uid" && k != "gid") || err != nil {
					return podmanNS{}, &UnsupportedError{eng.Name, "--userns " + v + ": podman's words for this keep-id option are not modelled"}
				}
				if k == "uid" {
					uid = int(n)
				} else {
					gid = int(n)
				}
			}
		}
		build := func(id, max int) []access.IDMap {
			m := []access.IDMap{
				{ContainerID: 0, HostID: 1, Size: uint32(min(id, max))},
				{ContainerID: uint32(id), HostID: 0, Size: 1},
			}
			if max > id {
				m = append(m, access.IDMap{ContainerID: uint32(id) + 1, HostID: uint32(id) + 1, Size: uint32(max - id)})
			}
			return m
		}
		return podmanNS{mode: "keep-id", uid: uint32(uid), gid: uint32(gid), passwdEntry: !hasOpts,
			uidMap: build(uid, subSize(rl.SubUIDs)), gidMap: build(gid, subSize(rl.SubGIDs))}, nil
	case v == "nomap":
		if rl == nil {
			return podmanNS{}, refuse("nomap is only supported in rootless mode")
		}
		build := func(rs []IDRange) []access.IDMap {
			var m []access.IDMap
			next := uint32(0)
			for _, r := range rs {
				m = append(m, access.IDMap{ContainerID: next, HostID: next + 1, Size: r.Size})
				next += r.Size
			}
			return m
		}
		return podmanNS{mode: "nomap", uidMap: build(rl.SubUIDs), gidMap: build(rl.SubGIDs)}, nil
	}
	return podmanNS{}, &EngineError{Engine: eng.Name, Msg: fmt.Sprintf("unrecognized namespace mode %s passed", v), Create: true, parse: true}
}

// apply writes the namespace into s (SetupUserNS: the user namespace,
// its mappings, process uid, gid and gid as the first additional gid).
func (n podmanNS) apply(s *specs.Spec) {
	if n.mode == "host" {
		return
	}
	if s.Linux == nil {
		s.Linux = &specs.Linux{}
	}
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	conv := func(m []access.IDMap) []specs.LinuxIDMapping {
		out := make([]specs.LinuxIDMapping, 0, len(m))
		for _, e := range m {
			out = append(out, specs.LinuxIDMapping{ContainerID: e.ContainerID, HostID: e.HostID, Size: e.Size})
		}
		return out
	}
	s.Linux.UIDMappings, s.Linux.GIDMappings = conv(n.uidMap), conv(n.gidMap)
	s.Process.User.UID, s.Process.User.GID = n.uid, n.gid
	s.Process.User.AdditionalGids = []uint32{n.gid}
}

// gidAvailable is generateSpec's test of an image group of the user
// (libpod/container_internal_common.go@v4.3.1): a gid inside the
// container's gid mappings, or, without them, below the number of gids of
// the namespace podman runs in (rootless.GetAvailableGids; the host's
// MaxInt32 when rootful). Others are left out with a warning.
func (n podmanNS) gidAvailable(eng Engine, gid int) bool {
	switch {
	case n.gidMap != nil:
		for _, m := range n.gidMap {
			if gid >= int(m.ContainerID) && gid < int(m.ContainerID)+int(m.Size) {
				return true
			}
		}
		return false
	case eng.Rootless != nil:
		return gid < 1+subSize(eng.Rootless.SubGIDs)
	}
	return gid < math.MaxInt32
}

// HostIDs returns the image's root filesystem as the kernel sees it when
// eng runs the container of plan, and sets plan.UserNS to the user
// namespace its process runs in, in host ids. For rootless podman that is
// the container's namespace (keep-id, nomap) composed with the rootless
// one, or the rootless one itself: the runtime, uid 0 there, makes no
// namespace of its own, and /proc/self/setgroups reads "allow" (newgidmap
// mapped a subordinate range), so runc takes itself for root (its euid is
// 0) and setgroups works for the mapped gids. The image's files are
// stored with the image's ids through that mapping: fsys's uid u is the
// host's K(u), and it appears as u inside; a bind-mounted host file keeps
// its host ids (an unmapped one is the overflow id inside, and no
// capability of the namespace applies to it: capable_wrt_inode_uidgid). A
// file whose ids the mapping does not hold is an *UnstorableError when it
// is looked up (the result is unknown): podman cannot have stored the
// image (containers/storage: "potentially insufficient UIDs or GIDs
// available in user namespace"), so what happens is not known.
//
// For rootful podman, and every other engine, fsys and plan are returned
// unchanged.
func (e Engine) HostIDs(plan *Plan, fsys access.FS) access.FS {
	if e.Family != Podman || e.Rootless == nil || plan == nil {
		return fsys
	}
	ru, rg := e.Rootless.nsMaps()
	ns := &access.UserNS{UIDMap: ru, GIDMap: rg}
	own := plan.UserNS != nil
	if own {
		ns = &access.UserNS{UIDMap: composeMaps(plan.UserNS.UIDMap, ru), GIDMap: composeMaps(plan.UserNS.GIDMap, rg)}
	} else {
		plan.UserNSInherited = true
	}
	plan.UserNS = ns
	return &storedFS{FS: fsys, ns: ns, engine: e.Name, own: own}
}

// composeMaps is inner (container ids to the parent namespace's) followed
// by outer (the parent's to the host's): container ids to host ids, ids
// the parent does not map left out.
func composeMaps(inner, outer []access.IDMap) []access.IDMap {
	var out []access.IDMap
	for _, in := range inner {
		for _, o := range outer {
			lo := max(uint64(in.HostID), uint64(o.ContainerID))
			hi := min(uint64(in.HostID)+uint64(in.Size), uint64(o.ContainerID)+uint64(o.Size))
			if lo >= hi {
				continue
			}
			out = append(out, access.IDMap{
				ContainerID: in.ContainerID + uint32(lo-uint64(in.HostID)),
				HostID:      o.HostID + uint32(lo-uint64(o.ContainerID)),
				Size:        uint32(hi - lo),
			})
		}
	}
	return out
}

// storedFS is an image's root filesystem as containers/storage keeps it
// for a container in a user namespace: every owner through the mapping.
type storedFS struct {
	access.FS
	ns     *access.UserNS
	engine string
	own    bool // the container has a namespace of its own (--userns)
}

// Lstat returns the inode with host ids.
func (s *storedFS) Lstat(name string) (access.Inode, error) {
	ino, err := s.FS.Lstat(name)
	if err != nil {
		return ino, err
	}
	u, uok := s.ns.KUID(ino.UID)
	g, gok := s.ns.KGID(ino.GID)
	if !uok || !gok {
		return access.Inode{}, &UnstorableError{Engine: s.engine, Path: name, UID: ino.UID, GID: ino.GID, OwnNS: s.own}
	}
	ino.UID, ino.GID = u, g
	return ino, nil
}

// An UnstorableError is a file of the image whose owner the container's
// user namespace does not map. In podman's own namespace rootless podman
// refuses to store such an image when it pulls or loads it
// (containers/storage: "potentially insufficient UIDs or GIDs available
// in user namespace (requested U:G for PATH)"), so no container of it
// runs; in a namespace of the container's own (--userns nomap, keep-id)
// the container's copy gives the file another owner (the rootless oracle's
// rl_nomap_unstorable: 65536 became 65533). Neither is modelled: it Is
// access.ErrNoContent, and the result is unknown.
type UnstorableError struct {
	Engine   string
	Path     string
	UID, GID uint32
	// OwnNS: the container has a user namespace of its own.
	OwnNS bool
}

// Error says which file and why.
func (e *UnstorableError) Error() string {
	if e.OwnNS {
		return fmt.Sprintf("%s (rootless): %s is owned by %d:%d, which the container's user namespace does not map: containers/storage gives it another owner in the container's copy of the image, which is not modelled", e.Engine, e.Path, e.UID, e.GID)
	}
	return fmt.Sprintf("%s (rootless) cannot store the image: %s is owned by %d:%d, which its user namespace does not map (containers/storage refuses it at pull or load: \"potentially insufficient UIDs or GIDs available in user namespace\")", e.Engine, e.Path, e.UID, e.GID)
}

// Is reports whether target is access.ErrNoContent.
func (e *UnstorableError) Is(target error) bool { return target == access.ErrNoContent }

// An OwnerFinder is a root filesystem that can name a file whose owner a
// test refuses (rootfs.Image, rootfs.MTree and rootfs.Mem are).
type OwnerFinder interface {
	FindOwner(ok func(uid, gid uint32) bool) (name string, uid, gid uint32, found bool)
}

// Unstorable returns the *UnstorableError of the first file of the
// image's root filesystem base that the user namespace of fsys, as
// HostIDs returned it for base, does not map, even one no check looks
// up: rootless podman cannot have stored such an image at all. It is nil
// when every owner is mapped, when fsys is not HostIDs' (rootful podman,
// the other engines), or when base cannot name its owners.
func Unstorable(fsys, base access.FS) error {
	s, ok := fsys.(*storedFS)
	of, ok2 := base.(OwnerFinder)
	if !ok || !ok2 {
		return nil
	}
	name, uid, gid, found := of.FindOwner(func(uid, gid uint32) bool {
		_, uok := s.ns.KUID(uid)
		_, gok := s.ns.KGID(gid)
		return uok && gok
	})
	if !found {
		return nil
	}
	return &UnstorableError{Engine: s.engine, Path: name, UID: uid, GID: gid, OwnNS: s.own}
}
