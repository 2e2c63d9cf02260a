package spec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/preexec/preexec/access"
)

// The engines read the image's /etc/passwd and /etc/group from the host,
// as root, with symlinks resolved inside the root: moby
// container.GetResourcePath (symlink.FollowSymlinkInScope), podman
// pkg/lookup (securejoin.SecureJoin), containerd fs.RootPath, CRI-O
// utils.openContainerFile. Every one then parses them with runc's
// libcontainer/user (moby and podman vendor it, containerd's
// oci/spec_opts.go calls its Parse*Filter functions, CRI-O uses its
// successor moby/sys/user). The rules below are those of runc v1.1's
// libcontainer/user/user.go, as podman v4.3.1 vendors it (runc
// 8b9452f75cbc). Debian's docker.io 20.10.24 is built against Debian's
// runc 1.1 sources instead of moby's vendor/ (v1.0-era, which does not trim
// group lines and words --group-add's error without ": no matching entries
// in group file"): the recorded goldens show the 1.1 texts, so the 1.1
// rules are the ones modelled.

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

// passwdEntry is libcontainer/user.User.
type passwdEntry struct {
	name       string
	uid, gid   int
	home, pass string
}

// groupEntry is libcontainer/user.Group.
type groupEntry struct {
	name string
	gid  int
	list []string
}

// scanLines splits data as bufio.Scanner with ScanLines does (a final
// "\r" dropped from each line), failing as it does on a line longer than
// bufio.MaxScanTokenSize.
func scanLines(data []byte) ([]string, error) {
	s := bufio.NewScanner(bytes.NewReader(data))
	var out []string
	for s.Scan() {
		out = append(out, s.Text())
	}
	return out, s.Err()
}

// atoiOrZero is parseParts' *int case: strconv.Atoi with the error
// dropped.
func atoiOrZero(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// parsePasswd is libcontainer/user.ParsePasswdFilter (runc v1.1):
// bufio.Scanner lines (at most bufio.MaxScanTokenSize bytes, else the
// scanner's error), each trimmed of white space, blank lines skipped —
// '#' is not special here —, fields split on ':' (missing ones empty,
// numbers that do not parse 0).
func parsePasswd(f etcFile) ([]passwdEntry, error) {
	if f.readErr != nil {
		return nil, f.readErr
	}
	lines, err := scanLines(f.data)
	if err != nil {
		return nil, err
	}
	var out []passwdEntry
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		p := strings.Split(l, ":")
		e := passwdEntry{name: p[0]}
		if len(p) > 1 {
			e.pass = p[1]
		}
		if len(p) > 2 {
			e.uid = atoiOrZero(p[2])
		}
		if len(p) > 3 {
			e.gid = atoiOrZero(p[3])
		}
		if len(p) > 5 {
			e.home = p[5]
		}
		out = append(out, e)
	}
	return out, nil
}

// parseGroup is libcontainer/user.ParseGroupFilter (runc v1.1): lines of
// any length (bufio.Reader.ReadLine, "\r\n" or "\n" ends one), trimmed
// of white space, blank lines and lines starting with '#' skipped;
// fields split on ':' and the member list on ','.
func parseGroup(f etcFile) ([]groupEntry, error) {
	if f.readErr != nil {
		return nil, f.readErr
	}
	var out []groupEntry
	for _, l := range strings.Split(string(f.data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		p := strings.Split(l, ":")
		e := groupEntry{name: p[0]}
		if len(p) > 2 {
			e.gid = atoiOrZero(p[2])
		}
		if len(p) > 3 && p[3] != "" {
			e.list = strings.Split(p[3], ",")
		}
		out = append(out, e)
	}
	return out, nil
}

// The errors of libcontainer/user.
var (
	errRange           = errors.New("uids and gids must be in range 0-2147483647")
	errNoPasswdEntries = errors.New("no matching entries in passwd file")
	errNoGroupEntries  = errors.New("no matching entries in group file")
)

// The id range libcontainer/user accepts for a uid or gid it is given.
const minID, maxID = 0, 1<<31 - 1

// execUser is libcontainer/user.ExecUser.
type execUser struct {
	uid, gid int
	sgids    []int
	home     string
}

// getExecUser is libcontainer/user.GetExecUser with nil defaults (uid 0,
// gid 0, no groups), as Docker's getUser, podman's GetUserGroupInfo and
// CRI-O's GetUserInfo call it:
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
	u := execUser{sgids: []int{}}
	parts := strings.Split(spec, ":")
	userArg, groupArg := parts[0], ""
	if len(parts) > 1 {
		groupArg = parts[1]
	}
	uidArg, uidErr := strconv.Atoi(userArg)
	gidArg, gidErr := strconv.Atoi(groupArg)

	var users []passwdEntry
	if passwd.open {
		all, err := parsePasswd(passwd)
		if err != nil {
			if userArg == "" {
				userArg = strconv.Itoa(u.uid)
			}
			return u, fmt.Errorf("unable to find user %s: %v", userArg, err)
		}
		for _, p := range all {
			switch {
			case userArg == "":
				if p.uid == u.uid {
					users = append(users, p)
				}
			case uidErr == nil:
				if p.uid == uidArg {
					users = append(users, p)
				}
			case p.name == userArg:
				users = append(users, p)
			}
		}
	}
	matched := ""
	if len(users) > 0 {
		matched = users[0].name
		u.uid, u.gid, u.home = users[0].uid, users[0].gid, users[0].home
	} else if userArg != "" {
		if uidErr != nil {
			return u, fmt.Errorf("unable to find user %s: %v", userArg, errNoPasswdEntries)
		}
		u.uid = uidArg
		if u.uid < minID || u.uid > maxID {
			return u, errRange
		}
	}
	if groupArg == "" && matched == "" {
		return u, nil
	}
	var groups []groupEntry
	if group.open {
		all, err := parseGroup(group)
		if err != nil {
			return u, fmt.Errorf("unable to find groups for spec %v: %v", matched, err)
		}
		for _, g := range all {
			switch {
			case groupArg == "":
				for _, m := range g.list {
					if m == matched {
						groups = append(groups, g)
						break
					}
				}
			case gidErr == nil:
				if g.gid == gidArg {
					groups = append(groups, g)
				}
			case g.name == groupArg:
				groups = append(groups, g)
			}
		}
	}
	switch {
	case groupArg != "" && len(groups) > 0:
		u.gid = groups[0].gid
	case groupArg != "":
		if gidErr != nil {
			return u, fmt.Errorf("unable to find group %s: %v", groupArg, errNoGroupEntries)
		}
		u.gid = gidArg
		if u.gid < minID || u.gid > maxID {
			return u, errRange
		}
	case len(groups) > 0:
		u.sgids = make([]int, len(groups))
		for i, g := range groups {
			u.sgids[i] = g.gid
		}
	}
	return u, nil
}

// getAdditionalGroups is libcontainer/user.GetAdditionalGroups (Docker's
// --group-add, podman's --group-add): each name or number is a group of
// /etc/group matched by name or by its gid's decimal text, else must be a
// number in range (`Unable to find group NAME: no matching entries in
// group file`). The gids are unique.
// libcontainer collects them in a map, so the engine's order is random;
// this model keeps the order given.
func getAdditionalGroups(names []string, group etcFile) ([]int, error) {
	var groups []groupEntry
	if group.open {
		all, err := parseGroup(group)
		if err != nil {
			return nil, fmt.Errorf("Unable to find additional groups %v: %v", names, err)
		}
		groups = all
	}
	seen := map[int]bool{}
	var out []int
	for _, ag := range names {
		found := false
		for _, g := range groups {
			if g.name == ag || strconv.Itoa(g.gid) == ag {
				if !seen[g.gid] {
					seen[g.gid] = true
					out = append(out, g.gid)
					found = true
					break
				}
			}
		}
		if found {
			continue
		}
		gid, err := strconv.ParseInt(ag, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("Unable to find group %s: %v", ag, errNoGroupEntries)
		}
		if gid < minID || gid > maxID {
			return nil, errRange
		}
		if !seen[int(gid)] {
			seen[int(gid)] = true
			out = append(out, int(gid))
		}
	}
	return out, nil
}
