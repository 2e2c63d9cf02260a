//go:build linux

package runtimetest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/preexec/preexec/internal/fixture"
)

// Bundle materialises c as an OCI bundle in dir, an existing empty
// directory: dir/rootfs (fixture.Materialize of c.Rootfs), dir/mounts/N for
// each bind mount's source, and dir/config.json (Spec). dir is made 0711 so
// that a container root mapped to a non-zero host id can reach its rootfs.
// It needs root: fixture ownership is real.
func Bundle(c *Case, dir string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		return err
	}
	f, err := c.Rootfs.Parse("rootfs")
	if err != nil {
		return err
	}
	root := filepath.Join(dir, "rootfs")
	if err := os.Mkdir(root, 0o755); err != nil {
		return err
	}
	if err := fixture.Materialize(f, root); err != nil {
		return fmt.Errorf("rootfs: %w", err)
	}
	sources := make([]string, len(c.Mounts))
	for i, m := range c.Mounts {
		if m.Type != "bind" {
			continue
		}
		src := filepath.Join(dir, "mounts", strconv.Itoa(i))
		if err := os.MkdirAll(src, 0o755); err != nil {
			return err
		}
		mf, err := m.Source.Parse(fmt.Sprintf("mounts[%d].source", i))
		if err != nil {
			return err
		}
		if err := fixture.Materialize(mf, src); err != nil {
			return fmt.Errorf("mounts[%d].source: %w", i, err)
		}
		if err := os.Chmod(filepath.Dir(src), 0o711); err != nil {
			return err
		}
		sources[i] = src
	}
	b, err := json.MarshalIndent(Spec(c, sources), "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config.json"), append(b, '\n'), 0o644)
}
