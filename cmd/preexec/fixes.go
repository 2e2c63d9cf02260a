package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/preexec/preexec"
	"github.com/preexec/preexec/access"
	"github.com/preexec/preexec/spec"
)

// fixesOf returns r's verified fixes and hints with the places its user
// makes them. For a bundle they are preexec's (config.json, the rootfs).
// For an image each change is tried where the engine's user makes it —
// the Dockerfile, an engine flag, the pod — by making the spec again with
// spec.FromImage and evaluating it; a place is listed only if the runtime
// then starts, and a fix with no such place is dropped.
func fixesOf(in *input, r preexec.Result, host preexec.Host) []preexec.Fix {
	fixes := r.Fixes()
	if in.Source == nil || len(fixes) == 0 {
		return fixes
	}
	rt := r.RuntimeBuild() // the very build, its Go patch too
	if rt.Release == nil {
		return nil
	}
	var out []preexec.Fix
	for _, f := range fixes {
		switch f.Kind {
		case preexec.FixHint, preexec.FixKernel, preexec.FixRuntime:
			out = append(out, f)
			continue
		}
		f.Where = places(in, f, rt, host)
		if len(f.Where) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// places are the places of an engine's user where f, made, lets rt start
// the container in.
func places(in *input, f preexec.Fix, rt preexec.Runtime, host preexec.Host) []preexec.Place {
	var out []preexec.Place
	e := in.Source
	try := func(p preexec.Place, img spec.ImageConfig, ov spec.Overrides, file bool) {
		base := e.Base
		if file {
			// A RUN line in the image: the layer's inode changes.
			_, fsys, _, _, err := f.Apply(in.Plan, e.Base, rt, host)
			if err != nil {
				return
			}
			base = fsys
		}
		if starts(in, img, base, ov, rt, host) {
			out = append(out, p)
		}
	}
	kube := e.Overrides.Kube != nil
	ov := cloneOverrides(e.Overrides)
	switch f.Kind {
	case preexec.FixChmod:
		try(preexec.Place{Kind: preexec.PlaceDockerfile, Text: fmt.Sprintf("RUN chmod %s %s", f.Symbolic, f.Path)}, e.Config, e.Overrides, true)
	case preexec.FixChown:
		if e.SCC != "" {
			// The SCC gives the pod a uid of the namespace's range, which
			// an image cannot know: a chown to the modelled one is no fix.
			break
		}
		try(preexec.Place{Kind: preexec.PlaceDockerfile, Text: fmt.Sprintf("RUN chown %d %s", f.UID, f.Path)}, e.Config, e.Overrides, true)
	case preexec.FixCap:
		name := strings.TrimPrefix(f.Cap.String(), "CAP_")
		if kube {
			ov.Kube.CapAdd = append(ov.Kube.CapAdd, name)
			try(preexec.Place{Kind: preexec.PlacePod, Field: "securityContext.capabilities.add", Text: fmt.Sprintf("add %s to securityContext.capabilities.add", name)}, e.Config, ov, false)
		} else {
			ov.CapAdd = append(ov.CapAdd, name)
			try(preexec.Place{Kind: preexec.PlaceFlag, Text: "--cap-add " + name}, e.Config, ov, false)
		}
	case preexec.FixGroup:
		if kube {
			ov.Kube.SupplementalGroups = append(ov.Kube.SupplementalGroups, int64(f.GID))
			try(preexec.Place{Kind: preexec.PlacePod, Field: "spec.securityContext.supplementalGroups", Text: fmt.Sprintf("add %d to the pod's securityContext.supplementalGroups", f.GID)}, e.Config, ov, false)
		} else {
			ov.GroupAdd = append(ov.GroupAdd, fmt.Sprint(f.GID))
			try(preexec.Place{Kind: preexec.PlaceFlag, Text: fmt.Sprintf("--group-add %d", f.GID)}, e.Config, ov, false)
		}
	case preexec.FixUser:
		img := e.Config
		img.User = fmt.Sprint(f.UID)
		try(preexec.Place{Kind: preexec.PlaceDockerfile, Text: fmt.Sprintf("USER %d", f.UID)}, img, e.Overrides, false)
		if kube {
			u := int64(f.UID)
			ov.Kube.RunAsUser = &u
			try(preexec.Place{Kind: preexec.PlacePod, Field: "securityContext.runAsUser", Text: fmt.Sprintf("set securityContext.runAsUser to %d", f.UID)}, e.Config, ov, false)
		} else {
			ov.User = fmt.Sprint(f.UID)
			try(preexec.Place{Kind: preexec.PlaceFlag, Text: fmt.Sprintf("--user %d", f.UID)}, e.Config, ov, false)
		}
	case preexec.FixNoNewPrivileges:
		if kube {
			no := false
			ov.Kube.AllowPrivilegeEscalation = &no
			try(preexec.Place{Kind: preexec.PlacePod, Field: "securityContext.allowPrivilegeEscalation", Text: "set securityContext.allowPrivilegeEscalation to false"}, e.Config, ov, false)
		} else {
			ov.NoNewPrivileges = true
			try(preexec.Place{Kind: preexec.PlaceFlag, Text: "--security-opt no-new-privileges"}, e.Config, ov, false)
		}
	}
	// FixSeccomp: the engines' default profiles allow faccessat2, and a
	// profile of the user's own is a file the model does not read.
	return out
}

// starts reports whether rt starts the container in's engine makes of
// img over base with ov, its SCC admitting it again.
func starts(in *input, img spec.ImageConfig, base access.FS, ov spec.Overrides, rt preexec.Runtime, host preexec.Host) bool {
	src := *in.Source
	src.Config, src.Base, src.Overrides = img, base, ov
	c, err := src.Make("", *in.Engine)
	if err != nil {
		return false
	}
	defer c.Close() // the bind sources it opened again
	if c.Refusal != "" || c.Unknown != "" {
		return false
	}
	return preexec.Evaluate(c.Plan, c.FS, rt, host).Starts
}

// cloneOverrides copies the lists of ov that a fix appends to.
func cloneOverrides(ov spec.Overrides) spec.Overrides {
	ov.CapAdd, ov.GroupAdd = slices.Clone(ov.CapAdd), slices.Clone(ov.GroupAdd)
	if ov.Kube != nil {
		k := *ov.Kube
		k.CapAdd, k.SupplementalGroups = slices.Clone(k.CapAdd), slices.Clone(k.SupplementalGroups)
		ov.Kube = &k
	}
	return ov
}

// fixText is the fixes of a result for people, verified ones joined by
// "; or ", each with its places for an image; hints are not among them.
func fixText(in *input, fixes []preexec.Fix) string {
	var parts []string
	for _, f := range fixes {
		if !f.Verified {
			continue
		}
		t := f.Text
		if in.Source != nil && f.Kind != preexec.FixRuntime {
			var w []string
			for _, p := range f.Where {
				// A place that only says the fix again (the host's kernel)
				// is not repeated.
				if !strings.Contains(f.Text, p.Text) {
					w = append(w, placeText(p))
				}
			}
			if len(w) > 0 {
				t += " (" + strings.Join(w, "; ") + ")"
			}
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, "; or ")
}

// hintText is the advice among fixes the model could not verify.
func hintText(fixes []preexec.Fix) string {
	var parts []string
	for _, f := range fixes {
		if !f.Verified {
			parts = append(parts, f.Text)
		}
	}
	return strings.Join(parts, "; ")
}

// placeText names a place for people: "Dockerfile: RUN chmod o+x /x".
func placeText(p preexec.Place) string {
	switch p.Kind {
	case preexec.PlaceDockerfile:
		return "Dockerfile: " + p.Text
	case preexec.PlaceFlag:
		return "flag " + p.Text
	case preexec.PlacePod:
		return "pod: " + p.Text
	}
	return p.Text
}

type jsonPlace struct {
	Kind  string `json:"kind"`
	Field string `json:"field,omitempty"`
	Text  string `json:"text"`
}

type jsonFix struct {
	Change   string      `json:"change"`
	Path     string      `json:"path,omitempty"`
	Mode     string      `json:"mode,omitempty"`
	Symbolic string      `json:"symbolic,omitempty"`
	UID      *uint32     `json:"uid,omitempty"`
	GID      *uint32     `json:"gid,omitempty"`
	Cap      string      `json:"cap,omitempty"`
	Kernel   string      `json:"kernel,omitempty"`
	Runtimes []string    `json:"runtimes,omitempty"`
	Where    []jsonPlace `json:"where"`
	Text     string      `json:"text"`
	Verified bool        `json:"verified"`
}

func jsonFixes(fixes []preexec.Fix) []jsonFix {
	out := []jsonFix{}
	for _, f := range fixes {
		j := jsonFix{Change: f.Kind.String(), Path: f.Path, Text: f.Text, Verified: f.Verified, Runtimes: f.Runtimes, Where: []jsonPlace{}}
		switch f.Kind {
		case preexec.FixChmod:
			j.Mode, j.Symbolic = fmt.Sprintf("%04o", f.Mode), f.Symbolic
		case preexec.FixChown, preexec.FixUser:
			j.UID = &f.UID
		case preexec.FixGroup:
			j.GID = &f.GID
		case preexec.FixCap:
			j.Cap = f.Cap.String()
		case preexec.FixKernel:
			j.Kernel = fmt.Sprintf("%d.%d", f.Kernel>>16, f.Kernel>>8&0xff)
		}
		for _, p := range f.Where {
			j.Where = append(j.Where, jsonPlace{Kind: p.Kind.String(), Field: p.Field, Text: p.Text})
		}
		out = append(out, j)
	}
	return out
}
