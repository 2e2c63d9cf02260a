package preexec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/sys/user"

	"github.com/preexec/preexec/access"
)

// The user resolution of runc ≤ 1.2.x, opencontainers/runc
// libcontainer/init_linux.go:setupUser@v1.1.15: user.GetExecUserPath of
// "uid:gid" with defaults {Uid: 0, Gid: 0, Home: "/"} over the container's
// /etc/passwd and /etc/group, then user.GetAdditionalGroupsPath of the
// additional gids as decimal strings (utils_linux.go:newProcess). passwd
// only confirms the uid (and names it in an error); /etc/group matters for
// a gid out of range and for the additional gids, which may name a group.
//
// The lookup is github.com/moby/sys/user at user/v0.3.0, which runc v1.2.x
// vendors and whose user.go is runc's libcontainer/user/user.go@v1.1.15
// (the same code; only a blank line differs). runc before v1.0.1
// (opencontainers/runc libcontainer/user/user.go:ParseGroupFilter@v1.0.0)
// read /etc/group with bufio.Scanner (a line over 64 KiB fails), without
// trimming white space and without skipping '#' lines. With numeric ids
// that shows only for a group line over 64 KiB (an error there), a line
// with white space around it (" 2000:x:5:" does not name additional gid
// 2000; a gid "5 " ending a line is 0) and a '#' line holding an
// additional gid above 2^31-1 (it is taken, not out of range). The model
// does not tell those versions apart: one row holds runc 1.0.0 and 1.0.1.

// maxID is the top of the range libcontainer/user accepts for an id
// without a passwd or group line.
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

// configFile is one of /etc/passwd and /etc/group as moby/sys/user reads
// it, read through the model once, when the lookup first reads it.
type configFile struct {
	p    *access.Proc
	name string
	// noContent says whether the lookup's outcome cannot depend on
	// the contents: where the filesystem has none (access.ErrNoContent)
	// the file then reads as empty instead of failing.
	noContent bool
	read      bool
	data      []byte
	err       error
}

// reader returns a reader of the file's bytes, or one failing at its
// first read with the read's error. A file that does not open reads as
// empty, as the nil reader GetExecUserPath passes does (no lines, no
// error).
func (f *configFile) reader() io.Reader {
	return &configReader{f: f}
}

type configReader struct {
	f *configFile
	r io.Reader
}

// fetch reads the file through the model, once.
func (f *configFile) fetch() {
	if !f.read {
		f.read = true
		f.data, f.err = readConfigFile(f.p, f.name)
		if f.err != nil && errors.Is(f.err, access.ErrNoContent) && f.noContent {
			f.data, f.err = nil, nil
		}
	}
}

// plain reports whether the file reads without an error and has no line
// long enough to matter to a line reader (bufio.Scanner stops at 64 KiB;
// 4 KiB is far from any limit).
func (f *configFile) plain() bool {
	f.fetch()
	if f.err != nil {
		return false
	}
	for data := f.data; len(data) > 0; {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		if len(line) > 4096 {
			return false
		}
		data = rest
	}
	return true
}

func (r *configReader) Read(b []byte) (int, error) {
	if r.r == nil {
		f := r.f
		f.fetch()
		r.r = bytes.NewReader(f.data)
		if f.err != nil {
			r.r = errReader{f.err}
		}
	}
	return r.r.Read(b)
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// resolveUserPasswd returns the gid list runc ≤ 1.2 passes to setgroups, or
// the error setupUser returns (without its prefix).
//
// Where the filesystem has no contents (access.ErrNoContent), a file that
// opens would be read by runc; what it holds is taken to matter only where
// it can change the outcome: passwd for a uid out of range (a line with
// that uid accepts it), group for a gid out of range and for additional
// gids. (A passwd line over 64 KiB would fail, and passwd's name for the
// uid is in the text of a group read error: neither is told then.)
func resolveUserPasswd(p *access.Proc, uid, gid uint32, additional []uint32) ([]uint32, error) {
	passwd := configFile{p: p, name: "/etc/passwd", noContent: uid <= maxID}
	group := configFile{p: p, name: "/etc/group", noContent: gid <= maxID && len(additional) == 0}
	if uid <= maxID && gid <= maxID && len(additional) == 0 && passwd.plain() && group.plain() {
		// Both ids are taken as they are, whatever the lines say, and no
		// gid is added: the lookup can only fail reading, which plain
		// rules out, so it need not run (it was a third of a Compare's
		// allocations). TestResolveUserPasswdPlain holds the two ways
		// equal.
		return nil, nil
	}
	return lookupUserPasswd(passwd, group, uid, gid, additional)
}

// lookupUserPasswd is resolveUserPasswd by moby/sys/user alone, over the
// files as they were read so far (copies: only this path needs them on
// the heap).
func lookupUserPasswd(pw, gr configFile, uid, gid uint32, additional []uint32) ([]uint32, error) {
	passwd, group := &pw, &gr
	spec := strconv.FormatUint(uint64(uid), 10) + ":" + strconv.FormatUint(uint64(gid), 10)
	if _, err := user.GetExecUser(spec, &user.ExecUser{Home: "/"}, passwd.reader(), group.reader()); err != nil {
		return nil, err
	}
	if len(additional) == 0 {
		return nil, nil
	}
	names := make([]string, len(additional))
	for i, g := range additional {
		names[i] = strconv.FormatUint(uint64(g), 10)
	}
	// GetAdditionalGroups collects the gids in a map (random order): the
	// gids of names[:i+1] less those of names[:i] are the one names[i]
	// adds, as spec's getAdditionalGroups keeps them for the engines.
	all, err := user.GetAdditionalGroups(names, group.reader())
	if err != nil {
		return nil, err
	}
	out := make([]uint32, 0, len(all))
	for i := range names {
		prefix, err := user.GetAdditionalGroups(names[:i+1], group.reader())
		if err != nil {
			return nil, err
		}
		for _, g := range prefix {
			if !slices.Contains(out, uint32(g)) {
				out = append(out, uint32(g))
			}
		}
	}
	return out, nil
}

// checkEnv validates process.env as the line's runc does and returns its
// complaint, "" if none.
func checkEnv(check EnvCheck, env []string) string {
	switch check {
	case EnvQuotesPair:
		for _, kv := range env {
			k, _, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Sprintf("invalid environment '%v'", kv)
			}
			if k == "" || strings.ContainsRune(kv, 0) {
				return "setenv: invalid argument"
			}
		}
	case EnvQuotesVariable:
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
	case EnvHidesPair:
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
	case EnvLastFirst:
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
