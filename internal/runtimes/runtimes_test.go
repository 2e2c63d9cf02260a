package runtimes

import (
	"encoding/json"
	"errors"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func names(rs []Runtime) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func TestLoad(t *testing.T) {
	rs, err := Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"runc@1.0.0-rc92+go1.19",
		"runc@1.0.0-rc93+go1.19",
		"runc@1.0.0-rc93+go1.26",
		"runc@1.0.0-rc99+go1.26",
		"runc@1.0.0+go1.19",
		"runc@1.1.5+go1.19",
		"runc@1.1.5+go1.26",
		"runc@1.1.5+debian",
		"runc@1.1.9+go1.19",
		"runc@1.1.10+go1.19",
		"runc@1.2.8+go1.26",
		"runc@1.6.0-rc.1+go1.26",
		"crun@1.8.1",
	}
	if got := names(rs); !slices.Equal(got, want) {
		t.Errorf("Load order:\n got %q\nwant %q", got, want)
	}
	byName := map[string]Runtime{}
	for _, r := range rs {
		byName[r.Name] = r
	}
	r := byName["runc@1.2.8+go1.26"]
	if r.Status != StatusUnbuildable || !strings.Contains(r.Error, "replace directives") || r.Kind != KindRunc || r.Go != "go1.26.8" {
		t.Errorf("unbuildable entry: %+v", r)
	}
	r = byName["runc@1.1.5+debian"]
	want1 := Runtime{
		Name:          "runc@1.1.5+debian",
		Kind:          KindRunc,
		Version:       "1.1.5",
		Go:            "go1.19.8",
		Path:          "/var/cache/preexec/runtimes/runc@1.1.5+debian",
		Status:        StatusOK,
		VersionOutput: "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4",
		Source:        "debian package runc 1.1.5+ds1-1+deb12u1",
	}
	if r != want1 {
		t.Errorf("debian entry:\n got %+v\nwant %+v", r, want1)
	}
	// A relative path is relative to the directory.
	if got, want := byName["runc@1.1.5+go1.26"].Path, filepath.Join("testdata", "runc@1.1.5+go1.26"); got != want {
		t.Errorf("relative path: got %q, want %q", got, want)
	}
	if byName["crun@1.8.1"].Kind != KindCrun || byName["crun@1.8.1"].Go != "" {
		t.Errorf("crun entry: %+v", byName["crun@1.8.1"])
	}
}

func TestInstalled(t *testing.T) {
	t.Setenv(EnvDir, "testdata")
	rs, err := Installed()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"runc@1.0.0-rc92+go1.19",
		"runc@1.0.0-rc93+go1.19",
		"runc@1.0.0+go1.19",
		"runc@1.1.5+go1.19",
		"runc@1.1.5+go1.26",
		"runc@1.1.5+debian",
		"runc@1.1.9+go1.19",
		"runc@1.1.10+go1.19",
		"runc@1.6.0-rc.1+go1.26",
		"crun@1.8.1",
	}
	if got := names(rs); !slices.Equal(got, want) {
		t.Errorf("Installed:\n got %q\nwant %q", got, want)
	}
	for _, r := range rs {
		if r.Status != StatusOK || r.Error != "" {
			t.Errorf("Installed returned %s with status %q, error %q", r.Name, r.Status, r.Error)
		}
	}
}

func TestDir(t *testing.T) {
	t.Setenv(EnvDir, "")
	if got := Dir(); got != DefaultDir {
		t.Errorf("Dir() with %s empty = %q, want %q", EnvDir, got, DefaultDir)
	}
	t.Setenv(EnvDir, "/tmp/x")
	if got := Dir(); got != "/tmp/x" {
		t.Errorf("Dir() = %q, want /tmp/x", got)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of an empty directory: %v, want fs.ErrNotExist", err)
	}
	for _, tc := range []struct{ name, content, want string }{
		{"not json", "{", "unexpected end"},
		{"format", `{"format": "other/2", "runtimes": []}`, `format "other/2"`},
		{"no format", `{"runtimes": []}`, `format ""`},
		{"no name", `{"format": "preexec-runtimes/1", "runtimes": [{"kind": "runc", "status": "ok"}]}`, "required"},
		{"twice", `{"format": "preexec-runtimes/1", "runtimes": [
			{"name": "crun@1.8.1", "kind": "crun", "status": "ok"},
			{"name": "crun@1.8.1", "kind": "crun", "status": "ok"}]}`, "listed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// An empty list is not an error.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(`{"format": "preexec-runtimes/1", "runtimes": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if rs, err := Load(dir); err != nil || len(rs) != 0 {
		t.Errorf("Load of an empty manifest = %v, %v", rs, err)
	}
}

func TestSortStable(t *testing.T) {
	rs, err := Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	want := names(rs)
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 100; i++ {
		shuffled := slices.Clone(rs)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		Sort(shuffled)
		if got := names(shuffled); !slices.Equal(got, want) {
			t.Fatalf("Sort of a shuffle:\n got %q\nwant %q", got, want)
		}
	}
	// Kinds: runc, then others by name, crun last.
	ks := []Runtime{
		{Name: "crun@1.8.1", Kind: KindCrun, Version: "1.8.1"},
		{Name: "youki@0.1.0", Kind: "youki", Version: "0.1.0"},
		{Name: "runc@1.6.0-rc.1+go1.26", Kind: KindRunc, Version: "1.6.0-rc.1"},
		{Name: "runc@1.1.5+custom", Kind: KindRunc, Version: "1.1.5"},
		{Name: "runc@1.1.5+debian", Kind: KindRunc, Version: "1.1.5"},
		{Name: "runc@1.1.5+go1.9", Kind: KindRunc, Version: "1.1.5"},
	}
	Sort(ks)
	wantK := []string{"runc@1.1.5+go1.9", "runc@1.1.5+debian", "runc@1.1.5+custom", "runc@1.6.0-rc.1+go1.26", "youki@0.1.0", "crun@1.8.1"}
	if got := names(ks); !slices.Equal(got, wantK) {
		t.Errorf("Sort:\n got %q\nwant %q", got, wantK)
	}
}

// TestInstalledManifest checks the manifest of this machine, when there is
// one: it loads, and every ok runtime's binary is there.
func TestInstalledManifest(t *testing.T) {
	rs, err := Installed()
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no runtimes installed in %s (run .ci/install-runtimes)", Dir())
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if _, err := os.Stat(r.Path); err != nil {
			t.Errorf("%s: %v", r.Name, err)
		}
	}
	t.Logf("%d runtimes installed in %s", len(rs), Dir())
	// The script writes the runtimes in the order of Compare.
	b, err := os.ReadFile(filepath.Join(Dir(), ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	all, err := Load(Dir())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(m.Runtimes), names(all); !slices.Equal(got, want) {
		t.Errorf("manifest order differs from Compare:\n file %q\n want %q", got, want)
	}
}
