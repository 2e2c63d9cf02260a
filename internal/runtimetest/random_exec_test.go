package runtimetest

import (
	"path"
	"strings"
	"testing"
)

// TestRandomExec holds the exec family to what the other families
// promise: valid, deterministic cases named after (seed, i), regenerated
// from their names, each dimension exercised.
func TestRandomExec(t *testing.T) {
	count := map[string]int{}
	for i := 0; i < 300; i++ {
		a, b := RandomExec(7, i), RandomExec(7, i)
		if mustJSON(a) != mustJSON(b) {
			t.Fatalf("RandomExec(7, %d) differs between calls", i)
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("RandomExec(7, %d): %v\n%s", i, err, mustJSON(a))
		}
		if a.Name != RandomExecName(7, i) {
			t.Errorf("RandomExec(7, %d).Name = %q", i, a.Name)
		}
		if c, ok := RandomByName(a.Name); !ok || mustJSON(c) != mustJSON(a) {
			t.Errorf("RandomByName(%q) does not regenerate it", a.Name)
		}
		fs := string(a.Rootfs)
		for dim, has := range map[string]bool{
			"userns":        a.UserNS != nil,
			"script":        strings.Contains(fs, `text="#!`),
			"interp":        strings.Contains(fs, "interp="),
			"file caps":     strings.Contains(fs, "caps="),
			"bare args[0]":  !strings.Contains(a.Process.Args[0], "/"),
			"two PATHs":     len(a.Process.Env) == 2 && strings.HasPrefix(a.Process.Env[1], "PATH="),
			"non-clean cwd": a.Process.Cwd != "/" && a.Process.Cwd != path.Clean(a.Process.Cwd),
			"symlink cwd":   a.Process.Cwd == "/cwd",
			"mount":         len(a.Mounts) > 0,
		} {
			if has {
				count[dim]++
			}
		}
	}
	for _, dim := range []string{"userns", "script", "interp", "file caps", "bare args[0]", "two PATHs", "non-clean cwd", "symlink cwd", "mount"} {
		if count[dim] < 5 {
			t.Errorf("over 300 cases, %d with %s", count[dim], dim)
		}
	}
	if mustJSON(RandomExec(1, 0)) == mustJSON(Random(1, 0)) {
		t.Error("RandomExec(1, 0) repeats Random(1, 0)")
	}
}
