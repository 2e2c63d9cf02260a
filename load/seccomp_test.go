package load_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preexec/preexec/load"
)

// TestSeccompProfileRead: --security-opt seccomp=FILE is read by load, with
// its limits, and what the engine's own os.ReadFile would meet is left for
// the engine to report in its words; unconfined reads nothing.
func TestSeccompProfileRead(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "p.json")
	if err := os.WriteFile(good, []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(strings.Repeat(" ", 2048)), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	for _, r := range []struct {
		name, value string
		limits      load.Limits
		data, err   string // the profile's bytes or its read error; fatal: load's own error
		fatal       bool
		rule        string
	}{
		{"read", good, load.Limits{}, `{"defaultAction":"SCMP_ACT_ALLOW"}`, "", false, "a regular file is read whole"},
		{"missing", missing, load.Limits{}, "", "open " + missing + ": no such file or directory", false, "the engine reports a missing file (docker: opening seccomp profile (…) failed: …)"},
		{"directory", dir, load.Limits{}, "", "read " + dir + ": is a directory", false, "os.ReadFile opens a directory and fails to read it"},
		{"over_limit", big, load.Limits{FileSize: 1024}, "", "", true, "a file over preexec's limit is preexec's refusal, naming the limit"},
		{"unconfined", "unconfined", load.Limits{}, "", "", false, "unconfined is no file"},
	} {
		t.Run(r.name, func(t *testing.T) {
			ov, err := load.Overrides(&load.Options{Flags: []string{"--security-opt", "seccomp=" + r.value}, Limits: r.limits})
			if r.fatal {
				if err == nil || !strings.Contains(err.Error(), "limit file-size") {
					t.Fatalf("err = %v, want the file-size limit (%s)", err, r.rule)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			f := ov.SeccompFile
			if r.value == "unconfined" {
				if f != nil {
					t.Fatalf("unconfined read a file: %+v", f)
				}
				return
			}
			gotErr := ""
			if f.Err != nil {
				gotErr = f.Err.Error()
			}
			if string(f.Data) != r.data || gotErr != r.err {
				t.Errorf("data %q, err %q; want %q, %q (%s)", f.Data, gotErr, r.data, r.err, r.rule)
			}
		})
	}
}
