package spec

import (
	"bytes"
	"fmt"
	"io"
	"slices"

	"github.com/moby/sys/user"

	"github.com/preexec/preexec/access"
)

// The engines read the image's /etc/passwd and /etc/group from the host,
// as root, with symlinks resolved inside the root: moby
// container.GetResourcePath (symlink.FollowSymlinkInScope), podman
// pkg/lookup (securejoin.SecureJoin), containerd fs.RootPath, CRI-O
// utils.openContainerFile. Every one then parses them with runc's
// libcontainer/user (moby and podman vendor it, containerd's
// oci/spec_opts.go calls its Parse*Filter functions, CRI-O uses its
// successor moby/sys/user). The rules are those of runc v1.1's
// libcontainer/user/user.go, as podman v4.3.1 vendors it (runc
// 8b9452f75cbc). Debian's docker.io 20.10.24 is built against Debian's
// runc 1.1 sources instead of moby's vendor/ (v1.0-era, which does not trim
// group lines and words --group-add's error without ": no matching entries
// in group file"): the recorded goldens show the 1.1 texts, so the 1.1
// rules are the ones modelled.
//
// They are run, not ported: github.com/moby/sys/user at user/v0.3.0, whose
// user.go is runc's libcontainer/user/user.go@v1.1.15 moved (the same
// code; only a blank line differs), and which runc v1.2.x and v1.3.x
// vendor. Later tags differ and are not used: user/v0.4.1 rejects a
// numeric user or group outside 0..2^31-1 before looking it up
// (user_utils.go:parseNumeric), reads /etc/group with bufio.Scanner capped
// at 1 MiB, and words --group-add's miss `unable to find group`; and
// user/v0.4.0 and later do not build for js or wasip1 (idtools_unix.go
// calls LookupUser, defined only in lookup_unix.go).

// etcFile is one of the image's files as an engine opens it.
type etcFile struct {
	data []byte
	// open reports that os.Open succeeded; data is nil when it did but
	// reading failed (readErr).
	open    bool
	readErr error
}

// readEtc opens name in fsys as the engines do: resolved as root inside
// the root. A name that does not resolve is not open; a directory opens
// and fails at the first read with EISDIR, as bufio.Scanner over os.File
// does.
func readEtc(fsys access.FS, name string) etcFile {
	p := access.Proc{Cred: access.Root(), FS: fsys}
	ino, real, err := p.Resolve(name)
	if err != nil {
		return etcFile{}
	}
	if ino.IsDir() {
		return etcFile{open: true, readErr: fmt.Errorf("read %s: is a directory", name)}
	}
	if !ino.IsRegular() {
		return etcFile{}
	}
	buf := make([]byte, ino.Size)
	n, err := fsys.ReadAt(real, buf, 0)
	if err != nil && err != io.EOF {
		return etcFile{open: true, readErr: fmt.Errorf("read %s: %v", name, err)}
	}
	return etcFile{data: buf[:n], open: true}
}

// reader is what the engine hands moby/sys/user for the file: nil when
// os.Open failed (GetExecUserPath passes nil then), a reader that fails at
// its first read with readErr when the read failed, else the bytes.
func (f etcFile) reader() io.Reader {
	switch {
	case !f.open:
		return nil
	case f.readErr != nil:
		return errReader{f.readErr}
	}
	return bytes.NewReader(f.data)
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// passwdEntry is the part of user.User the engines use.
type passwdEntry struct {
	name     string
	uid, gid int
}

// groupEntry is the part of user.Group the engines use.
type groupEntry struct {
	name string
	gid  int
	list []string
}

// parsePasswd is user.ParsePasswd (runc v1.1 libcontainer/user
// ParsePasswdFilter): bufio.Scanner lines, so at most
// bufio.MaxScanTokenSize bytes, else the scanner's error; each trimmed of
// white space, blank lines skipped ('#' is not special here), fields split
// on ':' (missing ones empty, numbers that do not parse 0). A file that
// did not open holds no lines.
func parsePasswd(f etcFile) ([]passwdEntry, error) {
	if !f.open {
		return nil, nil
	}
	all, err := user.ParsePasswd(f.reader())
	if err != nil {
		return nil, err
	}
	out := make([]passwdEntry, len(all))
	for i, u := range all {
		out[i] = passwdEntry{name: u.Name, uid: u.Uid, gid: u.Gid}
	}
	return out, nil
}

// parseGroup is user.ParseGroup (runc v1.1 libcontainer/user
// ParseGroupFilter): lines of any length (bufio.Reader.ReadLine), trimmed
// of white space, blank lines and lines starting with '#' skipped; fields
// split on ':' and the member list on ','. A file that did not open holds
// no lines.
func parseGroup(f etcFile) ([]groupEntry, error) {
	if !f.open {
		return nil, nil
	}
	all, err := user.ParseGroup(f.reader())
	if err != nil {
		return nil, err
	}
	out := make([]groupEntry, len(all))
	for i, g := range all {
		out[i] = groupEntry{name: g.Name, gid: g.Gid, list: g.List}
	}
	return out, nil
}

// execUser is the part of user.ExecUser the engines use.
type execUser struct {
	uid, gid int
	sgids    []int
	home     string
}

// getExecUser is user.GetExecUser with nil defaults (uid 0, gid 0, no
// groups), as Docker's getUser, podman's GetUserGroupInfo and CRI-O's
// GetUserInfo call it:
//
//  1. The spec splits on ':' into a user and a group part (a third part is
//     ignored).
//  2. The user part selects a passwd line: by uid when it is a number,
//     else by name; "" selects uid 0. The first match gives uid, gid and
//     home. No match: a name is `unable to find user NAME: no matching
//     entries in passwd file`; a number is taken as the uid with gid 0,
//     and must be in 0..2^31-1.
//  3. A group part selects a group line by gid when numeric, else by name:
//     its gid replaces the primary gid; a name that matches nothing is
//     `unable to find group NAME: no matching entries in group file`; a
//     number that matches nothing is taken as the gid.
//  4. Without a group part, a matched passwd line's name selects the
//     supplementary groups: every group whose member list holds it, in
//     file order. A group whose name equals the user's is not special.
//  5. A missing /etc/passwd or /etc/group reads as empty.
func getExecUser(spec string, passwd, group etcFile) (execUser, error) {
	eu, err := user.GetExecUser(spec, nil, passwd.reader(), group.reader())
	if err != nil {
		return execUser{sgids: []int{}}, err
	}
	return execUser{uid: eu.Uid, gid: eu.Gid, sgids: eu.Sgids, home: eu.Home}, nil
}

// getAdditionalGroups is user.GetAdditionalGroups (Docker's --group-add,
// podman's --group-add): each name or number is a group of /etc/group
// matched by name or by its gid's decimal text, else must be a number in
// range (`Unable to find group NAME: no matching entries in group file`).
// The gids are unique.
//
// GetAdditionalGroups collects them in a map, so the engine's order is
// random; this model keeps the order the names add them in: the gids of
// names[:i+1] less those of names[:i] are the one names[i] adds (the
// function is a loop over the names with one map, so a prefix's map is
// the whole call's map after that many names).
func getAdditionalGroups(names []string, group etcFile) ([]int, error) {
	all, err := user.GetAdditionalGroups(names, group.reader())
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, len(all))
	for i := range names {
		prefix, err := user.GetAdditionalGroups(names[:i+1], group.reader())
		if err != nil {
			return nil, err
		}
		for _, g := range prefix {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out, nil
}
