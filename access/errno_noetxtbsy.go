//go:build js

package access

import "syscall"

// js/wasm has no ETXTBSY; a value no errno of it uses stands in.
const errETXTBSY = syscall.Errno(0x7f02)
