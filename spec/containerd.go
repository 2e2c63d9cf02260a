package spec

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/access"
)

// applyContainerdImage is oci/spec_opts.go:WithImageConfigArgs@v1.6.20:
// env from the image (or the default PATH when the image has none) with
// env over it; args = Entrypoint + (args or Cmd); cwd = WorkingDir or
// "/"; the image's user through WithUser and WithAdditionalGIDs(uid), or
// WithAdditionalGIDs("root") when it has none.
func applyContainerdImage(img ImageConfig, fsys access.FS, eng Engine, s *specs.Spec, env, args []string) error {
	p := s.Process
	defaults := img.Env
	if len(defaults) == 0 {
		defaults = []string{defaultPath}
	}
	p.Env = replaceOrAppendEnv(defaults, env)
	cmd := img.Cmd
	if len(args) > 0 {
		cmd = args
	}
	p.Args = append(append([]string{}, img.Entrypoint...), cmd...)
	p.Cwd = img.WorkingDir
	if p.Cwd == "" {
		p.Cwd = "/"
	}
	if img.User != "" {
		if err := containerdWithUser(fsys, eng, p, img.User); err != nil {
			return err
		}
		return containerdAdditionalGIDs(fsys, p, strconv.FormatUint(uint64(p.User.UID), 10))
	}
	return containerdAdditionalGIDs(fsys, p, "root")
}

// ensureAdditionalGids is oci/spec_opts.go:ensureAdditionalGids@v1.6.20:
// the primary gid first unless already present.
func ensureAdditionalGids(p *specs.Process) {
	for _, g := range p.User.AdditionalGids {
		if g == p.User.GID {
			return
		}
	}
	p.User.AdditionalGids = append([]uint32{p.User.GID}, p.User.AdditionalGids...)
}

// containerdWithUser is oci/spec_opts.go:WithUser@v1.6.20:
//
//  1. "uid:gid", both numbers (strconv.Atoi, then uint32): taken as given.
//  2. "name", "name:group", "uid:group", "name:gid": names looked up in
//     /etc/passwd and /etc/group (UserFromPath, GIDFromPath); a name that
//     is not there is `no users found` / `no groups found`; a missing
//     file is the open error.
//  3. "uid" alone (WithUserID): the passwd line with that uid gives uid
//     and gid; no line, or no /etc/passwd, gives gid 0.
//  4. "name" alone (WithUsername): must be in /etc/passwd.
//  5. more than one ':' is `invalid USER value U`.
//
// additionalGids are reset, then hold the primary gid
// (ensureAdditionalGids).
func containerdWithUser(fsys access.FS, eng Engine, p *specs.Process, userstr string) error {
	refuse := func(msg string) error { return &EngineError{Engine: eng.Name, Msg: msg, Create: true, Snapshot: true} }
	p.User.AdditionalGids = nil
	defer ensureAdditionalGids(p)
	passwd := readEtc(fsys, "/etc/passwd")
	parts := strings.Split(userstr, ":")
	findUser := func(match func(passwdEntry) bool) (passwdEntry, error) {
		if !passwd.open {
			return passwdEntry{}, errNotExist("/etc/passwd")
		}
		all, err := parsePasswd(passwd)
		if err != nil {
			return passwdEntry{}, err
		}
		for _, u := range all {
			if match(u) {
				return u, nil
			}
		}
		return passwdEntry{}, errNoUsersFound
	}
	switch len(parts) {
	case 1:
		v, err := strconv.Atoi(parts[0])
		if err != nil {
			u, err := findUser(func(u passwdEntry) bool { return u.name == userstr })
			if err != nil {
				return refuse(err.Error())
			}
			p.User.UID, p.User.GID = uint32(u.uid), uint32(u.gid)
			return nil
		}
		uid := uint32(v)
		u, err := findUser(func(u passwdEntry) bool { return u.uid == int(uid) })
		if err != nil {
			if err == errNoUsersFound || isNotExist(err) {
				p.User.UID, p.User.GID = uid, 0
				return nil
			}
			return refuse(err.Error())
		}
		p.User.UID, p.User.GID = uint32(u.uid), uint32(u.gid)
		return nil
	case 2:
		var username, groupname string
		var uid, gid uint32
		if v, err := strconv.Atoi(parts[0]); err != nil {
			username = parts[0]
		} else {
			uid = uint32(v)
		}
		if v, err := strconv.Atoi(parts[1]); err != nil {
			groupname = parts[1]
		} else {
			gid = uint32(v)
		}
		if username != "" {
			u, err := findUser(func(u passwdEntry) bool { return u.name == username })
			if err != nil {
				return refuse(err.Error())
			}
			uid = uint32(u.uid)
		}
		if groupname != "" {
			group := readEtc(fsys, "/etc/group")
			if !group.open {
				return refuse(errNotExist("/etc/group").Error())
			}
			all, err := parseGroup(group)
			if err != nil {
				return refuse(err.Error())
			}
			found := false
			for _, g := range all {
				if g.name == groupname {
					gid, found = uint32(g.gid), true
					break
				}
			}
			if !found {
				return refuse("no groups found")
			}
		}
		p.User.UID, p.User.GID = uid, gid
		return nil
	}
	return refuse("invalid USER value " + userstr)
}

// containerdAdditionalGIDs is oci/spec_opts.go:WithAdditionalGIDs@v1.6.20:
// the user (a uid is looked up for its name; a uid with no passwd line
// adds nothing) is searched in every group's member list, skipping a
// group whose name is the user's own (the same-name rule,
// containerd#11937); then the primary gid first.
func containerdAdditionalGIDs(fsys access.FS, p *specs.Process, userstr string) error {
	p.User.AdditionalGids = nil
	defer ensureAdditionalGids(p)
	username := userstr
	if uid, err := strconv.Atoi(userstr); err == nil {
		passwd := readEtc(fsys, "/etc/passwd")
		if !passwd.open {
			return nil
		}
		all, err := parsePasswd(passwd)
		if err != nil {
			return err
		}
		username = ""
		for _, u := range all {
			if u.uid == uid {
				username = u.name
				break
			}
		}
		if username == "" {
			return nil
		}
	}
	group := readEtc(fsys, "/etc/group")
	if !group.open {
		return nil
	}
	all, err := parseGroup(group)
	if err != nil {
		return err
	}
	for _, g := range all {
		if g.name == username {
			continue
		}
		if contains(g.list, username) {
			p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(g.gid))
		}
	}
	return nil
}

// errNoUsersFound is oci.ErrNoUsersFound.
var errNoUsersFound = fmt.Errorf("no users found")

// notExistError is the *fs.PathError os.Open returns for a missing file;
// the engine's text names the host path of the rootfs mount, which is
// left out here.
type notExistError struct{ name string }

func (e *notExistError) Error() string { return "open " + e.name + ": no such file or directory" }

func errNotExist(name string) error { return &notExistError{name} }

func isNotExist(err error) bool { _, ok := err.(*notExistError); return ok }
