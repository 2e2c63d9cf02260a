package spec_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/preexec/preexec/spec"
)

// ovLine renders the fields ParseOverrides sets.
func ovLine(o spec.Overrides) string {
	var b []string
	add := func(k string, v any) { b = append(b, fmt.Sprintf("%s=%v", k, v)) }
	if o.User != "" {
		add("user", o.User)
	}
	if o.GroupAdd != nil {
		add("groups", o.GroupAdd)
	}
	if o.Workdir != "" {
		add("workdir", o.Workdir)
	}
	if o.Entrypoint != nil {
		add("entrypoint", fmt.Sprintf("%q", *o.Entrypoint))
	}
	if o.CapAdd != nil {
		add("add", o.CapAdd)
	}
	if o.CapDrop != nil {
		add("drop", o.CapDrop)
	}
	if o.NoNewPrivileges {
		add("nnp", true)
	}
	if o.Seccomp != "" {
		add("seccomp", o.Seccomp)
	}
	if o.Privileged {
		add("privileged", "true")
	}
	if o.ReadOnly {
		add("ro", true)
	}
	for _, t := range o.Tmpfs {
		add("tmpfs", t.Destination+"|"+t.Options)
	}
	for _, v := range o.Volumes {
		add("vol", fmt.Sprintf("%s|%s|%v", v.Source, v.Destination, v.ReadOnly()))
	}
	if o.Userns != "" {
		add("userns", o.Userns)
	}
	if o.Env != nil {
		add("env", o.Env)
	}
	if o.Cmd != nil {
		add("cmd", fmt.Sprintf("%q", o.Cmd))
	}
	return strings.Join(b, " ")
}

// TestParseOverrides pins the docker run flags it reads and how.
func TestParseOverrides(t *testing.T) {
	rows := []struct {
		name       string
		args       []string
		want, rule string
	}{
		{"separate_values", []string{"--user", "1000:0", "--workdir", "/w"}, "user=1000:0 workdir=/w", "pflag: a value as the next argument"},
		{"equals_values", []string{"--user=alice", "--group-add=wheel", "--group-add=10"}, "user=alice groups=[wheel 10]", "pflag: --flag=value; repeated flags accumulate"},
		{"short_forms", []string{"-u", "0", "-w/app", "-e", "A=1", "-eB=2", "-v", "/s:/d:ro"}, "user=0 workdir=/app vol=/s|/d|true env=[A=1 B=2]", "pflag shorthands -u -w -e -v, attached or not"},
		{"entrypoint_empty", []string{"--entrypoint", ""}, `entrypoint=""`, "an empty --entrypoint is set (docker sends [\"\"])"},
		{"caps_as_spelled", []string{"--cap-add", "net_admin", "--cap-drop", "ALL"}, "add=[net_admin] drop=[ALL]", "names kept as given; engines normalise"},
		{"security_opts", []string{"--security-opt", "no-new-privileges", "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=x"}, "nnp=true seccomp=unconfined", "parseSecurityOpts: no-new-privileges, seccomp=; the engines read the others (securityOptRefusal)"},
		{"nnp_parse_bool", []string{"--security-opt", "no-new-privileges=1"}, "nnp=true", "no-new-privileges=VALUE is strconv.ParseBool's: 1, t, true, TRUE…"},
		{"nnp_false_after_true", []string{"--security-opt", "no-new-privileges", "--security-opt", "no-new-privileges=f"}, "", "the last no-new-privileges wins (daemon parseSecurityOpt, podman FillOutSpecGen)"},
		{"security_opt_colon", []string{"--security-opt", "no-new-privileges:true", "--security-opt", "seccomp:/p.json"}, "nnp=true seccomp=/p.json", "parseSecurityOpts accepts ':' as the separator (the old form)"},
		{"privileged", []string{"--privileged=false", "--privileged"}, "privileged=true", "--privileged is a bool flag, as --read-only"},
		{"read_only_bool", []string{"--read-only", "--read-only=false"}, "", "a bool flag: pflag's boolValue.Set, the last occurrence winning"},
		{"bool_forms", []string{"--read-only=1", "--privileged=T", "--privileged=0"}, "ro=true", "pflag: bool values through strconv.ParseBool: 1 and T true, 0 false"},
		{"tmpfs_opts", []string{"--tmpfs", "/run:exec,mode=755"}, "tmpfs=/run|exec,mode=755", "--tmpfs DST[:OPTS], split at the first ':'"},
		{"anonymous_volume", []string{"-v", "/data"}, "vol=|/data|false", "-v DST is an anonymous volume"},
		{"userns", []string{"--userns", "keep-id"}, "userns=keep-id", "--userns MODE kept"},
		{"dashdash_command", []string{"--user", "1", "--", "--user", "x"}, `user=1 cmd=["--user" "x"]`, "after -- everything is the command"},
		{"first_positional_command", []string{"-u", "1", "sh", "-c", "--user"}, `user=1 cmd=["sh" "-c" "--user"]`, "docker run does not intersperse: the first positional starts the command"},
		{"empty", nil, "", "no flags, no command"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		o, err := spec.ParseOverrides(r.args)
		if err != nil {
			t.Errorf("%s: %v", r.name, err)
			continue
		}
		if got := ovLine(o); got != r.want {
			t.Errorf("%s (%s):\ngot  %s\nwant %s", r.name, r.rule, got, r.want)
		}
	}
}

// TestParseOverridesErrors pins the errors, worded as the docker CLI's.
func TestParseOverridesErrors(t *testing.T) {
	rows := []struct {
		name       string
		args       []string
		want, rule string
	}{
		{"unknown_flag", []string{"--net", "none"}, "argument 0: unknown flag: --net", "pflag: unknown flag"},
		{"unknown_short", []string{"-x"}, "argument 0: unknown shorthand flag: 'x' in -x", "pflag: unknown shorthand"},
		{"missing_value", []string{"--user"}, "argument 0: flag needs an argument: --user", "pflag: a value flag at the end"},
		{"missing_short_value", []string{"-e"}, "argument 0: flag needs an argument: 'e' in -e", "pflag: a shorthand value flag at the end"},
		{"bad_bool", []string{"--read-only=yes"}, `argument 0: invalid argument "yes" for "--read-only" flag: strconv.ParseBool: parsing "yes": invalid syntax`, "pflag: bool values through strconv.ParseBool"},
		{"bad_security_opt", []string{"--security-opt", "nonsense"}, `argument 1: invalid --security-opt: "nonsense"`, "parseSecurityOpts: no '=' or ':'"},
		{"relative_tmpfs", []string{"--tmpfs", "run"}, `argument 1: invalid tmpfs "run": destination must be an absolute path`, "a tmpfs destination is absolute"},
		{"bad_volume", []string{"-v", "a:b:c:d"}, "argument 1: invalid volume specification: 'a:b:c:d'", "at most SRC:DST:OPTS"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		_, err := spec.ParseOverrides(r.args)
		var fe *spec.FlagError
		if !errors.As(err, &fe) {
			t.Errorf("%s: got %v, want a *FlagError", r.name, err)
			continue
		}
		if err.Error() != r.want {
			t.Errorf("%s (%s):\ngot  %s\nwant %s", r.name, r.rule, err, r.want)
		}
	}
}

// FuzzParseOverrides: never a panic; an error is a *FlagError pointing
// into the arguments; on success the command is a suffix of the
// arguments, every tmpfs and volume destination is absolute, and parsing
// is deterministic.
func FuzzParseOverrides(f *testing.F) {
	f.Add("--user\x001000:0\x00--cap-drop=ALL\x00--\x00sh")
	f.Add("-v\x00/s:/d:ro\x00--tmpfs\x00/run:exec\x00-eA=1")
	f.Add("--security-opt\x00seccomp=unconfined\x00--read-only=false\x00x")
	f.Add("-w\x00\x00--entrypoint=")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		o, err := spec.ParseOverrides(args)
		if err != nil {
			var fe *spec.FlagError
			if !errors.As(err, &fe) || fe.Index < 0 || fe.Index >= len(args) {
				t.Fatalf("error %v is not a *FlagError inside the %d arguments", err, len(args))
			}
			return
		}
		if len(o.Cmd) > 0 {
			tail := args[len(args)-len(o.Cmd):]
			for i := range tail {
				if tail[i] != o.Cmd[i] {
					t.Fatalf("command %q is not the tail of %q", o.Cmd, args)
				}
			}
		}
		for _, m := range o.Tmpfs {
			if !strings.HasPrefix(m.Destination, "/") {
				t.Fatalf("tmpfs destination %q not absolute", m.Destination)
			}
		}
		for _, v := range o.Volumes {
			if !strings.HasPrefix(v.Destination, "/") {
				t.Fatalf("volume destination %q not absolute", v.Destination)
			}
		}
		o2, _ := spec.ParseOverrides(args)
		if ovLine(o) != ovLine(o2) {
			t.Fatalf("not deterministic: %s vs %s", ovLine(o), ovLine(o2))
		}
	})
}
