package web

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/motionflow/motionflow/documents"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// attachmentPrefix is the path under which attachments are served.
const attachmentPrefix = "/anhaenge/"

// Document types accepted as attachments, by what their content shows.
const (
	typePDF  = "application/pdf"
	typeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	typeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	typePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	typeODT  = "application/vnd.oasis.opendocument.text"
	typeODS  = "application/vnd.oasis.opendocument.spreadsheet"
	typeODP  = "application/vnd.oasis.opendocument.presentation"
	typeDOC  = "application/msword"
	typeXLS  = "application/vnd.ms-excel"
	typePPT  = "application/vnd.ms-powerpoint"
)

// typeLabels are short German names of the accepted types.
var typeLabels = map[string]string{
	typePDF: "PDF", typeDOCX: "Word", typeXLSX: "Excel", typePPTX: "PowerPoint",
	typeODT: "OpenDocument-Text", typeODS: "OpenDocument-Tabelle", typeODP: "OpenDocument-Präsentation",
	typeDOC: "Word (alt)", typeXLS: "Excel (alt)", typePPT: "PowerPoint (alt)",
}

// errUnsupported is the refusal of anything but a PDF or an office document.
var errUnsupported = errors.New("nur PDF- und Office-Dokumente (PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT)")

// sniff tells the document type by the content: the PDF header, an OOXML
// package ([Content_Types].xml and its main part), an OpenDocument package
// (its mimetype entry), or an OLE2 compound file (old Office formats, told
// apart by the file name's extension). Anything else is refused, whatever the
// browser or the file name claims.
func sniff(data []byte, name string) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return typePDF, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return sniffZip(data)
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		switch strings.ToLower(filepath.Ext(name)) {
		case ".doc":
			return typeDOC, nil
		case ".xls":
			return typeXLS, nil
		case ".ppt":
			return typePPT, nil
		}
	}
	return "", errUnsupported
}

func sniffZip(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", errUnsupported
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	if f, ok := files["mimetype"]; ok && f.UncompressedSize64 < 200 {
		rc, err := f.Open()
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, 200))
			rc.Close()
			switch strings.TrimSpace(string(b)) {
			case typeODT:
				return typeODT, nil
			case typeODS:
				return typeODS, nil
			case typeODP:
				return typeODP, nil
			}
		}
		return "", errUnsupported
	}
	if _, ok := files["[Content_Types].xml"]; !ok {
		return "", errUnsupported
	}
	switch {
	case files["word/document.xml"] != nil:
		return typeDOCX, nil
	case files["xl/workbook.xml"] != nil:
		return typeXLSX, nil
	case files["ppt/presentation.xml"] != nil:
		return typePPTX, nil
	}
	return "", errUnsupported
}

// cleanName makes an uploaded file's name safe to store and show: its base
// name without control characters, at most 255 characters.
func cleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" {
		name = "Anlage"
	}
	if utf8.RuneCountInString(name) > 255 {
		r := []rune(name)
		name = string(r[:255])
	}
	return name
}

// baseURL is where absolute links to this site start.
func (s *server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// attachmentID returns the id of one of our attachments from its URL, "" for
// a link elsewhere.
func attachmentID(u string) string {
	p, err := url.Parse(u)
	if err != nil || !strings.HasPrefix(p.Path, attachmentPrefix) {
		return ""
	}
	id := strings.TrimPrefix(p.Path, attachmentPrefix)
	if id == "" || strings.Contains(id, "/") {
		return ""
	}
	return id
}

// attachmentView prepares an attachment for a list: ours link by path, so
// that they work whatever host the page was reached by.
func (s *server) attachmentView(a motion.Attachment) attachmentView {
	v := attachmentView{Name: a.Name, Href: a.URL, Type: typeLabels[a.ContentType], Size: a.Size, SHA256: a.SHA256}
	if v.Type == "" {
		v.Type = a.ContentType
	}
	if id := attachmentID(a.URL); id != "" {
		v.Href = attachmentPrefix + url.PathEscape(id)
	}
	return v
}

// storeUpload checks one uploaded file and stores it for the motion, with
// its text for the search (documents.ExtractText: a PDF's; office documents
// are not read yet). A file whose text cannot be read is stored without
// text, and the failure logged: an upload never fails for that.
func (s *server) storeUpload(r *http.Request, m *motion.Motion, name string, data []byte) (motion.Attachment, error) {
	ct, err := sniff(data, name)
	if err != nil {
		return motion.Attachment{}, err
	}
	a := actorOf(r)
	text, err := documents.ExtractText(r.Context(), ct, data)
	if err != nil {
		s.log.WarnContext(r.Context(), "web: attachment text not read, stored without", "motion", m.ID,
			"name", cleanName(name), "size", len(data), "error", err)
		text = ""
	}
	st, err := s.store.AddAttachment(r.Context(), store.Attachment{MotionID: m.ID, BodyID: m.BodyID, Name: cleanName(name),
		ContentType: ct, CreatedBy: a.Subject, Text: text}, data)
	if err != nil {
		return motion.Attachment{}, err
	}
	return motion.Attachment{Name: st.Name, URL: s.baseURL(r) + attachmentPrefix + url.PathEscape(st.ID),
		ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256}, nil
}

// attachment serves a stored attachment to whoever may see its motion: as
// a download, with nosniff and a CSP that sandboxes it should a browser
// render it anyway. An attachment its motion does not (or no longer) link is
// shown to the motion's sponsors only (it may be one of a refused edit).
func (s *server) attachment(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), actorOf(r)
	info, err := s.store.Attachment(ctx, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.visibleMotion(ctx, info.MotionID, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	linked := false
	for _, at := range m.Attachments {
		if attachmentID(at.URL) == info.ID {
			linked = true
		}
	}
	if !linked && !(a.Has(motion.RoleFactionStaff) && m.Sponsor(a.Faction)) {
		s.notFound(w, r)
		return
	}
	_, data, err := s.store.AttachmentContent(ctx, info.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": info.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("ETag", `"`+info.SHA256+`"`)
	if m.Public() && linked {
		h.Set("Cache-Control", "public, max-age=300")
	} else {
		h.Set("Cache-Control", "private, no-store")
	}
	if r.Header.Get("If-None-Match") == `"`+info.SHA256+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(data)
}
