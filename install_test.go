package preexec

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestInstallScriptBuildsRuntimes keeps Runtimes and .ci/install-runtimes,
// which builds the binaries the runtime oracle runs, naming the same runc
// builds: default_tags with the default Go (1.26), go119_tags with Go 1.19,
// go127_tags with Go 1.27.
func TestInstallScriptBuildsRuntimes(t *testing.T) {
	src, err := os.ReadFile(".ci/install-runtimes")
	if err != nil {
		t.Fatal(err)
	}
	tags := func(name string) []string {
		m := regexp.MustCompile(`(?s)\n` + name + `=\((.*?)\)`).FindSubmatch(src)
		if m == nil {
			t.Fatalf(".ci/install-runtimes has no %s=(…)", name)
		}
		var out []string
		for _, line := range strings.Split(string(m[1]), "\n") {
			line, _, _ = strings.Cut(line, "#")
			for _, f := range strings.Fields(line) {
				if f == `"${go119_tags[@]}"` {
					continue
				}
				out = append(out, strings.TrimPrefix(f, "v"))
			}
		}
		return out
	}
	want := map[string]bool{}
	for _, v := range tags("go119_tags") {
		want["runc@"+v+"+go1.19"] = true
		want["runc@"+v+"+go1.26"] = true
	}
	for _, v := range tags("default_tags") {
		want["runc@"+v+"+go1.26"] = true
	}
	for _, v := range tags("go127_tags") {
		want["runc@"+v+"+go1.27"] = true
	}
	got := map[string]bool{}
	for _, rt := range Runtimes() {
		if rt.Release.Runtime == "runc" {
			got[rt.Name] = true
		}
	}
	var missing, extra []string
	for n := range want {
		if !got[n] {
			extra = append(extra, n)
		}
	}
	for n := range got {
		if !want[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	t.Logf("%d runc builds in both", len(got))
	if len(missing) > 0 {
		t.Errorf("Runtimes has builds .ci/install-runtimes does not make: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf(".ci/install-runtimes makes builds Runtimes lacks: %v", extra)
	}
}
