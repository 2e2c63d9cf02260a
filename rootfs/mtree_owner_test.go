package rootfs

import (
	"strings"
	"testing"
)

// FindOwner names the first entry of a manifest, sorted, whose owner the
// test refuses.
func TestMTreeFindOwner(t *testing.T) {
	m, err := ParseMTree("m.mtree", strings.NewReader("#mtree\n/set type=file uid=0 gid=0 mode=0644\n. type=dir mode=0755\n    b gid=80000\n    a uid=70000\n"))
	if err != nil {
		t.Fatal(err)
	}
	name, uid, gid, found := m.FindOwner(func(uid, gid uint32) bool { return uid < 65536 && gid < 65536 })
	if !found || name != "/a" || uid != 70000 || gid != 0 {
		t.Errorf("FindOwner = %q %d:%d %v, want /a 70000:0", name, uid, gid, found)
	}
}
