package caps_test

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/preexec/preexec/caps"
)

// A binary with file capabilities cap_dac_override+ep (setcap
// cap_dac_override+ep /bin/tool) run by uid 1000 gets CAP_DAC_OVERRIDE in its
// effective set. If the bounding set lacks it, execve fails with EPERM
// rather than run a capability-dumb binary without the capability it was
// promised (security/commoncap.c:bprm_caps_from_vfs_caps).
func ExampleState_Exec() {
	user := caps.State{Sets: caps.Sets{Bounding: caps.All}}
	x := caps.Exec{UID: 1000, EUID: 1000, NewEUID: 1000, GID: 1000, EGID: 1000, NewEGID: 1000,
		File: &caps.FileCaps{Permitted: caps.Of(caps.CAP_DAC_OVERRIDE), Effective: true}}

	s, _, _, err := user.Exec(x)
	fmt.Printf("effective: %s, err: %v\n", s.Effective, err)

	user.Bounding = user.Bounding.Without(caps.CAP_DAC_OVERRIDE)
	_, _, _, err = user.Exec(x)
	fmt.Println("without it in bounding:", err)
	// Output:
	// effective: CAP_DAC_OVERRIDE, err: <nil>
	// without it in bounding: operation not permitted
}

// FromSpec reads process.capabilities of a config.json. Names it does not
// know are reported per set, and the known ones are returned all the same.
func ExampleFromSpec() {
	sets, err := caps.FromSpec(&specs.LinuxCapabilities{
		Bounding:  []string{"CAP_NET_BIND_SERVICE", "CAP_NET_RAW"},
		Effective: []string{"CAP_NET_BIND_SERVICE"},
		Permitted: []string{"CAP_NET_BIND_SERVICE", "CAP_BOGUS"},
		Ambient:   []string{"net_bind_service"},
	})
	fmt.Println("bounding: ", sets.Bounding)
	fmt.Println("effective:", sets.Effective)
	fmt.Println("permitted:", sets.Permitted)
	var unknown *caps.UnknownError
	if errors.As(err, &unknown) {
		fmt.Println("unknown:  ", unknown.Names)
	}
	// Output:
	// bounding:  CAP_NET_BIND_SERVICE,CAP_NET_RAW
	// effective: CAP_NET_BIND_SERVICE
	// permitted: CAP_NET_BIND_SERVICE
	// unknown:   map[ambient:[net_bind_service] permitted:[CAP_BOGUS]]
}

// runc keeps capabilities across the switch to the container user with
// PR_SET_KEEPCAPS, but the effective set is emptied anyway: a chdir runc
// retries at that point runs without CAP_DAC_OVERRIDE.
func ExampleState_Setresuid() {
	s := caps.Root
	s.KeepCaps = true
	s = s.Setresuid(caps.UIDs{}, caps.UIDs{Real: 1000, Effective: 1000, Saved: 1000})
	fmt.Printf("effective: %q\n", s.Effective)
	fmt.Println("permitted kept:", s.Permitted == caps.All)
	// Output:
	// effective: ""
	// permitted kept: true
}
