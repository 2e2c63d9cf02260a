// Package golden reads the golden sets the oracles record under testdata/
// (internal/runtimetest's testdata/runtime, internal/enginetest's
// testdata/engine): a header.json and one JSON file per case under
// curated/ and random/, named after the case.
package golden

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Dir returns testdata/NAME of the module containing the working
// directory, found by walking up to go.mod.
func Dir(name string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", name), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Load reads the set in dir into header (if header.json exists) and, per
// case file, a G whose name (by name) must be its file's; fill completes
// a decoded G. Unknown JSON fields are an error; a missing dir is an empty
// set.
func Load[G any](dir string, header any, name func(*G) string, fill func(*G)) (curated, random map[string]*G, err error) {
	curated, random = map[string]*G{}, map[string]*G{}
	b, err := os.ReadFile(filepath.Join(dir, "header.json"))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, nil, err
	default:
		if err := json.Unmarshal(b, header); err != nil {
			return nil, nil, fmt.Errorf("header.json: %w", err)
		}
	}
	for sub, m := range map[string]map[string]*G{"curated": curated, "random": random} {
		files, err := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		if err != nil {
			return nil, nil, err
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, nil, err
			}
			g := new(G)
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			if err := dec.Decode(g); err != nil {
				return nil, nil, fmt.Errorf("%s/%s: %w", sub, filepath.Base(f), err)
			}
			if want := name(g) + ".json"; filepath.Base(f) != want {
				return nil, nil, fmt.Errorf("%s/%s: holds case %q, want file %s", sub, filepath.Base(f), name(g), want)
			}
			fill(g)
			m[name(g)] = g
		}
	}
	return curated, random, nil
}

// Seed is a run's seed for its time-seeded cases: the number in the
// environment variable env (to replay a run), or the clock, never avoid
// (the goldens' own seed).
func Seed(env string, avoid uint64) (uint64, error) {
	if s := os.Getenv(env); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s=%q: %v", env, s, err)
		}
		return n, nil
	}
	n := uint64(time.Now().UnixNano())
	if n == avoid {
		n++
	}
	return n, nil
}

// Jobs is the positive number in the environment variable env, or def.
func Jobs(env string, def int) (int, error) {
	if s := os.Getenv(env); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%s=%q: want a positive number", env, s)
		}
		return n, nil
	}
	return def, nil
}

// Marshal returns the canonical bytes of v in a golden file: two-space
// indented JSON, keys of maps sorted (encoding/json does), HTML
// characters not escaped, a final newline.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
