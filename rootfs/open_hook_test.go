package rootfs

import "github.com/preexec/preexec/spec"

// openImage is load.OpenImage, which opens image files now that rootfs
// only indexes layers: the external tests (image_ext_test.go, which may
// import package load) set it, so that the tests of this package that
// write an image file can read it back.
var openImage func(string, *ImageOptions) (*Image, spec.ImageConfig, error)

// SetOpenImage sets openImage.
func SetOpenImage(f func(string, *ImageOptions) (*Image, spec.ImageConfig, error)) { openImage = f }

// refAnnotation is the annotation that names an image of an OCI index.
const refAnnotation = "org.opencontainers.image.ref.name"
