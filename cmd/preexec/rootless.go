package main

import (
	"errors"
	"flag"
	"strconv"
	"strings"

	"github.com/preexec/preexec/spec"
)

// registerRootless declares --rootless, --rootless-user, --subuid and
// --subgid, which make *dst the rootless podman's user (nil: podman run as
// root). Any of them turns rootless on, from spec.DefaultRootless; --subgid
// defaults to --subuid's range.
func registerRootless(fs *flag.FlagSet, dst **spec.Rootless) {
	gidSet := false
	ensure := func() *spec.Rootless {
		if *dst == nil {
			r := spec.DefaultRootless
			r.SubUIDs = append([]spec.IDRange(nil), r.SubUIDs...)
			r.SubGIDs = append([]spec.IDRange(nil), r.SubGIDs...)
			*dst = &r
		}
		return *dst
	}
	fs.BoolFunc("rootless", "", func(v string) error {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return err
		}
		if !on {
			*dst = nil
			return nil
		}
		ensure()
		return nil
	})
	fs.Func("rootless-user", "", func(v string) error {
		u, g, ok := strings.Cut(v, ":")
		uid, err1 := strconv.ParseUint(u, 10, 32)
		gid, err2 := strconv.ParseUint(g, 10, 32)
		if !ok || err1 != nil || err2 != nil {
			return errors.New("want UID:GID, the user podman runs as (id -u, id -g)")
		}
		r := ensure()
		r.UID, r.GID = uint32(uid), uint32(gid)
		return nil
	})
	fs.Func("subuid", "", func(v string) error {
		rg, err := spec.ParseIDRange(v)
		if err != nil {
			return err
		}
		r := ensure()
		r.SubUIDs = []spec.IDRange{rg}
		if !gidSet {
			r.SubGIDs = []spec.IDRange{rg}
		}
		return nil
	})
	fs.Func("subgid", "", func(v string) error {
		rg, err := spec.ParseIDRange(v)
		if err != nil {
			return err
		}
		gidSet = true
		ensure().SubGIDs = []spec.IDRange{rg}
		return nil
	})
}

// rootlessUsage documents the flags of registerRootless.
const rootlessUsage = `  --rootless           podman runs as an ordinary user (rootless podman): its
                       user namespace maps 0 to the user and 1… to the
                       subordinate ranges; the image is stored with its ids
                       through it (podman only; an image or a manifest)
  --rootless-user UID:GID  that user's ids (default 1000:1000)
  --subuid START:COUNT the user's /etc/subuid range (default 100000:65536)
  --subgid START:COUNT its /etc/subgid range (default --subuid's)
`
