package access

import "io/fs"

// Mkdir decides mkdir(2) of name, as fs/namei.c:do_mkdirat() (v6.6) does,
// and returns the path of the directory it would create (the caller's FS
// is read-only to the model; see Overlay for making it appear):
//
//  1. filename_create walks to the parent (every error of a walk) and looks
//     the last component up without following it: anything there, a
//     dangling symlink too, is EEXIST, before any permission check.
//  2. A read-only mount or superblock is EROFS (mnt_want_write).
//  3. may_create: write and search permission on the parent
//     (inode_permission MAY_WRITE|MAY_EXEC): EACCES.
//
// A trailing slash is allowed; "." and ".." as the last component are
// EEXIST.
func (p *Proc) Mkdir(name string) (string, error) {
	w := getWalker(p, p.Cred)
	defer putWalker(w)
	dir, last, err := w.walkParent(name)
	if err != nil {
		return "", w.fail("mkdir", name, err)
	}
	if last == "." || last == ".." || last == "" {
		return "", &fs.PathError{Op: "mkdir", Path: name, Err: EEXIST}
	}
	if len(last) > NAME_MAX {
		return "", &fs.PathError{Op: "mkdir", Path: name, Err: ENAMETOOLONG}
	}
	parentLen := len(w.buf)
	if parentLen > 1 {
		w.buf = append(w.buf, '/')
	}
	w.buf = append(w.buf, last...)
	if _, err := p.FS.Lstat(w.alias(len(w.buf))); err == nil {
		return "", &fs.PathError{Op: "mkdir", Path: name, Err: EEXIST}
	} else if err != ENOENT {
		return "", &fs.PathError{Op: "mkdir", Path: name, Err: err}
	}
	created := w.path()
	if dir.Mount&(MNT_READONLY|SB_RDONLY) != 0 {
		return "", &fs.PathError{Op: "mkdir", Path: name, Err: EROFS}
	}
	if err := GenericPermission(p.Cred, &dir, MAY_WRITE|MAY_EXEC); err != nil {
		w.deny(dir, parentLen, MAY_WRITE|MAY_EXEC, ReasonPermission)
		return "", w.fail("mkdir", name, err)
	}
	return created, nil
}

// walkParent resolves every component of name but the last
// (LOOKUP_PARENT), leaving w at that directory, and returns its inode and
// the last component (trailing slashes removed).
func (w *walker) walkParent(name string) (Inode, string, error) {
	if len(name) >= PATH_MAX {
		return Inode{}, "", ENAMETOOLONG
	}
	if name == "" {
		return Inode{}, "", ENOENT
	}
	end := len(name)
	for end > 1 && name[end-1] == '/' {
		end--
	}
	i := end
	for i > 0 && name[i-1] != '/' {
		i--
	}
	last := name[i:end]
	dirPart := name[:i]
	if dirPart == "" {
		dirPart = "."
	}
	// The directory part is followed as a middle component: in
	// "/t/link/." the link is not trailing, so fs.protected_symlinks
	// (may_follow_link, called by pick_link only with WALK_TRAILING) does
	// not apply to it, and "." or ".." after it is EEXIST.
	if err := w.walk(dirPart, lookupFollow|lookupDirectory|lookupParent); err != nil {
		return Inode{}, "", err
	}
	dir := w.result()
	if !dir.IsDir() {
		return Inode{}, "", ENOTDIR
	}
	// The last component is looked up in dir: search permission on it.
	if last != "" && last != "/" {
		if err := Permission(w.c, &dir, MAY_EXEC); err != nil {
			w.deny(dir, len(w.buf), MAY_EXEC, ReasonSearch)
			return Inode{}, "", err
		}
	}
	if name == "/" || last == "/" {
		last = "."
	}
	return dir, last, nil
}

// Overlay is an FS that shows base plus directories the model created
// (runc's MkdirAll of a missing process.cwd), without changing base.
type Overlay struct {
	Base FS
	Dirs map[string]Inode
}

// Lstat implements FS.
func (o *Overlay) Lstat(name string) (Inode, error) {
	if ino, ok := o.Dirs[name]; ok {
		return ino, nil
	}
	return o.Base.Lstat(name)
}

// Readlink implements FS.
func (o *Overlay) Readlink(name string) (string, error) {
	if _, ok := o.Dirs[name]; ok {
		return "", EINVAL
	}
	return o.Base.Readlink(name)
}

// ReadAt implements FS.
func (o *Overlay) ReadAt(name string, p []byte, off int64) (int, error) {
	if _, ok := o.Dirs[name]; ok {
		return 0, EISDIR
	}
	return o.Base.ReadAt(name, p, off)
}
