package preexec

import (
	"fmt"
	"sort"
	"strings"
)

// RuntimesTable renders the modelled release lines as the Markdown table of
// docs/runtimes.md: one row per line, one column per behaviour, a changed
// cell marked with * and its citation listed below. The docs file is
// generated from the rows and checked by a test; nobody edits it by hand.
func RuntimesTable() string {
	var b strings.Builder
	b.WriteString("# Runtime profiles\n\n")
	b.WriteString("Generated from the rows in `runtimes_runc.go` by `go test -run TestDocsUpToDate -update`; do not edit.\n")
	b.WriteString("A cell marked * differs from the line above; the notes under the table cite the upstream change.\n\n")
	b.WriteString("| line | versions | official Go | chdir | cwd creation | check after LookPath | LookPath env | no capabilities object | unknown capability | seccomp | tmpfs root mode | bind options in a user namespace | rootless additionalGids | post-ready prefix | execve error | exit status after start |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	var prev *Release
	var notes []string
	for i, l := range lines {
		if l.Sentry != nil {
			continue // gVisor's rows have a section of their own
		}
		cell := func(field, v string) string {
			if prev != nil && prev.Runtime == l.Runtime && fieldValue(prev, field) != v {
				return v + " *"
			}
			return v
		}
		name := fmt.Sprintf("%s %s", l.Runtime, l.Versions[0])
		if len(l.Versions) > 1 {
			name += " … " + l.Versions[len(l.Versions)-1]
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", i+1, name,
			officialGoCell(l), cell("Chdir", fieldValue(l, "Chdir")), cell("CwdCreate", fieldValue(l, "CwdCreate")),
			cell("ExecCheck", fieldValue(l, "ExecCheck")), cell("Env", fieldValue(l, "Env")), cell("AbsentCaps", fieldValue(l, "AbsentCaps")),
			cell("UnknownCapsFatal", fieldValue(l, "UnknownCapsFatal")), cell("Seccomp", fieldValue(l, "Seccomp")),
			cell("Tmpfs", fieldValue(l, "Tmpfs")), cell("UserNSBind", fieldValue(l, "UserNSBind")), cell("RootlessGroups", fieldValue(l, "RootlessGroups")), cell("PostReady", fieldValue(l, "PostReady")), cell("Exec", fieldValue(l, "Exec")), cell("InitExitStatus", fieldValue(l, "InitExitStatus")))
		keys := make([]string, 0, len(l.Cite))
		for k := range l.Cite {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			notes = append(notes, fmt.Sprintf("- line %d (%s), %s: %s", i+1, name, k, l.Cite[k]))
		}
		prev = l
	}
	b.WriteString("\n## Changes\n\n")
	b.WriteString(strings.Join(notes, "\n"))
	b.WriteString("\n")
	writeSentries(&b)
	writeJoin(&b)
	writeBuilds(&b)
	return b.String()
}

// writeJoin renders what each line's exec does differently when it joins
// a process to a running container (Release.Join, Host.Exec), and the
// distribution builds whose own exec differs from their release's.
func writeJoin(b *strings.Builder) {
	b.WriteString("\n## `runc exec` and `crun exec`\n\n")
	b.WriteString("A process joined to a running container (`preexec check --exec`, `Host.Exec`) takes its line's chdir, user and capability steps above, but no cwd is created (a missing one fails chdir), a process without capabilities gets the container's, and these differ (`Join`; its changes are cited above):\n\n")
	b.WriteString("| line | versions | exec |\n|---|---|---|\n")
	for i, l := range lines {
		name := l.Versions[0]
		if len(l.Versions) > 1 {
			name += " … " + l.Versions[len(l.Versions)-1]
		}
		fmt.Fprintf(b, "| %d | %s %s | %s |\n", i+1, l.Runtime, name, l.Join)
	}
	for _, d := range distroBuilds {
		if d.Join != nil {
			fmt.Fprintf(b, "| — | runc@%s+%s | %s |\n", d.Version, d.Build, *d.Join)
		}
	}
}

// writeBuilds renders the builds section: every runtime of Runtimes, the
// distributions' builds and every other build the runtime oracle holds, with its line, its Go and
// whether the oracle holds it (OracleVerified).
func writeBuilds(b *strings.Builder) {
	index := map[*Release]int{}
	for i, l := range lines {
		index[l] = i + 1
	}
	rts := Runtimes()
	known := map[string]bool{}
	for _, rt := range rts {
		known[rt.Name] = true
	}
	var others []string
	for _, d := range distroBuilds {
		others = append(others, "runc@"+d.Version+"+"+d.Build)
	}
	for _, n := range append(others, oracleRuntimes...) {
		if rt, err := LookupRuntime(n); err == nil && !known[n] {
			known[n] = true
			rts = append(rts, rt)
		}
	}
	b.WriteString("\n## Builds\n\n")
	fmt.Fprintf(b, "The runtime builds the model knows (`preexec runtimes` lists them too). Go is the toolchain that built the binary; the toolchain table records Go up to %s (NewestGo). A build is verified when the runtime oracle (internal/runtimetest) holds it: its real binary ran on the recorded cases and the goldens in testdata/runtime hold its outcomes; an unverified build rests on its line's row alone.\n\n", NewestGo())
	b.WriteString("| build | line | Go | runtime oracle |\n|---|---|---|---|\n")
	for _, rt := range rts {
		state := "unverified"
		if OracleVerified(rt.Name) {
			state = "verified"
		}
		row := rt.Release
		if a := row.Amends(); a != nil {
			row = a
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s |\n", rt.Name, index[row], dash(rt.Go), state)
	}
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// fieldValue is the text of one behaviour of l in the docs table.
func fieldValue(l *Release, field string) string {
	switch field {
	case "Chdir":
		return l.Chdir.String()
	case "CwdCreate":
		return [...]string{"os.MkdirAll as root, fatal", "mkdirat, errors ignored"}[l.CwdCreate]
	case "ExecCheck":
		return [...]string{"none", "faccessat2, else access(2)", "x/sys Faccessat if Go < 1.20"}[l.ExecCheck]
	case "Env":
		return [...]string{"all of process.env", "PATH only"}[l.Env]
	case "AbsentCaps":
		return [...]string{"all dropped", "kept"}[l.AbsentCaps]
	case "UnknownCapsFatal":
		if l.UnknownCapsFatal {
			return "fatal"
		}
		return "warned, dropped"
	case "Seccomp":
		if l.Runtime == "crun" {
			return "—"
		}
		var parts []string
		if l.SeccompENOSYSStub {
			parts = append(parts, "ENOSYS stub past the last named syscall")
		}
		if l.SeccompIgnoresDefaultErrnoRet {
			parts = append(parts, "defaultErrnoRet ignored (EPERM)")
		}
		if l.SeccompRedundantRuleFatal {
			parts = append(parts, "a rule equal to the default action is fatal")
		}
		switch l.SeccompActions {
		case SeccompActionsRC92:
			parts = append(parts, "no SCMP_ACT_NOTIFY, KILL_THREAD, KILL_PROCESS")
		case SeccompActionsNotify:
			parts = append(parts, "no SCMP_ACT_KILL_THREAD, KILL_PROCESS")
		}
		if l.SeccompListener != "" {
			parts = append(parts, "NOTIFY without listenerPath: `"+l.SeccompListener+"`")
		}
		if len(parts) == 0 {
			return "defaultErrnoRet honoured, redundant rules skipped"
		}
		return strings.Join(parts, "; ")
	case "Tmpfs":
		return l.Tmpfs.String()
	case "UserNSBind":
		return l.UserNSBind.String()
	case "RootlessGroups":
		return [...]string{"fatal in runc init's setupUser", "fatal before runc init", "set unless setgroups is denied (one gid mapped), else ignored"}[l.RootlessGroups]
	case "PostReady":
		if l.Runtime == "crun" {
			return "— (`msg: strerror`)"
		}
		return "`" + strings.TrimSpace(strings.ReplaceAll(l.Errors.PostReady, "%[1]s", "run")) + "`"
	case "InitExitStatus":
		return fmt.Sprint(l.Errors.InitExitStatus)
	case "Exec":
		if l.Runtime == "crun" {
			return "`exec container process `path`: strerror`"
		}
		return "`" + strings.ReplaceAll(strings.ReplaceAll(l.Errors.Exec, "%[2]s", "<errno>"), "%s: %s", "<path>: <errno>") + "`"
	}
	return ""
}

// officialGoCell is the official Go of a line, with the versions built
// with another (OfficialGoOf) in release order: "1.25 (1.4.0: 1.24, …)".
func officialGoCell(l *Release) string {
	var other []string
	for _, v := range l.Versions {
		if g, ok := l.OfficialGoOf[v]; ok {
			other = append(other, v+": "+g)
		}
	}
	if len(other) == 0 {
		return dash(l.OfficialGo)
	}
	return dash(l.OfficialGo) + " (" + strings.Join(other, ", ") + ")"
}
