package spec

import (
	"path"
	"strings"

	"github.com/preexec/preexec/access"
)

// DockerRootfs stands for the directory dockerd mounts a container's root
// filesystem on (its overlay2 driver: /var/lib/docker/overlay2/ID/merged,
// the layer's id in place of $ID) in the texts that name it.
const DockerRootfs = "/var/lib/docker/overlay2/$ID/merged"

// dockerScopeIterations is how many path components, counting those a
// symlink expands to, dockerd's in-scope resolution takes before it gives
// up (moby/sys/symlink fs.go:evalSymlinksInScope, maxIter = 255, as
// vendored by moby v20.10.24).
const dockerScopeIterations = 255

// dockerScopedPath resolves wd inside the root filesystem as dockerd does
// before it creates a working directory (container.GetResourcePath →
// symlink.FollowSymlinkInScope, moby v20.10.24): one component at a time;
// a missing component is taken as it is; a symlink's body replaces it,
// from the root when absolute; ".." never leaves the root. It returns the
// resolved path, or dockerd's error for a path that takes more than
// dockerScopeIterations components (a symlink loop) or whose lstat fails
// otherwise than ENOENT.
func dockerScopedPath(fsys access.FS, wd string) (string, error) {
	rest := path.Clean("/" + wd)
	resolved := "/"
	notDir := false // resolved is an existing non-directory
	for n := 0; rest != ""; n++ {
		if n > dockerScopeIterations {
			return "", &EngineError{Msg: "evalSymlinksInScope: too many links in " + DockerRootfs + path.Clean("/"+wd), Create: true}
		}
		var comp string
		comp, rest, _ = strings.Cut(rest, "/")
		if comp == "" || comp == "." {
			continue
		}
		if comp == ".." {
			// Lexical, and never above the root.
			resolved, notDir = path.Dir(resolved), false
			continue
		}
		next := path.Join(resolved, comp)
		ino, err := fsys.Lstat(next)
		if notDir {
			// The kernel's lstat below a non-directory.
			err = access.ENOTDIR
		}
		switch {
		case err == access.ENOENT:
			// What does not exist is taken as it is.
			resolved = next
			continue
		case err != nil:
			// Any other error of its lstat(2) refuses the container
			// (ENOTDIR below a file).
			return "", &EngineError{Msg: "lstat " + DockerRootfs + next + ": " + access.Strerror(err), Create: true}
		case !ino.IsSymlink():
			resolved, notDir = next, !ino.IsDir()
			continue
		}
		body, err := fsys.Readlink(next)
		if err != nil {
			resolved = next
			continue
		}
		if strings.HasPrefix(body, "/") {
			resolved = "/"
		}
		rest = body + "/" + rest
	}
	return resolved, nil
}

// Prepared returns fsys as engine eng leaves it for the runtime, for a
// container of img created with ov. dockerd creates a missing working
// directory before the runtime runs (container.SetupWorkingDirectory,
// moby v20.10.24): resolved inside the root filesystem through its
// symlinks (dockerScopedPath), each missing directory made as root with
// mode 0755 (idtools.MkdirAllAndChownNew) — so a WORKDIR that is a
// dangling symlink has its target made, where a runtime's own MkdirAll
// meets the link and fails with EEXIST. Other engines leave the working
// directory to the runtime (podman's, held by the engine oracle, does not
// reach through such a link), and fsys is returned as it is; so it is
// when dockerd would refuse the container (FromImage says how).
func Prepared(img ImageConfig, fsys access.FS, eng Engine, ov Overrides) access.FS {
	if eng.Family != Docker {
		return fsys
	}
	wd := ov.Workdir
	if wd == "" {
		wd = img.WorkingDir
	}
	if wd == "" {
		return fsys
	}
	dirs, err := dockerWorkdirs(fsys, wd)
	if err != nil || len(dirs) == 0 {
		return fsys
	}
	return &access.Overlay{Base: fsys, Dirs: dirs}
}

// dockerWorkdirs returns the directories dockerd creates for working
// directory wd: the missing components of its in-scope resolution, each
// 0755 root:root on its parent's mount. An existing non-directory on the
// way stops it (dockerd then refuses, FromImage's "Cannot mkdir").
func dockerWorkdirs(fsys access.FS, wd string) (map[string]access.Inode, error) {
	resolved, err := dockerScopedPath(fsys, wd)
	if err != nil {
		return nil, err
	}
	var dirs map[string]access.Inode
	parent, err := fsys.Lstat("/")
	if err != nil {
		return nil, err
	}
	cur := "/"
	for _, comp := range strings.Split(strings.TrimPrefix(resolved, "/"), "/") {
		if comp == "" {
			continue
		}
		cur = path.Join(cur, comp)
		ino, err := fsys.Lstat(cur)
		switch {
		case err == nil && ino.IsDir():
			parent = ino
			continue
		case err == nil:
			return nil, access.ENOTDIR
		case err != access.ENOENT:
			return nil, err
		}
		if dirs == nil {
			dirs = map[string]access.Inode{}
		}
		ino = access.Inode{Mode: access.S_IFDIR | 0o755, Mount: parent.Mount}
		dirs[cur] = ino
		parent = ino
	}
	return dirs, nil
}
