package spec_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/preexec/preexec/spec"
)

// lines joins its arguments with newlines, so that a row's line numbers
// can be read off its source.
func lines(ls ...string) string { return strings.Join(ls, "\n") }

// userNSDoc is a config with a user namespace whose uidMappings lines are
// given; the gidMappings are fine.
func userNSDoc(uidMappings ...string) string {
	return lines(append(append([]string{
		`{"process": {"cwd": "/", "args": ["sh"]}, "root": {"path": "r"},`,
		`"linux": {`,
		`  "namespaces": [{"type": "user"}],`,
		`  "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],`,
		`  "uidMappings": [`,
	}, uidMappings...), `  ]`, `}}`)...)
}

// TestParseErrors pins the full text of each kind of error: file, line,
// column, JSON path and message.
func TestParseErrors(t *testing.T) {
	rows := []struct {
		name, config, want, rule string
	}{
		// JSON syntax: encoding/json's message at the offending byte.
		{"syntax_bad_value", `{"process": x}`,
			"config.json:1:13: process: invalid character 'x' looking for beginning of value",
			"encoding/json SyntaxError: Offset counts the offending byte; the path is that of the value being read"},
		{"syntax_truncated", "{\n  \"process\": {}",
			"config.json:2:16: unexpected end of JSON input",
			"end of input: the position just past the last byte"},
		{"syntax_empty", "",
			"config.json:1:1: unexpected end of JSON input",
			"empty input is a syntax error at 1:1"},
		{"syntax_trailing_data", `{} x`,
			"config.json:1:4: invalid character 'x' after top-level value",
			"json.Unmarshal rejects data after the document"},
		{"syntax_trailing_comma", `{"root": {"path": "r"},}`,
			"config.json:1:24: invalid character '}' looking for beginning of object key string",
			"a trailing comma is a syntax error at the closing brace"},
		{"syntax_bad_escape", `{"process": {"cwd": "\x"}}`,
			`config.json:1:23: process.cwd: invalid character 'x' in string escape code`,
			"an error inside a string points at the offending byte and names the string's path"},

		// Wrong types: json.UnmarshalTypeError, placed at the value's start.
		{"type_string_for_uid", lines(
			`{`,
			`	"process": {`,
			`		"user": {`,
			`			"uid": "1000",`,
			`			"gid": 0`,
			`		},`,
			`		"cwd": "/"`,
			`	}`,
			`}`),
			"config.json:4:11: process.user.uid: want number, got string",
			"UnmarshalTypeError.Offset is the end of the scalar; the error points at its start"},
		{"type_negative_uid", `{"process":{"user":{"uid":-1}}}`,
			"config.json:1:27: process.user.uid: want uint32, got number -1",
			"a number that does not fit names the Go type it must fit"},
		{"type_uid_too_large", `{"process":{"user":{"uid":4294967296}}}`,
			"config.json:1:27: process.user.uid: want uint32, got number 4294967296",
			"uid is a uint32 in specs-go: 2^32 does not fit"},
		{"type_fraction_gid", `{"process":{"user":{"gid":1.5}}}`,
			"config.json:1:27: process.user.gid: want uint32, got number 1.5",
			"ids are integers"},
		{"type_array_element", `{"process":{"args":["sh",1]}}`,
			"config.json:1:26: process.args[1]: want string, got number",
			"the innermost value holding UnmarshalTypeError.Offset is the culprit; array indices appear in the path"},
		{"type_object_for_env", `{"process":{"env":{"PATH":"/bin"}}}`,
			"config.json:1:19: process.env: want array, got object",
			"for an object or array Offset is just past its opening delimiter"},
		{"type_string_for_bool", `{"process":{"noNewPrivileges":"yes"}}`,
			"config.json:1:31: process.noNewPrivileges: want boolean, got string",
			"JSON kinds are named as JSON names them"},
		{"type_document_not_object", `[1]`,
			"config.json:1:1: want object, got array",
			"the document itself has no path"},
		{"type_case_folded_keys", `{"Process":{"User":{"UID":"x"}}}`,
			"config.json:1:27: Process.User.UID: want number, got string",
			"encoding/json matches keys case-insensitively, as runc decodes; the path keeps the file's spelling"},
		{"type_errno_ret_negative", seccompConfig(`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":-1}`),
			"config.json:1:134: linux.seccomp.defaultErrnoRet: want uint, got number -1",
			"defaultErrnoRet is a *uint in specs-go"},

		// runc's own checks (utils_linux.go:validateProcessSpec), its texts.
		{"process_missing", `{"root":{"path":"r"}}`,
			"config.json:1:1: process: process property must not be empty",
			"runc validateProcessSpec: a missing member is reported at the object that lacks it"},
		{"process_null", `{"process":null,"root":{"path":"r"}}`,
			"config.json:1:12: process: process property must not be empty",
			"null decodes to a nil *Process; the error points at the null"},
		{"cwd_missing", `{"process":{"args":["sh"]},"root":{"path":"r"}}`,
			"config.json:1:12: process.cwd: Cwd property must not be empty",
			"runc validateProcessSpec: Cwd property must not be empty"},
		{"cwd_empty", `{"process":{"cwd":"","args":["sh"]},"root":{"path":"r"}}`,
			"config.json:1:19: process.cwd: Cwd property must not be empty",
			"an empty string is no cwd"},
		{"cwd_relative", `{"process":{"cwd":"home/x","args":["sh"]},"root":{"path":"r"}}`,
			"config.json:1:19: process.cwd: Cwd must be an absolute path",
			"runc validateProcessSpec: filepath.IsAbs"},
		{"cwd_relative_last_duplicate", `{"process":{"cwd":"/"},"process":{"cwd":"w","args":["sh"]},"root":{"path":"r"}}`,
			"config.json:1:41: process.cwd: Cwd must be an absolute path",
			"encoding/json: the last duplicate key wins, and the error points at it"},
		{"args_empty", `{"process":{"cwd":"/","args":[]},"root":{"path":"r"}}`,
			"config.json:1:30: process.args: args must not be empty",
			"runc validateProcessSpec: args must not be empty"},
		{"args_missing", `{"process":{"cwd":"/"},"root":{"path":"r"}}`,
			"config.json:1:12: process.args: args must not be empty",
			"a missing args is empty"},
		{"process_checked_before_root", `{"process":{"cwd":"/"}}`,
			"config.json:1:12: process.args: args must not be empty",
			"runc validates process in loadSpec, before specconv reads root"},
		{"root_missing", `{"process":{"cwd":"/","args":["sh"]}}`,
			"config.json:1:1: root: root must be specified",
			"runc specconv.CreateLibcontainerConfig: root must be specified"},
		{"root_path_empty", `{"process":{"cwd":"/","args":["sh"]},"root":{"path":""}}`,
			"config.json:1:53: root.path: must not be empty",
			"runtime-spec: root.path is REQUIRED"},

		// User namespace mappings: what kernel/user_namespace.c:map_write takes.
		{"userns_without_mappings", config("", "", `"namespaces":[{"type":"user"}]`),
			"config.json:1:71: linux.uidMappings: a new user namespace needs mappings",
			"runc validator: user namespaces enabled, but no namespace path to join nor mappings to apply specified"},
		{"mappings_without_userns", config("", "", `"uidMappings":[{"containerID":0,"hostID":1000,"size":1}]`),
			"config.json:1:86: linux.uidMappings: mappings given, but linux.namespaces has no user namespace",
			"runc validator: user namespace mappings specified, but user namespace isn't enabled in the config"},
		{"mapping_size_zero", userNSDoc(`    {"containerID": 0, "hostID": 1000, "size": 0}`),
			"config.json:6:48: linux.uidMappings[0].size: must be at least 1",
			"map_write: an extent's count must be at least 1"},
		{"mapping_container_overflow", userNSDoc(`    {"containerID": 4294967295, "hostID": 1000, "size": 1}`),
			"config.json:6:5: linux.uidMappings[0]: containerID 4294967295 + size 1 passes 4294967295",
			"map_write: first+count must not wrap in 32 bits, so (u32)-1 is never mapped"},
		{"mapping_host_overflow", userNSDoc(`    {"containerID": 0, "hostID": 4294967000, "size": 1000}`),
			"config.json:6:5: linux.uidMappings[0]: hostID 4294967000 + size 1000 passes 4294967295",
			"map_write: lower_first+count must not wrap in 32 bits"},
		{"mapping_overlap", userNSDoc(
			`    {"containerID": 0, "hostID": 1000, "size": 10},`,
			`    {"containerID": 5, "hostID": 5000, "size": 10}`),
			"config.json:7:5: linux.uidMappings[1]: containerID range overlaps linux.uidMappings[0]",
			"map_write: mappings_overlap rejects overlapping ranges inside the namespace"},
		{"mapping_host_overlap", userNSDoc(
			`    {"containerID": 0, "hostID": 1000, "size": 10},`,
			`    {"containerID": 100, "hostID": 1009, "size": 10}`),
			"config.json:7:5: linux.uidMappings[1]: hostID range overlaps linux.uidMappings[0]",
			"map_write: mappings_overlap rejects overlapping ranges outside the namespace"},

		// Mounts.
		{"tmpfs_mode_not_octal", config("", `"mounts":[{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=0789"]}]`, ""),
			`config.json:1:147: mounts[0].options[1]: tmpfs mode "0789" is not an octal number`,
			"mm/shmem.c: mode is fsparam_u32oct; the mount fails with EINVAL on any runtime"},
	}
	names, rules := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		names[i], rules[i] = r.name, r.rule
	}
	checkRows(t, names, rules)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p, err := spec.Parse("config.json", []byte(r.config))
			if p != nil {
				t.Errorf("Parse returned a plan with the error")
			}
			var se *spec.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse error = %#v, want *spec.Error", err)
			}
			if got := err.Error(); got != r.want {
				t.Errorf("Parse error\n got %s\nwant %s", got, r.want)
			}
		})
	}
}

// TestErrorUnwrapsJSON checks that syntax and type errors keep the
// encoding/json error behind them.
func TestErrorUnwrapsJSON(t *testing.T) {
	_, err := spec.Parse("c.json", []byte(`{`))
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		t.Errorf("errors.As(%v, *json.SyntaxError) = false", err)
	}
	_, err = spec.Parse("c.json", []byte(`{"process":{"cwd":1}}`))
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &typ) {
		t.Errorf("errors.As(%v, *json.UnmarshalTypeError) = false", err)
	}
	_, err = spec.Parse("c.json", []byte(`{}`))
	if errors.Unwrap(err) != nil {
		t.Errorf("a semantic error unwraps to %v, want nil", errors.Unwrap(err))
	}
}

func TestErrorWithoutFile(t *testing.T) {
	_, err := spec.Parse("", []byte(`{}`))
	if got, want := err.Error(), "1:1: process: process property must not be empty"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
