//go:build !js

package access

import "syscall"

const errETXTBSY = syscall.ETXTBSY
