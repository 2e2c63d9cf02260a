package spec

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestEtcFileReader holds the adapter between readEtc and moby/sys/user:
// a file that did not open is a nil reader (as GetExecUserPath passes
// when os.Open fails), one whose read failed fails there.
func TestEtcFileReader(t *testing.T) {
	dir := etcFile{open: true, readErr: fmt.Errorf("read /etc/passwd: is a directory")}
	tests := []struct {
		name          string
		spec          string
		passwd, group etcFile
		want          execUser
		err           string
	}{
		{name: "no files, numeric", spec: "1000", want: execUser{uid: 1000, sgids: []int{}}},
		{name: "no files, name", spec: "alice", err: "unable to find user alice: no matching entries in passwd file"},
		{name: "no files, out of range", spec: "2147483648", err: "uids and gids must be in range 0-2147483647"},
		{name: "passwd a directory", spec: "1000", passwd: dir, err: "unable to find user 1000: read /etc/passwd: is a directory"},
		{name: "passwd a directory, empty user", spec: "", passwd: dir, err: "unable to find user 0: read /etc/passwd: is a directory"},
		{name: "group a directory", spec: "alice",
			passwd: etcFile{open: true, data: []byte("alice:x:1000:1000::/home/alice:/bin/sh\n")},
			group:  etcFile{open: true, readErr: fmt.Errorf("read /etc/group: is a directory")},
			err:    "unable to find groups for spec alice: read /etc/group: is a directory"},
		{name: "group a directory, unmatched numeric user", spec: "1000",
			group: etcFile{open: true, readErr: fmt.Errorf("read /etc/group: is a directory")},
			want:  execUser{uid: 1000, sgids: []int{}}},
		{name: "supplementary groups, '#' line skipped", spec: "alice",
			passwd: etcFile{open: true, data: []byte("alice:x:1000:1000::/home/alice:/bin/sh\n")},
			group:  etcFile{open: true, data: []byte("#c:x:9:alice\n a:x:5:bob,alice \r\nalice:x:1000:\n" + strings.Repeat("l", 70000) + ":x:7:alice\n")},
			want:   execUser{uid: 1000, gid: 1000, sgids: []int{5, 7}, home: "/home/alice"}},
		{name: "passwd line over 64 KiB", spec: "alice",
			passwd: etcFile{open: true, data: []byte(strings.Repeat("x", 70000) + "\n")},
			err:    "unable to find user alice: bufio.Scanner: token too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := getExecUser(tt.spec, tt.passwd, tt.group)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.uid != tt.want.uid || got.gid != tt.want.gid || got.home != tt.want.home || !slices.Equal(got.sgids, tt.want.sgids) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestGetAdditionalGroupsOrder holds the order adapter over
// user.GetAdditionalGroups (whose map gives a random order): the gids in
// the order the names add them, with GetAdditionalGroups' quirk that a
// name whose first matching line's gid is already taken goes on to the
// next matching line.
func TestGetAdditionalGroupsOrder(t *testing.T) {
	group := etcFile{open: true, data: []byte("a:x:5:\nb:x:5:\nb:x:6:\nc:x:7:\n12:x:8:\n")}
	tests := []struct {
		names []string
		group etcFile
		want  []int
		err   string
	}{
		{names: []string{"c", "a", "3000"}, group: group, want: []int{7, 5, 3000}},
		{names: []string{"3000", "c", "a"}, group: group, want: []int{3000, 7, 5}},
		{names: []string{"a", "b"}, group: group, want: []int{5, 6}},
		// a's only line has gid 5, which b took: a is then not found.
		{names: []string{"b", "a"}, group: group, err: "Unable to find group a: no matching entries in group file"},
		{names: []string{"12", "7", "8"}, group: group, want: []int{8, 7}},
		{names: []string{"a", "5", "5"}, group: group, want: []int{5}},
		{names: []string{"nope"}, group: group, err: "Unable to find group nope: no matching entries in group file"},
		{names: []string{"2147483648"}, group: group, err: "uids and gids must be in range 0-2147483647"},
		{names: []string{"9", "nope"}, err: "Unable to find group nope: no matching entries in group file"},
		{names: []string{"a", "9"}, group: etcFile{open: true, readErr: fmt.Errorf("read /etc/group: is a directory")},
			err: "Unable to find additional groups [a 9]: read /etc/group: is a directory"},
	}
	for _, tt := range tests {
		for i := 0; i < 20; i++ { // the map's order varies from call to call
			got, err := getAdditionalGroups(tt.names, tt.group)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("%q: err %v, want %s", tt.names, err, tt.err)
				}
				continue
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("%q: got %v %v, want %v", tt.names, got, err, tt.want)
			}
		}
	}
}
