package golden

import (
	"flag"
	"fmt"
	"os"
	"regexp"
)

// RecordFlags are the flags both recorders (internal/runtimetest/cmd/record
// and internal/enginetest/cmd/record) take, parsed and checked one way.
type RecordFlags struct {
	// Update overwrites changed goldens (-update).
	Update bool
	// Seed is the seed of the random cases (-seed).
	Seed uint64
	// Cases selects cases by name (-cases RE; every case if empty).
	Cases *regexp.Regexp
	// CasesRE is -cases as given.
	CasesRE string
	// Jobs is the number of runs in flight (-jobs).
	Jobs int
	// Dir is the golden directory (-dir; testdata/NAME of the module if
	// empty).
	Dir string
	// DryRun reports and writes nothing (-n).
	DryRun bool
}

// Register declares the flags on fs, with the recorder's default seed and
// jobs.
func (f *RecordFlags) Register(fs *flag.FlagSet, seed uint64, jobs int) {
	fs.BoolVar(&f.Update, "update", false, "overwrite changed goldens")
	fs.Uint64Var(&f.Seed, "seed", seed, "seed of the random cases")
	fs.StringVar(&f.CasesRE, "cases", "", "only cases matching this regexp")
	fs.IntVar(&f.Jobs, "jobs", jobs, "runs in flight")
	fs.StringVar(&f.Dir, "dir", "", "golden directory (default: testdata of the module)")
	fs.BoolVar(&f.DryRun, "n", false, "dry run: report, write nothing")
}

// Finish completes the flags after parsing: a recorder needs root (why
// says for what), Dir defaults to testdata/name of the module, and -cases
// must compile.
func (f *RecordFlags) Finish(name, why string) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root (%s)", why)
	}
	if f.Dir == "" {
		d, err := Dir(name)
		if err != nil {
			return err
		}
		f.Dir = d
	}
	re, err := regexp.Compile(f.CasesRE)
	if err != nil {
		return fmt.Errorf("-cases: %v", err)
	}
	f.Cases = re
	return nil
}
