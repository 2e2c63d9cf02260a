package preexec

import "fmt"

// trace records a step of a traced run of runsc (callers test e.tracing
// first, so that an untraced run formats nothing).
func (e *eval) trace(step Step, err error, format string, args ...any) {
	e.tr = append(e.tr, TraceStep{Step: step, What: fmt.Sprintf(format, args...), Err: err})
}
