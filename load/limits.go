package load

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/preexec/preexec/rootfs"
	"github.com/preexec/preexec/spec"
)

// Limits bound what preexec reads of an input from a stranger, so that a
// small input cannot cost minutes or gigabytes. A zero field is its
// default. Each limit has a name, which the error that reaches it prints
// ("(limit file-size)") and which the CLI's --limit NAME=VALUE takes:
//
//	file-size          FileSize          64 MiB   a config.json, pod, --config, index.json, manifest or config blob, seccomp profile
//	yaml-expansion     YAMLExpansion     16 MiB   the bytes a pod's YAML aliases may add (spec.YAML)
//	index-descriptors  IndexDescriptors  10000    the descriptors of an image's index and the indexes it nests
//	layers             Layers            128      an image's layers (rootfs.ImageOptions.MaxLayers)
//	inflated-size      InflatedSize      32 GiB   the bytes of an image's layers once decompressed (rootfs.ImageOptions.MaxBytes)
//	mtree-size         MTreeSize         256 MiB  an mtree manifest (rootfs.MTreeOptions)
//	mtree-lines        MTreeLines        1 Mi     an mtree manifest's lines
//	bind-sources       BindSources       1024     the distinct bind mount sources opened; mounts of more read as unknown
type Limits struct {
	FileSize         int64
	YAMLExpansion    int64
	IndexDescriptors int
	Layers           int
	InflatedSize     int64
	MTreeSize        int64
	MTreeLines       int
	BindSources      int
}

// DefaultLimits are the limits of the zero Limits.
var DefaultLimits = Limits{
	FileSize:         MaxFileBytes,
	YAMLExpansion:    spec.MaxYAMLExpansion,
	IndexDescriptors: MaxIndexDescriptors,
	Layers:           rootfs.DefaultMaxLayers,
	InflatedSize:     rootfs.DefaultMaxBytes,
	MTreeSize:        rootfs.MaxMTree,
	MTreeLines:       rootfs.MaxMTreeLines,
	BindSources:      MaxBindSources,
}

// limitNames are the limits by name, each with its field and whether it
// counts bytes (a value may then carry KiB, MiB or GiB).
var limitNames = []struct {
	name  string
	bytes bool
	field func(*Limits) *int64
	count func(*Limits) *int
}{
	{name: "file-size", bytes: true, field: func(l *Limits) *int64 { return &l.FileSize }},
	{name: "yaml-expansion", bytes: true, field: func(l *Limits) *int64 { return &l.YAMLExpansion }},
	{name: "index-descriptors", count: func(l *Limits) *int { return &l.IndexDescriptors }},
	{name: "layers", count: func(l *Limits) *int { return &l.Layers }},
	{name: "inflated-size", bytes: true, field: func(l *Limits) *int64 { return &l.InflatedSize }},
	{name: "mtree-size", bytes: true, field: func(l *Limits) *int64 { return &l.MTreeSize }},
	{name: "mtree-lines", count: func(l *Limits) *int { return &l.MTreeLines }},
	{name: "bind-sources", count: func(l *Limits) *int { return &l.BindSources }},
}

// LimitNames lists the names Set takes, in the order of Limits' fields.
func LimitNames() []string {
	names := make([]string, len(limitNames))
	for i, n := range limitNames {
		names[i] = n.name
	}
	return names
}

// Set sets a limit from NAME=VALUE, the CLI's --limit: "file-size=128MiB",
// "layers=256". A size takes a unit of KiB, MiB or GiB (or none, bytes); a
// count takes none. The value must be positive.
func (l *Limits) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("limit %q: want NAME=VALUE, NAME one of %s", s, strings.Join(LimitNames(), ", "))
	}
	for _, n := range limitNames {
		if n.name != name {
			continue
		}
		v, err := parseLimit(value, n.bytes)
		if err != nil {
			return fmt.Errorf("limit %s: %v", name, err)
		}
		if n.bytes {
			*n.field(l) = v
		} else {
			if v > int64(int(^uint(0)>>1)) {
				return fmt.Errorf("limit %s: %s is too large", name, value)
			}
			*n.count(l) = int(v)
		}
		return nil
	}
	known := LimitNames()
	sort.Strings(known)
	return fmt.Errorf("limit %q: no such limit; the limits are %s", name, strings.Join(known, ", "))
}

// parseLimit reads a positive count, or with bytes a size with an optional
// binary unit.
func parseLimit(s string, bytes bool) (int64, error) {
	num, shift := s, 0
	if bytes {
		for _, u := range []struct {
			suffix string
			shift  int
		}{{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"B", 0}} {
			if strings.HasSuffix(s, u.suffix) {
				num, shift = strings.TrimSuffix(s, u.suffix), u.shift
				break
			}
		}
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v <= 0 {
		if bytes {
			return 0, fmt.Errorf("%q is not a positive size (bytes, or a number with KiB, MiB or GiB)", s)
		}
		return 0, fmt.Errorf("%q is not a positive count", s)
	}
	if v > (1<<62)>>shift {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return v << shift, nil
}

// WithDefaults is l with each zero field its default (DefaultLimits).
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	for _, n := range limitNames {
		if n.bytes {
			if v := *n.field(&l); v > 0 {
				*n.field(&d) = v
			}
		} else if v := *n.count(&l); v > 0 {
			*n.count(&d) = v
		}
	}
	return d
}

// ReadFile reads the file name as ReadFile does, with l's file-size limit.
func (l Limits) ReadFile(name string) ([]byte, error) {
	return readInputFile(name, false, l.WithDefaults().FileSize)
}

// ReadArchiveMember reads the member called member of the tar archive at
// path (an OCI archive's index.json, a docker-archive's manifest.json)
// whole, as OpenImage reads it: links followed inside the archive, at
// most l's file-size bytes, more an error naming the limit. It returns
// nil and no error when the archive has no such member.
func (l Limits) ReadArchiveMember(path, member string) ([]byte, error) {
	f, err := openRegular(path, false, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	a, err := scanArchive(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, ok := a.members[member]; !ok {
		return nil, nil
	}
	a.max = l.WithDefaults().FileSize
	return a.read(member)
}

// String is the limits set in l as Set takes them, comma-separated
// ("file-size=134217728,layers=256"); it makes *Limits a flag.Value.
func (l *Limits) String() string {
	if l == nil {
		return ""
	}
	var set []string
	for _, n := range limitNames {
		if n.bytes {
			if v := *n.field(l); v > 0 {
				set = append(set, n.name+"="+strconv.FormatInt(v, 10))
			}
		} else if v := *n.count(l); v > 0 {
			set = append(set, n.name+"="+strconv.Itoa(v))
		}
	}
	return strings.Join(set, ",")
}

// SetImage sets o's zero limits (MaxLayers, MaxBytes, MaxIndexDescriptors,
// MaxBlobBytes) from l: what Open gives OpenImage, for a caller that opens
// images itself.
func (l Limits) SetImage(o *rootfs.ImageOptions) {
	d := l.WithDefaults()
	if o.MaxLayers == 0 {
		o.MaxLayers = d.Layers
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = d.InflatedSize
	}
	if o.MaxIndexDescriptors == 0 {
		o.MaxIndexDescriptors = d.IndexDescriptors
	}
	if o.MaxBlobBytes == 0 {
		o.MaxBlobBytes = d.FileSize
	}
}
