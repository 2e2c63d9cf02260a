package spec

import (
	"regexp"
	"strings"
	"sync"
)

// kubeVar is one variable the kubelet's expansion may read: its value and
// whether the model knows it.
type kubeVar struct {
	value string
	known bool
}

// kubeExpand is the kubelet's $(VAR) expansion of s (kubernetes
// third_party/forked/golang/expansion/expand.go:Expand, the rules written
// anew here): "$$" is "$"; "$(NAME)" is NAME's value when lookup finds
// it, else stays "$(NAME)" as written; a "$(" with no ")" after it, a
// "$" before any other byte, and a "$" at the end are kept as they are.
// unknown reports that a reference read a value the model cannot know:
// a variable whose known is false, or a name lookup does not find that
// maybe says may still be defined (by envFrom, or a Service's link
// variables).
func kubeExpand(s string, lookup func(string) (kubeVar, bool), maybe func(string) bool) (out string, unknown bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch next := s[i+1]; next {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString("$(")
				i++
				continue
			}
			name := s[i+2 : i+2+end]
			if v, ok := lookup(name); ok {
				b.WriteString(v.value)
				unknown = unknown || !v.known
			} else {
				b.WriteString("$(" + name + ")")
				unknown = unknown || maybe(name)
			}
			i += 2 + end
		default:
			b.WriteByte('$')
			b.WriteByte(next)
			i++
		}
	}
	return b.String(), unknown
}

// serviceLinkRE matches the names of the variables the kubelet adds for
// the Services of the pod's namespace and the master's "kubernetes"
// Service (kubernetes pkg/kubelet/envvars/envvars.go:FromServices):
// NAME_SERVICE_HOST, NAME_SERVICE_PORT[_PORTNAME], NAME_PORT and
// NAME_PORT_NUMBER_PROTO[_PROTO|_PORT|_ADDR].
var serviceLinkRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`_SERVICE_HOST$|_SERVICE_PORT(_|$)|_PORT$|_PORT_[0-9]+_(TCP|UDP|SCTP)`)
})

// kubeEnv is the kubelet's environment for a container
// (pkg/kubelet/kubelet_pods.go:makeEnvironmentVariables): envFrom first
// (unknown values), then env in order, each value expanded with the
// variables defined before it (a valueFrom value is not expanded and not
// known); the Services' link variables are consulted last. It sets k.Env,
// k.UnknownEnv and k.EnvFrom, and then expands k.Command and k.Args with
// the whole environment (pkg/kubelet/container/helpers.go
// ExpandContainerCommandAndArgs), recording in UnknownCommand and
// UnknownArgs which read a value the model cannot know.
func kubeEnv(k *KubeContainer, env []kubeEnvEntry, envFrom bool) {
	vars := map[string]kubeVar{}
	lookup := func(n string) (kubeVar, bool) { v, ok := vars[n]; return v, ok }
	maybe := func(n string) bool { return envFrom || serviceLinkRE().MatchString(n) }
	k.EnvFrom = envFrom
	for _, e := range env {
		v := kubeVar{value: e.value, known: !e.valueFrom}
		if !e.valueFrom && e.value != "" {
			var unknown bool
			v.value, unknown = kubeExpand(e.value, lookup, maybe)
			v.known = !unknown
		}
		vars[e.name] = v
	}
	// The kubelet's list is built from a map: one entry per name, the
	// last value; the order the env gives is kept here.
	seen := map[string]bool{}
	for i := len(env) - 1; i >= 0; i-- {
		n := env[i].name
		if seen[n] {
			continue
		}
		seen[n] = true
		k.Env = append([]string{n + "=" + vars[n].value}, k.Env...)
		if !vars[n].known {
			k.UnknownEnv = append([]string{n}, k.UnknownEnv...)
		}
	}
	expand := func(list []string) (out []string, unknown []int) {
		for i, a := range list {
			x, u := kubeExpand(a, lookup, maybe)
			out = append(out, x)
			if u {
				unknown = append(unknown, i)
			}
		}
		return out, unknown
	}
	k.Command, k.UnknownCommand = expand(k.Command)
	k.Args, k.UnknownArgs = expand(k.Args)
}

// kubeEnvEntry is one entry of a container's env.
type kubeEnvEntry struct {
	name, value string
	valueFrom   bool
}

// pathUnknown reports whether the PATH the container gets may be a value
// the model cannot know: an env PATH whose value is unknown, or no env
// PATH and envFrom, which may set it (the container's env wins over the
// image's in both CRI engines).
func (k *KubeContainer) pathUnknown() bool {
	for i := len(k.Env) - 1; i >= 0; i-- {
		if n, _, _ := strings.Cut(k.Env[i], "="); n == "PATH" {
			for _, u := range k.UnknownEnv {
				if u == "PATH" {
					return true
				}
			}
			return false
		}
	}
	return k.EnvFrom
}
