// Command capture is the engine oracle's stand-in for a runtime: an engine
// (dockerd through containerd's runc shim, podman through conmon) runs it
// as it would runc, and on `create --bundle DIR … ID` it copies
// DIR/config.json — the spec the engine hands the runtime — to
// <directory of this binary>/captured/ID.json, then fails the create the
// way runc fails one: an error line in its --log file (json) and on stderr,
// exit status 1. Nothing is started.
//
// For the other subcommands an engine may run around a create (state,
// delete, kill, --version, features) it answers as runc would for a
// container that does not exist.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Message is the create error capture reports.
const Message = "preexec capture: config.json captured, not started"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	var logPath, logFormat, bundle, sub string
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		val := func() string {
			if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(k, "-") {
				return v
			}
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case a == "--version" || a == "-v":
			fmt.Println("runc version 1.1.5\ncommit: preexec-capture\nspec: 1.0.2-dev")
			return 0
		case a == "--log" || strings.HasPrefix(a, "--log="):
			logPath = val()
		case a == "--log-format" || strings.HasPrefix(a, "--log-format="):
			logFormat = val()
		case a == "--root" || strings.HasPrefix(a, "--root=") || a == "--criu" || strings.HasPrefix(a, "--criu="):
			val()
		case a == "--bundle" || a == "-b" || strings.HasPrefix(a, "--bundle="):
			bundle = val()
		case a == "--pid-file" || strings.HasPrefix(a, "--pid-file=") || a == "--console-socket" || strings.HasPrefix(a, "--console-socket="):
			val()
		case strings.HasPrefix(a, "-"):
			// A boolean flag (--systemd-cgroup, --debug, --no-pivot, ...).
		case sub == "":
			sub = a
		default:
			rest = append(rest, a)
		}
	}
	fail := func(msg string) int {
		if logPath != "" {
			if logFormat == "json" {
				b, _ := json.Marshal(map[string]string{"level": "error", "msg": msg, "time": time.Now().UTC().Format(time.RFC3339Nano)})
				appendFile(logPath, append(b, '\n'))
			} else {
				appendFile(logPath, []byte(fmt.Sprintf("time=%q level=error msg=%q\n", time.Now().UTC().Format(time.RFC3339Nano), msg)))
			}
		}
		fmt.Fprintln(os.Stderr, msg)
		return 1
	}
	switch sub {
	case "create", "run":
		if len(rest) == 0 {
			return fail("capture: create without a container id")
		}
		id := rest[len(rest)-1]
		if bundle == "" {
			bundle, _ = os.Getwd()
		}
		b, err := os.ReadFile(filepath.Join(bundle, "config.json"))
		if err != nil {
			return fail("capture: " + err.Error())
		}
		exe, err := os.Executable()
		if err != nil {
			return fail("capture: " + err.Error())
		}
		dir := filepath.Join(filepath.Dir(exe), "captured")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fail("capture: " + err.Error())
		}
		tmp := filepath.Join(dir, "."+id+".tmp")
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return fail("capture: " + err.Error())
		}
		if err := os.Rename(tmp, filepath.Join(dir, id+".json")); err != nil {
			return fail("capture: " + err.Error())
		}
		return fail(Message)
	case "delete", "kill":
		return 0
	case "state":
		id := ""
		if len(rest) > 0 {
			id = rest[0]
		}
		return fail("container does not exist: " + id)
	}
	return fail("capture: unsupported command " + sub)
}

func appendFile(p string, b []byte) {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	f.Write(b)
	f.Close()
}
