package spec

// ScanAgrees is scanAgrees, for the fuzz target of package spec_test.
var ScanAgrees = scanAgrees
