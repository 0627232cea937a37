package documents

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
)

const gutachten = "Gutachten zum Baumbestand im Luisenpark, Straßenbäume und Grünflächen"

// germanPDF is a PDF of pages pages in the core fonts (cp1252, as the
// council papers are set), each with gutachten and a numbered line.
func germanPDF(tb testing.TB, pages int) []byte {
	tb.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	tr := p.UnicodeTranslatorFromDescriptor("")
	p.SetFont("Helvetica", "", 11)
	for i := range pages {
		p.AddPage()
		p.MultiCell(0, 5, tr(gutachten), "", "L", false)
		p.MultiCell(0, 5, tr("Seite "+strconv.Itoa(i+1)+": Ölbäume, Äcker & Übergänge"), "", "L", false)
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestExtractTextPDF(t *testing.T) {
	ctx := context.Background()
	pdf := germanPDF(t, 2)
	text, err := ExtractText(ctx, "application/pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range strings.Fields(strings.ReplaceAll(gutachten, ",", "")) {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	if !strings.Contains(text, gutachten) || !strings.Contains(text, "Seite 2: Ölbäume, Äcker & Übergänge") {
		t.Errorf("text = %q", text)
	}
	if strings.ContainsAny(text, "\r\x00\t") || strings.Contains(text, "  ") || text != strings.TrimSpace(text) {
		t.Errorf("text not tidied: %q", text)
	}
	// Sniffed by its header whatever the declared type.
	if sniffed, err := ExtractText(ctx, "application/octet-stream", pdf); err != nil || sniffed != text {
		t.Errorf("sniffed = %q, %v", sniffed, err)
	}
}

func TestExtractTextBroken(t *testing.T) {
	ctx := context.Background()
	pdf := germanPDF(t, 1)
	for name, data := range map[string][]byte{
		"truncated": pdf[:len(pdf)/3],
		"header":    []byte("%PDF-1.7\n"),
		"garbage":   append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0xff, 0x00, '<', '(', '['}, 2000)...),
		"empty":     nil,
	} {
		text, err := ExtractText(ctx, "application/pdf", data)
		if !errors.Is(err, ErrUnreadable) || text != "" {
			t.Errorf("%s: %q, %v; want ErrUnreadable", name, text, err)
		}
	}
}

func TestExtractTextOther(t *testing.T) {
	for _, tc := range []struct{ ct, data string }{
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04 Luisenpark"},
		{"text/plain", "Luisenpark"},
		{"", ""},
	} {
		if text, err := ExtractText(context.Background(), tc.ct, []byte(tc.data)); text != "" || err != nil {
			t.Errorf("%s: %q, %v; want nothing", tc.ct, text, err)
		}
	}
}

func TestExtractTextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ExtractText(ctx, "application/pdf", germanPDF(t, 1)); err == nil {
		t.Error("a cancelled context read the document")
	}
	// The engine is still usable afterwards.
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if text, err := ExtractText(ctx, "application/pdf", germanPDF(t, 1)); err != nil || !strings.Contains(text, "Luisenpark") {
		t.Errorf("after cancel: %q, %v", text, err)
	}
	// A document that takes longer than its deadline: the instance reading
	// it is killed, and the next document gets a new one.
	long := germanPDF(t, 400)
	short, cancelShort := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancelShort()
	if text, err := ExtractText(short, "application/pdf", long); err == nil || text != "" {
		t.Errorf("past its deadline: %d characters, %v", len(text), err)
	}
	if text, err := ExtractText(ctx, "application/pdf", germanPDF(t, 1)); err != nil || !strings.Contains(text, "Luisenpark") {
		t.Errorf("after a kill: %q, %v", text, err)
	}
}

func TestTidyText(t *testing.T) {
	got := tidyText([]string{"  Straßen-\r\nbäume \t und\x00  Grün\x02flächen \r\n\r\n\r\n\r\nEnde ", "\r\n Seite\uFFFE 2"})
	want := "Straßen-\nbäume und Grünflächen\n\nEnde\n\nSeite 2"
	if got != want {
		t.Errorf("tidyText = %q, want %q", got, want)
	}
	long := tidyText([]string{strings.Repeat("ä", maxTextRunes+10)})
	if n := len([]rune(long)); n != maxTextRunes {
		t.Errorf("long text has %d characters", n)
	}
}

// TestWazeroVersion keeps the engine's cache directory named after the
// wazero in go.mod.
func TestWazeroVersion(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if want := "github.com/tetratelabs/wazero " + wazeroVersion + "\n"; !strings.Contains(string(mod), want) {
		t.Errorf("go.mod does not require %q: update wazeroVersion in extract.go", strings.TrimSpace(want))
	}
}

// FuzzExtractText: whatever the bytes, ExtractText returns (no panic, no
// hang) and its text is valid UTF-8 without NUL, which PostgreSQL refuses.
func FuzzExtractText(f *testing.F) {
	pdf := germanPDF(f, 1)
	f.Add(pdf)
	f.Add(pdf[:len(pdf)/2])
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		text, err := ExtractText(ctx, "application/pdf", data)
		if err != nil && text != "" {
			t.Errorf("text %q with error %v", text, err)
		}
		if strings.ContainsRune(text, 0) || !utf8.ValidString(text) {
			t.Errorf("text not clean: %q", text)
		}
	})
}
