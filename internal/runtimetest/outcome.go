package runtimetest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/preexec/preexec/rootfs"
)

// Classify turns what a runtime of kind ("runc", "crun" or "runsc")
// printed and its exit status into an Outcome, in this order:
//
//  1. A stdout line equal to Marker: Started.
//  2. runc: a logrus line on stderr with level=error (or fatal): the
//     runtime refused the container, CreateError; the message is the msg
//     value of the last such line, unquoted (logrus' text formatter
//     Go-quotes values that need it). level=warning lines are ignored.
//  3. The last other non-empty stderr line, if it is the line runc init
//     prints when execve fails ("exec /x: permission denied",
//     "standard_init_linux.go:219: exec user process caused: permission
//     denied") or crun's container process prints ("exec container process
//     `/x`: Permission denied"; a process crun exec joined: "exec:
//     Permission denied"): ExecError.
//     runc ≤ 1.0.x init's own error after it reported ready, printed
//     the same way ("standard_init_linux.go:207: init seccomp caused:
//     …", a filter installed after the checks under noNewPrivileges):
//     CreateError, the whole line.
//     runsc: a last stderr line `running container: …` (`creating
//     container: …`, `starting container: …`, `reading spec: …`) with a
//     non-zero status: CreateError, the whole line, a Go heap address
//     in it written 0xc… (it differs from run to run).
//  4. A line an interpreter prints when it cannot run its script (busybox
//     sh: "/bin/sh: can't open '/x.sh': Permission denied"):
//     PostExecError.
//  5. crun: any other last stderr line with a non-zero status: CreateError
//     (crun prints its errors bare, "chdir `/w`: Permission denied").
//  6. Nothing on stderr: exit status rootfs.ProbeExitRan is the probe ELF
//     having run, Started; ProbeExitRan+errno is the probe, running as an
//     interpreter, failing to open its script, PostExecError.
//  7. Anything else: HarnessError, with the raw output kept.
//
// ANSI colour sequences are removed first (crun colours a terminal).
func Classify(kind, stdout, stderr string, status int) Outcome {
	o := Outcome{ExitStatus: status}
	for _, l := range lines(stdout) {
		if l == Marker {
			o.Class, o.Started = Started, true
			return o
		}
	}
	var bare []string
	var errMsg string
	haveErr := false
	for _, l := range lines(stripANSI(stderr)) {
		if kind == "runc" {
			if kv, ok := parseLogrus(l); ok {
				if lv := kv["level"]; lv == "error" || lv == "fatal" {
					errMsg, haveErr = kv["msg"], true
				}
				continue
			}
		}
		if kind == "crun" && crunWarning.MatchString(l) {
			continue
		}
		bare = append(bare, l)
	}
	if haveErr {
		o.Class, o.Message = CreateError, errMsg
		return o
	}
	if len(bare) > 0 {
		last := bare[len(bare)-1]
		switch {
		case kind == "runsc" && status != 0 && runscErr.MatchString(last):
			o.Class, o.Message = CreateError, goHeapAddr.ReplaceAllString(last, "0xc…")
			return o
		case kind == "runc" && (runcExecErr.MatchString(last) || runcOldExecErr.MatchString(last)),
			kind == "crun" && (crunExecErr.MatchString(last) || crunJoinExecErr.MatchString(last)):
			o.Class, o.Message = ExecError, last
			return o
		case kind == "runc" && runcOldInitErr.MatchString(last):
			o.Class, o.Message = CreateError, last
			return o
		case interpErr.MatchString(last):
			o.Class, o.Message = PostExecError, last
			return o
		case kind == "crun" && status != 0 && len(bare) == 1:
			o.Class, o.Message = CreateError, last
			return o
		}
	}
	if stderr == "" && strings.TrimSpace(stdout) == "" {
		switch {
		case status == rootfs.ProbeExitRan:
			o.Class, o.Started = Started, true
			return o
		case status > rootfs.ProbeExitRan && status < rootfs.ProbeExitRan+134:
			o.Class = PostExecError
			o.Message = fmt.Sprintf("probe: cannot open its script: errno %d", status-rootfs.ProbeExitRan)
			return o
		}
	}
	o.Class = HarnessError
	o.Message = "output not classified"
	o.Output = "stdout:\n" + stdout + "stderr:\n" + stderr
	return o
}

var (
	// runc ≥ 1.1: system.Exec's *os.PathError, "exec <name>: <errno>".
	runcExecErr = regexp.MustCompile(`^exec \S.*: [a-z][a-z ]*$`)
	// runc ≤ 1.0.3: genericError, "standard_init_linux.go:219: exec user
	// process caused: <errno>" (rc91+; "caused %q" before).
	runcOldExecErr = regexp.MustCompile(`^standard_init_linux\.go:\d+: exec user process caused`)
	// runc ≤ 1.0.3: InitSeccomp's error after ready, under
	// noNewPrivileges (standard_init_linux.go:Init, newSystemErrorWithCause
	// "init seccomp").
	runcOldInitErr = regexp.MustCompile(`^standard_init_linux\.go:\d+: init seccomp caused: `)
	// runsc: the error `runsc run` prints (google/gvisor
	// runsc/cli/main.go:Main@release-20221219.0, util.Fatalf), its
	// subcommand's wrappings first.
	runscErr = regexp.MustCompile(`^(running|creating|starting) container: |^reading spec: `)
	// A Go heap address, which runsc prints in some errors (a %+v of
	// the spec's process, ValidateSpec) and which differs from run to
	// run: Classify writes it 0xc….
	goHeapAddr = regexp.MustCompile(`0xc[0-9a-f]{9}\b`)
	// crun: libcrun_fail_with_error in the container process after
	// execv.
	crunExecErr = regexp.MustCompile("^exec container process ")
	// crun exec: the joined process's libcrun_fail_with_error (errno,
	// "exec") after execv (src/libcrun/container.c:exec_process_entrypoint).
	crunJoinExecErr = regexp.MustCompile("^exec: [A-Z][a-z]")
	// crun's warnings (libcrun_warning) are not the error.
	crunWarning = regexp.MustCompile(`^(WARN|warn)`)
	// busybox: "<argv0>: can't open '<file>': <strerror>".
	interpErr = regexp.MustCompile(`^\S+: can't open '.*': .+$`)
	ansi      = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")
)

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }

// lines returns the non-empty lines of s, right-trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " \t\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseLogrus parses a line of logrus' text formatter,
// `time="…" level=error msg="…"`: key=value pairs, values bare or
// Go-quoted. It reports false for a line that is not of that form.
func parseLogrus(l string) (map[string]string, bool) {
	kv := map[string]string{}
	for l != "" {
		eq := strings.IndexByte(l, '=')
		if eq <= 0 || strings.ContainsAny(l[:eq], " \"") {
			return nil, false
		}
		key := l[:eq]
		l = l[eq+1:]
		var val string
		if strings.HasPrefix(l, `"`) {
			q, err := strconv.QuotedPrefix(l)
			if err != nil {
				return nil, false
			}
			val, _ = strconv.Unquote(q)
			l = l[len(q):]
		} else {
			sp := strings.IndexByte(l, ' ')
			if sp < 0 {
				sp = len(l)
			}
			val, l = l[:sp], l[sp:]
		}
		kv[key] = val
		if l != "" && l[0] != ' ' {
			return nil, false
		}
		l = strings.TrimLeft(l, " ")
	}
	_, hasLevel := kv["level"]
	_, hasMsg := kv["msg"]
	return kv, hasLevel && hasMsg
}
