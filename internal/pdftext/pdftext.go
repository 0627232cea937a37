// Package pdftext reads the text of a generated PDF for tests, with
// poppler's pdftotext, so that a test asserts what a reader of the document
// sees. It is for tests only; the binary comes from Debian's poppler-utils,
// which .ci/run installs.
package pdftext

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Text is the text of pdf, white space folded to single blanks so that
// words broken across lines still match. It fails tb when pdftotext is
// missing or cannot read the document.
func Text(tb testing.TB, pdf []byte) string {
	tb.Helper()
	return strings.Join(strings.Fields(run(tb, pdf)), " ")
}

// Layout is the text of pdf as it stands on its pages (pdftotext -layout),
// one string per page: what stands side by side on a page, such as a line
// number in the margin and the line it numbers, stays on one text line.
func Layout(tb testing.TB, pdf []byte) []string {
	tb.Helper()
	return strings.Split(strings.TrimRight(run(tb, pdf, "-layout"), "\f"), "\f")
}

// run runs pdftotext with the options on pdf and returns its output.
func run(tb testing.TB, pdf []byte, opts ...string) string {
	tb.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		tb.Fatal("pdftotext is not installed: install Debian's poppler-utils (.ci/run does) to read the generated PDFs")
	}
	in := filepath.Join(tb.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(bin, append(opts, "-enc", "UTF-8", in, "-")...).CombinedOutput()
	if err != nil {
		tb.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}
