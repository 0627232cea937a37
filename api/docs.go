package api

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/motionflow/motionflow/problem"
)

// The docs page renders /openapi.json with Swagger UI, served from the binary
// so that it works offline and without a CDN. The assets are swagger-ui-dist
// 5.35.0 from the npm registry (Apache-2.0, see docs/assets/LICENSE-swagger-ui.txt;
// tarball sha256 1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6):
// only swagger-ui-bundle.js and swagger-ui.css, with their source-map comments
// removed. To update: `npm pack swagger-ui-dist@<version>` and copy those two.
//
//go:embed docs/index.html docs/assets
var docsFS embed.FS

// docsCSP allows nothing but this server (and inline styles, which Swagger UI sets).
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"

func registerDocs(mux *http.ServeMux) {
	page, err := docsFS.ReadFile("docs/index.html")
	if err != nil {
		panic(err)
	}
	assets, err := fs.Sub(docsFS, "docs/assets")
	if err != nil {
		panic(err)
	}
	mux.HandleFunc("GET /docs", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", docsCSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(page)
	})
	files := http.StripPrefix("/docs/assets/", http.FileServerFS(assets))
	mux.Handle("GET /docs/assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			problem.Write(w, problem.New(http.StatusNotFound, problem.DetailNotFound)) // no directory listings
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	}))
}
