package api

// SetExportMaxRows lowers the export bound for a test; the returned func
// restores it.
func SetExportMaxRows(n int) (restore func()) {
	old := exportMaxRows
	exportMaxRows = n
	return func() { exportMaxRows = old }
}
