package preexec

// NewestGo is the newest Go toolchain the model knows ("1.26"): a runc
// built with a newer one is answered with this toolchain's behaviour and
// marked extrapolated (Runtime.Extrapolated).
func NewestGo() string { return "1.26" }
