package preexec

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/preexec/preexec/spec"
)

// runcModule is the module path of runc on the Go module proxy.
const runcModule = "github.com/opencontainers/runc"

// moduleProxy is the first proxy URL of $GOPROXY (https://proxy.golang.org
// when unset), or "" when GOPROXY names none (off, direct).
func moduleProxy(env string) string {
	if env == "" {
		return "https://proxy.golang.org"
	}
	for _, p := range strings.FieldsFunc(env, func(r rune) bool { return r == ',' || r == '|' }) {
		if strings.HasPrefix(p, "https://") || strings.HasPrefix(p, "http://") {
			return strings.TrimRight(p, "/")
		}
		if p == "off" {
			return ""
		}
	}
	return ""
}

// newestRelease is the newest version of list (the proxy's @v/list: one
// version a line) that is not a pre-release, without its v; "" if none.
func newestRelease(list string) string {
	newest := ""
	for _, v := range strings.Fields(list) {
		v = strings.TrimPrefix(v, "v")
		if strings.ContainsAny(v, "-+") || strings.Count(v, ".") != 2 {
			continue
		}
		if newest == "" || spec.CompareVersions(newest, v) < 0 {
			newest = v
		}
	}
	return newest
}

// TestNewestReleaseModelled checks that the newest runc release the module
// proxy lists is a version of some line: a new release is a fact to read
// and model, not one to learn of from a user. The proxy is asked with a
// short timeout; when it cannot be reached the test skips, saying so.
func TestNewestReleaseModelled(t *testing.T) {
	proxy := moduleProxy(os.Getenv("GOPROXY"))
	if proxy == "" {
		t.Skipf("GOPROXY=%q names no proxy URL", os.Getenv("GOPROXY"))
	}
	url := proxy + "/" + runcModule + "/@v/list"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Skipf("module proxy unreachable: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Skipf("module proxy unreachable: reading %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Skipf("module proxy: GET %s: %s", url, resp.Status)
	}
	newest := newestRelease(string(body))
	if newest == "" {
		t.Fatalf("GET %s lists no release:\n%s", url, body)
	}
	for _, l := range lines {
		if l.Runtime != "runc" {
			continue
		}
		for _, v := range l.Versions {
			if v == newest {
				t.Logf("newest runc release on %s: %s, modelled", proxy, newest)
				return
			}
		}
	}
	t.Errorf("runc %s, the newest release %s lists, is in no line of runtimes_runc.go: read its changes at the tag and add it to a line (or a new one, citing what changed)", newest, url)
}

func TestNewestRelease(t *testing.T) {
	for _, c := range []struct{ list, want string }{
		{"v1.1.4\nv1.5.3\nv1.6.0-rc.1\nv1.5.10\n", "1.5.10"},
		{"v1.0.0-rc92\nv1.0.0-rc93\n", ""},
		{"v1.0.0\nv1.0.0-rc95\n", "1.0.0"},
		{"", ""},
	} {
		if got := newestRelease(c.list); got != c.want {
			t.Errorf("newestRelease(%q) = %q, want %q", c.list, got, c.want)
		}
	}
	for _, c := range []struct{ env, want string }{
		{"", "https://proxy.golang.org"},
		{"https://proxy.golang.org,direct", "https://proxy.golang.org"},
		{"http://athens:3000/|https://proxy.golang.org", "http://athens:3000"},
		{"direct", ""},
		{"off", ""},
	} {
		if got := moduleProxy(c.env); got != c.want {
			t.Errorf("moduleProxy(%q) = %q, want %q", c.env, got, c.want)
		}
	}
}
