package runtimetest

import "strings"

// curatedRunsc adds the cases that pin where gVisor's sentry (runsc,
// google/gvisor at release-20221219.0) takes a pre-exec step otherwise
// than Linux; every runtime runs them.
func curatedRunsc(add func(Case)) {
	// A #! interpreter whose path runs past byte 127 of the line.
	long := "/" + strings.Repeat("a", 130)
	add(Case{
		Name: "runsc_shebang_interpreter_past_127_bytes",
		Rule: "fs/binfmt_script.c:load_script reads 256 bytes (BINPRM_BUF_SIZE, Linux ≥ 5.1): a 134-byte interpreter path is found and runs; gVisor's parseInterpreterScript reads 127 (interpMaxLineLength, pkg/sentry/loader/interpreter.go@release-20221219.0) and opens the cut path: `failed to load /entrypoint.sh: no such file or directory`",
		Rootfs: rootfsOf(Base, "dir "+long+" 0755 0:0", "symlink "+long+"/sh /bin/busybox",
			`file /entrypoint.sh 0755 0:0 text="#!`+long+`/sh\necho `+Marker+`\n"`),
		Process: proc(1000, 1000, "/", "/entrypoint.sh"),
	})
	// A script only CAP_DAC_OVERRIDE lets the user read.
	add(Case{
		Name:    "runsc_script_0751_read_with_kept_dac_override",
		Rule:    "security/commoncap.c:cap_bprm_creds_from_file: a non-root user's effective set is emptied by execve without ambient capabilities, so busybox sh cannot open the 0751 script it was started for (`can't open`); gVisor checks read and execute at once with CAP_DAC_OVERRIDE (loader.go:openPath) and the first process keeps the spec's credentials (kernel.go:Kernel.CreateProcess@release-20221219.0): it starts",
		Rootfs:  rootfsOf(Base, "file /entrypoint.sh 0751 0:0 "+StartScript),
		Process: withCaps(proc(1000, 1000, "/", "/entrypoint.sh"), bep("CAP_DAC_OVERRIDE")),
	})
}
