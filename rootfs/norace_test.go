//go:build !race

package rootfs

// raceEnabled is true in a -race build.
const raceEnabled = false
