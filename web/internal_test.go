package web

import (
	"archive/zip"
	"bytes"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

func TestGermanNumbers(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1.000", 1234: "1.234", 225000: "225.000", 1234567: "1.234.567", -4500: "-4.500"} {
		if got := germanInt(n); got != want {
			t.Errorf("germanInt(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{820: "820 Bytes", 12800: "12,5 KB", 10 << 20: "10,0 MB", 1258291: "1,2 MB"} {
		if got := germanBytes(n); got != want {
			t.Errorf("germanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestGermanDates(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	s := &server{loc: loc}
	// 15:00 UTC is 16:00 in Mannheim in winter, 17:00 in summer.
	winter := time.Date(2019, 12, 12, 15, 0, 0, 0, time.UTC)
	summer := time.Date(2020, 7, 1, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct{ got, want string }{
		{s.format(winter, "02.01.2006, 15:04 Uhr"), "12.12.2019, 16:00 Uhr"},
		{s.format(summer, "15:04 Uhr"), "17:00 Uhr"},
		{s.longDate(winter), "12. Dezember 2019"},
		{s.longDate(&summer), "1. Juli 2020"},
		{s.format((*time.Time)(nil), "02.01.2006"), "–"},
		{s.format(time.Time{}, "02.01.2006"), "–"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for _, in := range []string{"2026-03-10", "10.03.2026", "10.3.2026"} {
		d, err := s.parseDay(in)
		if err != nil || d.Format("2006-01-02") != "2026-03-10" || d.Location() != loc {
			t.Errorf("parseDay(%q) = %v, %v", in, d, err)
		}
	}
	if _, err := s.parseDay("morgen"); err == nil {
		t.Error("parseDay accepts a word")
	}
}

func zipOf(t *testing.T, files map[string]string, order ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(files[name]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniffTellsDocumentsByContent(t *testing.T) {
	docx := zipOf(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}, "[Content_Types].xml", "word/document.xml")
	xlsx := zipOf(t, map[string]string{"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}, "[Content_Types].xml", "xl/workbook.xml")
	odt := zipOf(t, map[string]string{"mimetype": typeODT, "content.xml": "<office/>"}, "mimetype", "content.xml")
	plainZip := zipOf(t, map[string]string{"evil.exe": "MZ"}, "evil.exe")
	fakeODT := zipOf(t, map[string]string{"mimetype": "application/x-msdownload"}, "mimetype")
	ole := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 512)...)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"antrag.pdf", []byte("%PDF-1.7\n..."), typePDF},
		{"antrag.bin", []byte("%PDF-1.4\n"), typePDF}, // the name does not matter
		{"antrag.docx", docx, typeDOCX},
		{"tabelle.xlsx", xlsx, typeXLSX},
		{"antrag.odt", odt, typeODT},
		{"alt.doc", ole, typeDOC},
		{"alt.xls", ole, typeXLS},
		{"archiv.zip", plainZip, ""},
		{"antrag.odt", fakeODT, ""},
		{"programm.exe", []byte("MZ\x90\x00"), ""},
		{"bild.pdf", []byte("\x89PNG\r\n\x1a\n"), ""},
		{"alt.exe", ole, ""},
		{"seite.pdf", []byte("<html><script>alert(1)</script>"), ""},
	} {
		got, err := sniff(c.data, c.name)
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("sniff(%s) = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestCleanNameAndLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"A762_2019.pdf": "A762_2019.pdf", `C:\Users\x\Antrag.pdf`: "Antrag.pdf", "../../etc/passwd": "passwd",
		"a\x00b\nc.pdf": "abc.pdf", "": "Anlage", "   ": "Anlage",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"/sitzungen/x": "/sitzungen/x", "//evil.example/": "", "https://evil.example/": "", "sitzungen": "",
		"/\\evil.example": "", "/antraege/1#h": "/antraege/1#h",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
	if got := withOK("/antraege/1#ergebnis", "submit"); got != "/antraege/1?ok=submit#ergebnis" {
		t.Errorf("withOK = %q", got)
	}
}

func TestDomainFieldsArePlacedAtTheirInputs(t *testing.T) {
	f := newForm(motion.CmdRecordResult, "c2")
	f.Fields = commandFields[motion.CmdRecordResult]
	f.fail(&motion.Error{Code: motion.CodeInvalid, Message: "Die Angaben sind unvollständig oder ungültig.", Fields: []motion.FieldError{
		{Field: "links", Message: "Bitte nennen Sie einen erledigenden Beschluss."},
		{Field: "vote.named[2].vote", Message: "Die 3. namentliche Stimme ist ungültig."},
		{Field: "vote.by_faction[0].organization_id", Message: "Die Fraktion fehlt."},
		{Field: "unbekannt", Message: "x"},
	}})
	if f.Err("links") != "Bitte nennen Sie einen erledigenden Beschluss." || f.Err("vote.named") != "Die 3. namentliche Stimme ist ungültig." ||
		f.Err("vote.by_faction") != "Die Fraktion fehlt." {
		t.Errorf("placed: %v", f.Errors)
	}
	list := f.ErrorList()
	if len(list) != 4 || list[3].Field != "" || list[3].Anchor != f.ID || list[1].Label != "Namentliche Abstimmung 3" {
		t.Errorf("summary: %+v", list)
	}
	if got := string(errAttrs(f, "links")); got != `aria-invalid="true" aria-describedby="`+f.FID("links")+`-fehler"` {
		t.Errorf("errAttrs = %s", got)
	}
	if errAttrs(f, "note") != "" || errMsg(f, "note") != "" {
		t.Error("a field without a message gets attributes")
	}
	// The route's rows: domain index 1 is the second filled row, here row 2.
	err := routeFieldsToRows(&motion.Error{Code: motion.CodeInvalid, Fields: []motion.FieldError{{Field: "steps[1].organization_id", Message: "Das Gremium im 2. Schritt fehlt."}}},
		[]string{"ha", "", "gr", ""})
	if me := err.(*motion.Error); me.Fields[0].Field != "steps[2].organization_id" {
		t.Errorf("route field %q", me.Fields[0].Field)
	}
}
