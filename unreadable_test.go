package preexec_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/internal/resulttest"
	"github.com/preexec/preexec/internal/rowtest"
	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/rootfs/rootfstest"
	"github.com/preexec/preexec/spec"
)

// unreadableTree is the tree every row reads, whole or through
// rootfstest.Unreadable.
const unreadableTree = `
dir /bin 0755 0:0
file /bin/app 0755 0:0 busybox
file /bin/sh 0755 0:0 busybox
dir /opt/app 0755 0:0
file /opt/app/app 0755 0:0 busybox
file /opt/app/sh 0755 0:0 busybox
file /entrypoint.sh 0755 0:0 script=/opt/app/sh
dir /etc 0755 0:0
file /etc/passwd 0644 0:0 text="root:x:0:0:root:/root:/bin/sh\n"
file /etc/group 0644 0:0 text="root:x:0:\n"
dir /home/nonroot 0700 65532:65532
dir /home/nonroot/work 0755 65532:65532
dir /home/nonroot/data 0700 65532:65532
`

// TestEvaluateUnreadable pins issue 11's rule on the model: where the
// reader could not read what a runtime's check needs, the result is
// Unknown — Starts false, Error and Fix empty, Err an access.ErrUnreadable
// — saying which path could not be read and why; every other result is
// the one the whole tree gives. Reading less never changes a verdict, it
// only turns it into unknown; the model's permission decisions come from
// inode metadata, which the reader did read.
func TestEvaluateUnreadable(t *testing.T) {
	mem := rootfs.MustParseFixture(unreadableTree).Mem()
	rows := []struct {
		name    string
		process string // config.json's process, without the braces
		mounts  string // config.json's mounts
		sealed  []string
		eio     []string
		unknown string // "all", "some" or "none": the runtimes that cannot be told
		path    string // what the Unknown names
		rule    string
	}{
		{"cwd_in_sealed", `"user":{"uid":65532,"gid":65532},"cwd":"/home/nonroot/work","args":["/bin/app"]`, "",
			[]string{"/home/nonroot"}, nil, "all", "lstat /home/nonroot/work",
			"chdir looks the cwd up in a directory the reader may not search: the host's EACCES is preexec's, not the container's"},
		{"entrypoint_in_sealed", `"user":{"uid":1000,"gid":1000},"cwd":"/","args":["/opt/app/app"]`, "",
			[]string{"/opt/app"}, nil, "all", "lstat /opt/app/app",
			"LookPath and execve look the entrypoint up: not read, so neither ENOENT nor EACCES"},
		{"path_candidate_in_sealed", `"user":{"uid":1000,"gid":1000},"cwd":"/","args":["app"],"env":["PATH=/opt/app:/bin"]`, "",
			[]string{"/opt/app"}, nil, "all", "lstat /opt/app/app",
			"os/exec.LookPath and crun's find_executable take the first candidate that passes: /opt/app/app might be it"},
		{"interpreter_in_sealed", `"user":{"uid":1000,"gid":1000},"cwd":"/","args":["/entrypoint.sh"]`, "",
			[]string{"/opt/app"}, nil, "all", "lstat /opt/app/sh",
			"binfmt_script opens the #! interpreter: not read, so not ENOENT"},
		{"entrypoint_eio", `"user":{"uid":1000,"gid":1000},"cwd":"/","args":["/bin/app"]`, "",
			nil, []string{"/bin/app"}, "all", "read /bin/app",
			"execve reads the head of the file: the reader's EIO is not the kernel's ENOEXEC"},
		{"passwd_in_sealed", `"user":{"uid":1000,"gid":1000},"cwd":"/","args":["/bin/app"]`, "",
			[]string{"/etc"}, nil, "some", "lstat /etc/passwd",
			"runc ≤ 1.2 opens /etc/passwd in setupUser (an open it cannot make is an absent file, one not read is unknown); later runc and crun never read it"},
		{"tmpfs_over_sealed", `"user":{"uid":65532,"gid":65532},"cwd":"/home/nonroot/data","args":["/bin/app"]`,
			`[{"destination":"/home/nonroot/data","type":"tmpfs","source":"tmpfs"}]`,
			[]string{"/home/nonroot"}, nil, "some", "lstat /home/nonroot/data",
			"runc gives a tmpfs the covered directory's mode, which was not read; crun 1.8.1 gives it 1777 (no stat of the target)"},
		{"model_denies_from_metadata", `"user":{"uid":1000680000,"gid":0},"cwd":"/home/nonroot","args":["/bin/app"]`, "",
			[]string{"/home/nonroot"}, nil, "none", "",
			"the rc93 incident: chdir's permission check reads /home/nonroot's inode (0700 65532:65532), which was read; rc94's retry as root needs nothing inside it"},
	}
	var names, rules []string
	for _, r := range rows {
		names, rules = append(names, r.name), append(rules, r.rule)
	}
	rowtest.Check(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			cfg := `{"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{` + r.process + `}`
			if r.mounts != "" {
				cfg += `,"mounts":` + r.mounts
			}
			plan, err := spec.Parse("config.json", []byte(cfg+"}"))
			if err != nil {
				t.Fatal(err)
			}
			whole := access.FS(preexec.NewView(plan, mem, nil))
			read := access.FS(preexec.NewView(plan, rootfstest.Unreadable{FS: mem, Sealed: r.sealed, EIO: r.eio}, nil))
			rts := preexec.Runtimes()
			cmp := preexec.Compare(plan, read, rts, preexec.Host{}).Results
			unknown := 0
			for i, rt := range rts {
				got := preexec.Evaluate(plan, read, rt, preexec.Host{})
				if c := cmp[i]; c.Starts != got.Starts || c.Step != got.Step || c.Text != got.Text || c.Unknown != got.Unknown {
					t.Errorf("%s: Compare says %+v, Evaluate %+v", rt.Name, c, got)
				}
				if got.Unknown == "" {
					want := preexec.Evaluate(plan, whole, rt, preexec.Host{})
					if got.Starts != want.Starts || got.Step != want.Step || got.Text != want.Text || resulttest.FixesText(got) != resulttest.FixesText(want) {
						t.Errorf("%s: a verdict that reading less changed: %s %q (fix %q); the whole tree gives %s %q (fix %q)\nrule: %s",
							rt.Name, got.Step, got.Text, resulttest.FixesText(got), want.Step, want.Text, resulttest.FixesText(want), r.rule)
					}
					continue
				}
				unknown++
				var re *access.ReadError
				why := fmt.Sprintf("could not %s in /bundle/rootfs: ", r.path)
				switch {
				case got.Starts || got.Text != "" || resulttest.FixesText(got) != "":
					t.Errorf("%s: unknown with a verdict: Starts %v, Error %q, Fix %q", rt.Name, got.Starts, got.Text, resulttest.FixesText(got))
				case !errors.Is(got.Err, access.ErrUnreadable) || !errors.As(got.Err, &re):
					t.Errorf("%s: Err %v is not the reader's *access.ReadError", rt.Name, got.Err)
				case errors.Is(got.Err, fs.ErrPermission):
					t.Errorf("%s: Err %v is fs.ErrPermission: the reader's EACCES reads as the container's", rt.Name, got.Err)
				case !strings.HasPrefix(got.Unknown, "preexec (uid ") || !strings.Contains(got.Unknown, why) || !strings.HasSuffix(got.Unknown, "check the image or an mtree manifest instead"):
					t.Errorf("%s: Unknown %q does not say that preexec %s… and what answers it", rt.Name, got.Unknown, why)
				}
			}
			switch {
			case r.unknown == "all" && unknown != len(rts), r.unknown == "some" && (unknown == 0 || unknown == len(rts)), r.unknown == "none" && unknown != 0:
				t.Errorf("%d of %d runtimes unknown, want %s\nrule: %s", unknown, len(rts), r.unknown, r.rule)
			}
		})
	}
}

// TestUnreadableWhy pins the sentence Result.Unknown and the CLI print for
// what the reader could not read: reading as root is offered only where
// the host refused a reader that is not root.
func TestUnreadableWhy(t *testing.T) {
	rows := []struct {
		name string
		err  error
		want string
		rule string
	}{
		{"eacces_user", &fs.PathError{Op: "chdir", Path: "/home/nonroot", Err: &access.ReadError{Op: "lstat", Path: "/home/nonroot/app", Root: "/b/rootfs", UID: 1000, Err: syscall.EACCES}},
			"preexec (uid 1000) could not lstat /home/nonroot/app in /b/rootfs: permission denied; read it as root, or check the image or an mtree manifest instead",
			"the host refused a non-root reader: root would be let in"},
		{"eacces_root", &access.ReadError{Op: "lstat", Path: "/x/y", Root: "/nfs/rootfs", UID: 0, Err: syscall.EACCES},
			"preexec (uid 0) could not lstat /x/y in /nfs/rootfs: permission denied; check the image or an mtree manifest instead",
			"root refused (root_squash): reading as root is no answer"},
		{"eio", &access.ReadError{Op: "read", Path: "/bin/app", UID: 1000, Err: syscall.EIO},
			"preexec (uid 1000) could not read /bin/app: input/output error; check the image or an mtree manifest instead",
			"an I/O error is no question of privilege"},
		{"no_uid", &access.ReadError{Op: "lstat", Path: "/a", UID: -1, Err: syscall.EPERM},
			"preexec could not lstat /a: operation not permitted; read it as root, or check the image or an mtree manifest instead",
			"an FS that does not say who read"},
		{"foreign", fmt.Errorf("layer 3: %w", access.ErrUnreadable),
			"preexec could not read the root filesystem: layer 3: the root filesystem could not be read; check the image or an mtree manifest instead",
			"an FS of the caller's own that Is ErrUnreadable: its words"},
	}
	var names, rules []string
	for _, r := range rows {
		names, rules = append(names, r.name), append(rules, r.rule)
	}
	rowtest.Check(t, names, rules)
	for _, r := range rows {
		if got := preexec.UnreadableWhy(r.err); got != r.want {
			t.Errorf("%s: UnreadableWhy =\n%q, want\n%q\nrule: %s", r.name, got, r.want, r.rule)
		}
	}
}
