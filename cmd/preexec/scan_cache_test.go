package main

import (
	"fmt"
	"sync"
	"testing"

	"github.com/preexec/preexec/load"
)

// TestImageCache pins the cache: one build per key however many ask at
// once, the least recently used image nobody holds evicted past max, an
// image held never evicted.
func TestImageCache(t *testing.T) {
	c := &imageCache{max: 2}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err, release := c.get("a", func() (*scanImage, error) { return &scanImage{digest: "a"}, nil })
			if err != nil {
				t.Error(err)
			}
			release()
		}()
	}
	wg.Wait()
	if c.built != 1 {
		t.Errorf("16 concurrent gets of one key built it %d times, want 1", c.built)
	}
	_, _, relB := c.get("b", func() (*scanImage, error) { return &scanImage{}, nil })
	_, _, relC := c.get("c", func() (*scanImage, error) { return &scanImage{}, nil })
	if _, ok := c.entries["a"]; ok || len(c.entries) != 2 {
		t.Errorf("past max 2, the least recently used (a) goes: entries %v", keysOf(c.entries))
	}
	_, _, relD := c.get("d", func() (*scanImage, error) { return &scanImage{}, nil })
	if len(c.entries) != 3 {
		t.Errorf("b, c and d are held: none may go, entries %v", keysOf(c.entries))
	}
	relB()
	relC()
	relD()
	if len(c.entries) != 2 {
		t.Errorf("released: back to max 2, entries %v", keysOf(c.entries))
	}
	_, err, rel := c.get("e", func() (*scanImage, error) { return nil, fmt.Errorf("unreadable") })
	rel()
	if err == nil || err.Error() != "unreadable" {
		t.Errorf("a build's error is the get's: %v", err)
	}
}

func keysOf(m map[string]*cacheEntry) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestInShard: every key is in exactly one shard of N.
func TestInShard(t *testing.T) {
	for _, n := range []int{1, 2, 4, 7} {
		for k := 0; k < 200; k++ {
			key := fmt.Sprintf("ns\x00Deployment\x00w%d\x001\x00c\x00img", k)
			in := 0
			for i := 0; i < n; i++ {
				if inShard(key, i, n) {
					in++
				}
			}
			if in != 1 {
				t.Fatalf("%q is in %d of %d shards", key, in, n)
			}
		}
	}
}

// An input given twice (a glob and a name) is read once.
func TestInputJobsOnce(t *testing.T) {
	jobs := inputJobs([]string{"registry.example/app:1", "./registry.example/app:1", "registry.example/app:1"}, load.Limits{})
	if len(jobs) != 1 {
		t.Fatalf("inputJobs of one reference given three times: %d jobs, want 1", len(jobs))
	}
}
