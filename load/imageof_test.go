package load_test

import (
	"errors"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/preexec/preexec/load"
	"github.com/preexec/preexec/rootfs"
)

// hugeConfig is an image whose manifest declares a config blob of 1 TiB;
// reading the config is a failure of the test.
type hugeConfig struct{ v1.Image }

func (h hugeConfig) Manifest() (*v1.Manifest, error) {
	m, err := h.Image.Manifest()
	if err != nil {
		return nil, err
	}
	m = m.DeepCopy()
	m.Config.Size = 1 << 40
	return m, nil
}

func (hugeConfig) ConfigFile() (*v1.ConfigFile, error) {
	return nil, errors.New("the config was read")
}

// TestImageOfLimits holds a registry image's manifest and config to limit
// file-size before either is read whole, as a file's are.
func TestImageOfLimits(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := load.ImageOf("r", img, &rootfs.ImageOptions{}); err != nil {
		t.Fatalf("within the limits: %v", err)
	}
	_, err = load.ImageOf("r", img, &rootfs.ImageOptions{MaxBlobBytes: 100})
	if want := "r: manifest: larger than the 100 bytes preexec reads of a manifest or config (limit file-size)"; err == nil || err.Error() != want {
		t.Errorf("a manifest over the limit: %v; want %q", err, want)
	}
	_, err = load.ImageOf("r", hugeConfig{img}, &rootfs.ImageOptions{})
	if err == nil || !strings.HasSuffix(err.Error(), ": larger than the 64 MiB preexec reads of a manifest or config (limit file-size)") || !strings.HasPrefix(err.Error(), "r: config sha256:") {
		t.Errorf("a config declared over the limit: %v", err)
	}
}
