package preexec

// OracleVerified reports whether the runtime build named name (as
// Runtime.Name spells it: "runc@1.1.4+go1.19", "runc@1.1.5+debian",
// "crun@1.8.1") is held by the runtime oracle: its real binary was run on
// the recorded cases and its outcomes are the goldens of testdata/runtime,
// which internal/runtimetest holds the model and the installed binaries to.
// A build the model knows but the oracle does not hold (one that could not
// be built, or a name with the official binary's Go) is unverified: its
// predictions rest on its line's rows alone.
func OracleVerified(name string) bool {
	for _, n := range oracleRuntimes {
		if n == name {
			return true
		}
	}
	return false
}

// OracleRuntimes returns the names of the builds the runtime oracle holds,
// in the order of testdata/runtime/header.json.
func OracleRuntimes() []string { return append([]string(nil), oracleRuntimes...) }

// oracleRuntimes are the runtimes of testdata/runtime/header.json, the
// builds that produced the goldens; TestOracleRuntimesUpToDate keeps the
// list equal to the header (-update rewrites it).
var oracleRuntimes = []string{
	// generated from testdata/runtime/header.json: begin
	"crun@1.8.1",
	"runc@1.0.0+go1.19",
	"runc@1.0.0+go1.26",
	"runc@1.0.0-rc92+go1.19",
	"runc@1.0.0-rc92+go1.26",
	"runc@1.0.0-rc92+go1.27",
	"runc@1.0.0-rc93+go1.19",
	"runc@1.0.0-rc93+go1.26",
	"runc@1.0.0-rc93+go1.27",
	"runc@1.0.0-rc94+go1.19",
	"runc@1.0.0-rc94+go1.26",
	"runc@1.0.0-rc94+go1.27",
	"runc@1.0.0-rc95+go1.19",
	"runc@1.0.0-rc95+go1.26",
	"runc@1.0.1+go1.19",
	"runc@1.0.1+go1.26",
	"runc@1.0.2+go1.19",
	"runc@1.0.2+go1.26",
	"runc@1.0.3+go1.19",
	"runc@1.0.3+go1.26",
	"runc@1.1.0+go1.19",
	"runc@1.1.0+go1.26",
	"runc@1.1.1+go1.19",
	"runc@1.1.1+go1.26",
	"runc@1.1.10+go1.19",
	"runc@1.1.10+go1.26",
	"runc@1.1.11+go1.19",
	"runc@1.1.11+go1.26",
	"runc@1.1.12+go1.19",
	"runc@1.1.12+go1.26",
	"runc@1.1.12+go1.27",
	"runc@1.1.13+go1.19",
	"runc@1.1.13+go1.26",
	"runc@1.1.14+go1.19",
	"runc@1.1.14+go1.26",
	"runc@1.1.15+go1.19",
	"runc@1.1.15+go1.26",
	"runc@1.1.2+go1.19",
	"runc@1.1.2+go1.26",
	"runc@1.1.3+go1.19",
	"runc@1.1.3+go1.26",
	"runc@1.1.4+go1.19",
	"runc@1.1.4+go1.26",
	"runc@1.1.4+go1.27",
	"runc@1.1.5+debian",
	"runc@1.1.5+go1.19",
	"runc@1.1.5+go1.26",
	"runc@1.1.6+go1.19",
	"runc@1.1.6+go1.26",
	"runc@1.1.6+go1.27",
	"runc@1.1.7+go1.19",
	"runc@1.1.7+go1.26",
	"runc@1.1.8+go1.19",
	"runc@1.1.8+go1.26",
	"runc@1.1.9+go1.19",
	"runc@1.1.9+go1.26",
	"runc@1.2.0+go1.26",
	"runc@1.2.0+go1.27",
	"runc@1.2.1+go1.26",
	"runc@1.2.2+go1.26",
	"runc@1.2.3+go1.26",
	"runc@1.2.4+go1.26",
	"runc@1.2.5+go1.26",
	"runc@1.2.6+go1.26",
	"runc@1.2.7+go1.26",
	"runc@1.2.8+go1.26",
	"runc@1.2.9+go1.26",
	"runc@1.2.9+go1.27",
	"runc@1.3.0+go1.26",
	"runc@1.3.0+go1.27",
	"runc@1.3.1+go1.26",
	"runc@1.3.2+go1.26",
	"runc@1.3.3+go1.26",
	"runc@1.3.4+go1.26",
	"runc@1.3.5+go1.26",
	"runc@1.3.6+go1.26",
	"runc@1.3.7+go1.26",
	"runc@1.3.7+go1.27",
	"runc@1.4.0+go1.26",
	"runc@1.4.0+go1.27",
	"runc@1.4.1+go1.26",
	"runc@1.4.2+go1.26",
	"runc@1.4.3+go1.26",
	"runc@1.4.4+go1.26",
	"runc@1.4.4+go1.27",
	"runc@1.5.0+go1.26",
	"runc@1.5.1+go1.26",
	"runc@1.5.2+go1.26",
	"runc@1.5.3+go1.26",
	"runc@1.5.3+go1.27",
	"runc@1.6.0-rc.1+go1.26",
	"runc@1.6.0-rc.1+go1.27",
	"runsc@20221219.0+debian",
	// generated: end
}
