package runtimeinfo_test

import (
	"fmt"

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
