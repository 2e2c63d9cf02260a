//go:build !race

package runtimetest

// raceEnabled is true in a -race build.
const raceEnabled = false
