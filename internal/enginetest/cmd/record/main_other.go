//go:build !linux

// Command record records the engine oracle's goldens; it runs on Linux
// only.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "record: the engine oracle runs on Linux only")
	os.Exit(2)
}
