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
	for _, a := range familyCases(t, "random_x", 7, 300) {
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
