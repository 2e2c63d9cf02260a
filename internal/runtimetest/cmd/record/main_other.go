//go:build !linux

// Command record needs Linux: see main_linux.go.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Fprintf(os.Stderr, "record: runs real runtimes, which needs Linux; this is %s\n", runtime.GOOS)
	os.Exit(2)
}
