package preexec

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/preexec/preexec/access"
)

// The user resolution of runc ≤ 1.2.x: libcontainer/user.GetExecUserPath and
// GetAdditionalGroupsPath over the container's /etc/passwd and /etc/group
// (runc-preexec.md §2.1; runc v1.1.0 libcontainer/user/user.go). runc's spec
// is always "uid:gid", so passwd only confirms the uid and /etc/group only
// matters for additional gids, which may name a group.

// errRange is libcontainer/user.ErrRange.
var errRange = errors.New("uids and gids must be in range 0-2147483647")

const maxID = 1<<31 - 1

// readConfigFile reads a file of the container as runc-init root does with
// os.Open and bufio: a file that cannot be opened is absent (nil, nil); a
// directory opens and fails at read with EISDIR. Where the reader could not
// read the tree (access.ErrUnreadable), whether it opens is not known: the
// error is returned.
func readConfigFile(p *access.Proc, name string) ([]byte, error) {
	ino, err := p.Open(name, access.O_RDONLY)
	if errors.Is(err, access.ErrUnreadable) {
		return nil, &pathErr{"open", name, err}
	}
	if err != nil {
		return nil, nil
	}
	if ino.IsDir() {
		return nil, &pathErr{"read", name, access.EISDIR}
	}
	if !ino.IsRegular() {
		return nil, nil
	}
	// Resolve the final path once more to read it (Open does not return it).
	_, real, err := p.Resolve(name)
	if errors.Is(err, access.ErrUnreadable) {
		return nil, &pathErr{"open", name, err}
	}
	if err != nil {
		return nil, nil
	}
	buf := make([]byte, ino.Size)
	n, err := p.FS.ReadAt(real, buf, 0)
	if err != nil && err != io.EOF {
		return nil, &pathErr{"read", name, err}
	}
	return buf[:n], nil
}

// pathErr prints as Go's *fs.PathError with Linux errno texts.
type pathErr struct {
	op, path string
	err      error
}

func (e *pathErr) Error() string { return e.op + " " + e.path + ": " + errnoString(e.err) }
func (e *pathErr) Unwrap() error { return e.err }

// parseColonFile returns the lines of a passwd or group file split on ':',
// as libcontainer/user.parseLine does (blank lines skipped).
func parseColonFile(b []byte) [][]string {
	var out [][]string
	for l := range strings.Lines(string(b)) {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		out = append(out, strings.Split(l, ":"))
	}
	return out
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// resolveUserPasswd returns the gid list runc ≤ 1.2 passes to setgroups, or
// the error setupUser returns (without its prefix).
func resolveUserPasswd(p *access.Proc, uid, gid uint32, additional []uint32) ([]uint32, error) {
	// Where the filesystem has no contents (access.ErrNoContent), a file
	// that opens would be read by runc; what it holds matters only where
	// the lookup reads it: passwd for a uid out of range, group for
	// additional gids.
	passwd, err := readConfigFile(p, "/etc/passwd")
	if err != nil && !(errors.Is(err, access.ErrNoContent) && uid <= maxID) {
		return nil, fmt.Errorf("unable to find user %d: %w", uid, err)
	}
	matched := false
	for _, f := range parseColonFile(passwd) {
		if len(f) > 2 && atoi(f[2]) == int(uid) {
			matched = true
			break
		}
	}
	if !matched && uid > maxID {
		return nil, errRange
	}
	group, err := readConfigFile(p, "/etc/group")
	if err != nil && !(errors.Is(err, access.ErrNoContent) && (gid > maxID || len(additional) == 0)) {
		return nil, fmt.Errorf("unable to find groups for spec %d: %w", gid, err)
	}
	if gid > maxID {
		return nil, errRange
	}
	if len(additional) == 0 {
		return nil, nil
	}
	groups := parseColonFile(group)
	seen := map[uint32]bool{}
	var out []uint32
	for _, ag := range additional {
		s := strconv.FormatUint(uint64(ag), 10)
		found := false
		for _, g := range groups {
			if len(g) < 3 {
				continue
			}
			if g[0] == s || strconv.Itoa(atoi(g[2])) == s {
				id := uint32(atoi(g[2]))
				if !seen[id] {
					seen[id] = true
					out = append(out, id)
					found = true
					break
				}
			}
		}
		if !found {
			if ag > maxID {
				return nil, errRange
			}
			if !seen[ag] {
				seen[ag] = true
				out = append(out, ag)
			}
		}
	}
	return out, nil
}

// checkEnv validates process.env as the line's runc does and returns its
// complaint, "" if none.
func checkEnv(check EnvCheck, env []string) string {
	switch check {
	case EnvCheckRC92:
		for _, kv := range env {
			k, _, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Sprintf("invalid environment '%v'", kv)
			}
			if k == "" || strings.ContainsRune(kv, 0) {
				return "setenv: invalid argument"
			}
		}
	case EnvCheck100:
		for _, kv := range env {
			k, v, ok := strings.Cut(kv, "=")
			switch {
			case !ok:
				return fmt.Sprintf("invalid environment variable: %q", kv)
			case k == "":
				return fmt.Sprintf("environment variable name can't be empty: %q", kv)
			case strings.ContainsRune(k, 0):
				return fmt.Sprintf("environment variable name can't contain null(\\x00): %q", kv)
			case strings.ContainsRune(v, 0):
				return fmt.Sprintf("environment variable value can't contain null(\\x00): %q", kv)
			}
		}
	case EnvCheck118:
		for _, kv := range env {
			k, v, ok := strings.Cut(kv, "=")
			switch {
			case !ok:
				return "invalid environment variable: missing '='"
			case k == "":
				return "invalid environment variable: name cannot be empty"
			case strings.ContainsRune(k, 0):
				return fmt.Sprintf("invalid environment variable %q: name contains nul byte (\\x00)", k)
			case strings.ContainsRune(v, 0):
				return fmt.Sprintf("invalid environment variable %q: value contains nul byte (\\x00)", k)
			}
		}
	case EnvCheck130:
		saw := map[string]bool{}
		for i := len(env) - 1; i >= 0; i-- {
			kv := env[i]
			j := strings.IndexByte(kv, '=')
			switch {
			case j == -1:
				return "invalid environment variable: missing '='"
			case j == 0:
				return "invalid environment variable: name cannot be empty"
			}
			key := kv[:j]
			if saw[key] {
				continue
			}
			saw[key] = true
			if strings.IndexByte(kv, 0) >= 0 {
				return fmt.Sprintf("invalid environment variable %q: contains nul byte (\\x00)", key)
			}
		}
	}
	return ""
}
