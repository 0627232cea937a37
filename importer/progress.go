package importer

import (
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how an import advances: on a terminal a progress bar per
// list (with the list's size when the server tells it, else a counter), on
// any other writer one line per page, which reads well in a log.
type progress struct {
	w     io.Writer
	tty   bool
	bar   *progressbar.ProgressBar
	label string
	count int
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *progress) printf(format string, args ...any) {
	if p.w == nil {
		return
	}
	if p.bar != nil {
		_ = p.bar.Clear()
	}
	fmt.Fprintf(p.w, format, args...)
}

// startList begins a list of unknown size.
func (p *progress) startList(label string) {
	p.label, p.count = label, 0
	if p.w == nil || !p.tty {
		return
	}
	p.bar = progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionThrottle(100_000_000),
	)
}

// total sets the list's size once the server told it.
func (p *progress) total(n int) {
	if p.bar != nil && n > 0 && p.bar.GetMax() != n {
		p.bar.ChangeMax(n)
	}
}

func (p *progress) add(n int) {
	p.count += n
	if p.bar != nil {
		_ = p.bar.Add(n)
	}
}

// page reports a page read (line mode only: the bar shows it anyway).
func (p *progress) page(label string, page, n int) {
	if p.w == nil || p.tty {
		return
	}
	fmt.Fprintf(p.w, "%s: Seite %d, %d Objekte (insgesamt %d)\n", label, page, n, p.count)
}

func (p *progress) endList() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
		p.bar = nil
	}
}

func (p *progress) finish() { p.endList() }
