//go:build race

package enginetest

// raceEnabled is true in a -race build.
const raceEnabled = true
