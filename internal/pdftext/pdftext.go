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
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		tb.Fatal("pdftotext is not installed: install Debian's poppler-utils (.ci/run does) to read the generated PDFs")
	}
	in := filepath.Join(tb.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		tb.Fatalf("pdftotext: %v: %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
