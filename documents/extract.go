package documents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	wazeroapi "github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Limits of text extraction. They bound what one hostile upload can cost.
const (
	// maxExtractBytes is the largest document read; it equals
	// store.MaxAttachmentSize (the store refuses larger ones anyway).
	maxExtractBytes = 64 << 20
	// maxTextRunes is the most text kept of one document: the search reads
	// the first 200 000 characters of a motion's attachments' text, so more
	// is never searched; extraction stops at the page that reaches it.
	maxTextRunes = 200_000
	// extractTimeout bounds the reading of one document, start-up of the
	// engine not included.
	extractTimeout = 30 * time.Second
	// startTimeout bounds the engine's start-up (compiling PDFium).
	startTimeout = 3 * time.Minute
	// reuseMaxBytes and reuseMaxDocuments bound the reuse of the engine's
	// instance: after a larger document, after a document it failed on
	// other than by refusing it, and after that many documents it is
	// replaced by a fresh one, which gives its memory back. Reuse makes a
	// small document take milliseconds instead of the ~15 ms of a fresh
	// instance.
	reuseMaxBytes     = 4 << 20
	reuseMaxDocuments = 100
	// memoryLimitPages caps the engine's memory at 512 MiB (64 KiB pages):
	// a document that needs more fails instead of exhausting the process.
	memoryLimitPages = 8192
)

// ErrUnreadable is returned (wrapped) for a PDF whose text cannot be read:
// broken, encrypted, too large, or taking too long.
var ErrUnreadable = errors.New("documents: PDF text cannot be read")

// ExtractText returns the plain text of a document for the search: the text
// of each page of a PDF (contentType application/pdf, or content starting
// with "%PDF-"), pages joined by line breaks, white space tidied (runs of
// blanks folded, lines trimmed, at most one blank line in a row, control
// characters dropped) and cut at 200 000 characters. Any other type returns
// "" and no error: office documents (DOCX, ODT, …) are not read yet.
//
// The PDF is read by PDFium (Chrome's PDF engine) compiled to WebAssembly
// and run in-process by wazero: pure Go, no cgo, no external program, and
// the document is parsed inside the WebAssembly sandbox with its own memory
// limit (512 MiB), so a hostile PDF can neither crash the process nor read
// a file. The engine starts on the first call (compiling it takes seconds;
// the compiled code is kept in the user's cache directory when there is a
// writable one, see engineCacheDir, so later processes start in under a
// second) and is shared by the process; one document is read at a time,
// others wait (bounded by ctx); a start that failed is not retried until
// the process restarts. Reading one document is bounded by ctx and
// 30 seconds, after which the engine instance is killed. A broken PDF, an
// encrypted one, one over 64 MiB or one that times out returns an error
// wrapping ErrUnreadable; ExtractText never panics.
func ExtractText(ctx context.Context, contentType string, data []byte) (text string, err error) {
	if !isPDF(contentType, data) {
		return "", nil
	}
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("%w: %v", ErrUnreadable, r)
		}
	}()
	if len(data) > maxExtractBytes {
		return "", fmt.Errorf("%w: larger than %d bytes", ErrUnreadable, maxExtractBytes)
	}
	if len(data) == 0 {
		return "", fmt.Errorf("%w: empty", ErrUnreadable)
	}
	pool, err := thePDFEngine.get(ctx)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, extractTimeout)
	defer cancel()
	inst, err := pool.GetInstanceWithContext(ctx)
	if err != nil {
		return "", fmt.Errorf("documents: waiting for the PDF engine: %w", err)
	}
	type result struct {
		pages []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() {
			if r := recover(); r != nil {
				res = result{err: fmt.Errorf("%w: %v", ErrUnreadable, r)}
				thePDFEngine.release(inst, false) // frees the pool's one instance all the same
			}
			done <- res
		}()
		var clean bool
		res.pages, clean, res.err = pageTexts(inst, data)
		thePDFEngine.release(inst, clean && len(data) <= reuseMaxBytes)
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		select {
		case res = <-done: // finished just in time
		default:
			// Kill interrupts the running WebAssembly code (the runtime
			// closes modules on context done) and gives the pool a new
			// instance; the goroutine then ends with an error nobody reads.
			thePDFEngine.release(inst, false)
			return "", fmt.Errorf("%w: %v", ErrUnreadable, ctx.Err())
		}
	}
	if res.err != nil {
		return "", res.err
	}
	return tidyText(res.pages), nil
}

// isPDF tells a PDF by its declared type or by its header.
func isPDF(contentType string, data []byte) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/pdf" {
		return true
	}
	return bytes.HasPrefix(data, []byte("%PDF-"))
}

// pageTexts reads the text of each page until maxTextRunes are reached.
// clean tells whether the instance may read another document: it succeeded
// or PDFium refused the document with one of its error codes, rather than
// the WebAssembly code trapping (which may leave PDFium's state broken).
func pageTexts(inst pdfium.Pdfium, data []byte) (pages []string, clean bool, err error) {
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	if err != nil {
		return nil, pdfiumRefused(err), fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return nil, pdfiumRefused(err), fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	n := 0
	for i := 0; i < count.PageCount && n < maxTextRunes; i++ {
		t, err := inst.GetPageText(&requests.GetPageText{Page: requests.Page{
			ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}}})
		if err != nil {
			return nil, pdfiumRefused(err), fmt.Errorf("%w: page %d: %v", ErrUnreadable, i+1, err)
		}
		pages = append(pages, t.Text)
		n += utf8.RuneCountInString(t.Text)
	}
	if _, err := inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document}); err != nil {
		return pages, false, nil
	}
	return pages, true, nil
}

// pdfiumRefused tells PDFium's own refusals of a document (FPDF_GetLastError).
func pdfiumRefused(err error) bool {
	for _, e := range []error{pdfiumerrors.ErrUnknown, pdfiumerrors.ErrFile, pdfiumerrors.ErrFormat,
		pdfiumerrors.ErrPassword, pdfiumerrors.ErrSecurity, pdfiumerrors.ErrPage} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// tidyText joins pages by line breaks and tidies white space: line breaks
// normalised, control and non-characters dropped, runs of blanks folded to
// one, lines trimmed, at most one empty line in a row, at most maxTextRunes.
func tidyText(pages []string) string {
	var b strings.Builder
	blank := 0 // empty lines pending
	started := false
	for _, page := range pages {
		page = strings.ToValidUTF8(page, "")
		page = strings.ReplaceAll(page, "\r\n", "\n")
		page = strings.ReplaceAll(page, "\r", "\n")
		for line := range strings.SplitSeq(page, "\n") {
			line = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
				switch {
				case unicode.IsSpace(r):
					return ' '
				case unicode.IsControl(r), r == utf8.RuneError, r == 0xFFFE, r == 0xFFFF, r == 0xFEFF:
					return -1 // NUL, PDFium's hyphen mark \x02, byte order marks
				}
				return r
			}, line)), " ")
			if line == "" {
				blank++
				continue
			}
			if started {
				b.WriteString("\n")
				if blank > 0 {
					b.WriteString("\n")
				}
			}
			b.WriteString(line)
			started, blank = true, 0
		}
		blank++ // a page break is a paragraph break
	}
	out := b.String()
	if utf8.RuneCountInString(out) > maxTextRunes {
		out = string([]rune(out)[:maxTextRunes])
	}
	return out
}

// pdfEngine is the process's one PDFium: started on first use, in the
// background, so that a caller whose context ends stops waiting while the
// start goes on for the next.
type pdfEngine struct {
	once sync.Once
	done chan struct{}
	pool pdfium.Pool
	err  error
	// uses counts the documents the current instance has read.
	uses atomic.Int64
}

// release gives an instance back after a document: for the next one if
// reuse is true and it has read fewer than reuseMaxDocuments, else it is
// discarded (its memory given back) and the next document gets a fresh one.
func (e *pdfEngine) release(inst pdfium.Pdfium, reuse bool) {
	if reuse && e.uses.Add(1) < reuseMaxDocuments {
		_ = inst.Close()
		return
	}
	e.uses.Store(0)
	_ = inst.Kill()
}

var thePDFEngine = &pdfEngine{done: make(chan struct{})}

// StartExtractor starts the PDF engine in the background, so that the
// first upload does not wait the seconds its start takes (compiling PDFium;
// less with the compiled code cached on disk). serve calls it at start-up.
func StartExtractor() {
	go func() { _, _ = thePDFEngine.get(context.Background()) }()
}

func (e *pdfEngine) get(ctx context.Context) (pdfium.Pool, error) {
	e.once.Do(func() {
		go func() {
			defer close(e.done)
			defer func() {
				if r := recover(); r != nil {
					e.err = fmt.Errorf("documents: starting the PDF engine: %v", r)
				}
			}()
			e.pool, e.err = startPDFEngine()
		}()
	})
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-e.done:
		return e.pool, e.err
	case <-ctx.Done():
		return nil, fmt.Errorf("documents: waiting for the PDF engine to start: %w", ctx.Err())
	case <-timer.C:
		return nil, errors.New("documents: the PDF engine did not start in time")
	}
}

// startPDFEngine compiles PDFium and prepares a pool of one instance. The
// instance sees no file system and writes nothing to stdout or stderr.
func startPDFEngine() (pdfium.Pool, error) {
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(wazeroapi.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(memoryLimitPages)
	if dir := engineCacheDir(); dir != "" {
		if cache, err := wazero.NewCompilationCacheWithDir(dir); err == nil {
			rc = rc.WithCompilationCache(cache)
		}
	}
	pool, err := webassembly.Init(webassembly.Config{
		MinIdle: 0, MaxIdle: 1, MaxTotal: 1, ReuseWorkers: true,
		FSConfig:      wazero.NewFSConfig(),
		Stdout:        io.Discard,
		Stderr:        io.Discard,
		RuntimeConfig: rc,
	})
	if err != nil {
		return nil, fmt.Errorf("documents: starting the PDF engine: %w", err)
	}
	return pool, nil
}

// wazeroVersion is the version of github.com/tetratelabs/wazero in go.mod
// (TestWazeroVersion keeps it so). It names the cache directory: the
// compiled code is native code of that wazero, and a test binary does not
// know its dependencies' versions, which wazero's own cache key relies on.
const wazeroVersion = "v1.12.0"

// engineCacheDir is where the compiled engine is kept between processes:
// motionflow/pdfium-wazero-VERSION in the user's cache directory
// ($XDG_CACHE_HOME or ~/.cache), "" (compile in memory at each start) when
// there is none or it is not writable, as on a read-only root file system.
func engineCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir := filepath.Join(base, "motionflow", "pdfium-wazero-"+wazeroVersion)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	f, err := os.CreateTemp(dir, "probe-*")
	if err != nil {
		return ""
	}
	f.Close()
	os.Remove(f.Name())
	return dir
}
