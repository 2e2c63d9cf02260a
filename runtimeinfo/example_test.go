package runtimeinfo_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/runtimeinfo"
)

// Read a runtime binary, then ask the model which runtime answers for it.
func ExampleRead() {
	b, err := runtimeinfo.Read("/usr/sbin/runc")
	if err != nil {
		fmt.Println("cannot read it:", err)
		return
	}
	rt, err := preexec.RuntimeFor(b)
	if err != nil {
		fmt.Println("not modelled:", err)
		return
	}
	fmt.Println(rt.Name, "from", b.Source)
}

// A file that is neither a runc nor a crun binary is an error, never a
// guess: here the example's own executable, a Go program of another
// module.
func ExampleRead_notARuntime() {
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_, err = runtimeinfo.Read(exe)
	fmt.Println(err != nil && strings.Contains(err.Error(), "not runc"))
	// Output: true
}

// The running kernel, as --runtime host reads it.
func ExampleReadKernel() {
	k, err := runtimeinfo.ReadKernel()
	if err != nil {
		fmt.Println("no /proc:", err)
		return
	}
	fmt.Printf("kernel %s, fs.protected_symlinks=%v\n", k.Release, k.ProtectedSymlinks)
}
