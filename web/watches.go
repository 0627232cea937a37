package web

import (
	"errors"
	"net/http"

	"github.com/motionflow/motionflow/notify"
	"github.com/motionflow/motionflow/store"
)

// confirmPage is the page a watch's confirmation link opens.
type confirmPage struct {
	Action, Token string
	// Done and Email: the address was confirmed just now.
	Done  bool
	Email string
}

// confirmWatchForm shows the confirmation of a watch's e-mail address (the
// link of the mail notify.ComposeWatchConfirmation renders). Opening the link
// changes nothing: mail scanners fetch links too. Only the button (a POST)
// confirms. No login: the address's owner need not be a user.
func (s *server) confirmWatchForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 200 {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "bestaetigen", page{Title: "E-Mail-Adresse bestätigen",
		Data: confirmPage{Action: notify.WatchConfirmationPath, Token: token}})
}

// confirmWatch confirms the address of the token (once; see
// store.ConfirmWatchAddress): a wrong or used token is 404, an expired one 410.
func (s *server) confirmWatch(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Ungültige Anfrage", "Das Formular konnte nicht gelesen werden.")
		return
	}
	_, email, err := s.store.ConfirmWatchAddress(r.Context(), r.PostForm.Get("token"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound, "Link ungültig",
			"Dieser Bestätigungslink ist ungültig oder wurde schon benutzt. Es wurde nichts geändert.")
	case errors.Is(err, store.ErrExpired):
		s.errorPage(w, r, http.StatusGone, "Link abgelaufen",
			"Dieser Bestätigungslink ist abgelaufen; die Adresse ist nicht bestätigt. Wer die Beobachtung eingerichtet hat, kann sie erneut speichern: Dann kommt ein neuer Link.")
	case err != nil:
		s.fail(w, r, err)
	default:
		s.render(w, r, http.StatusOK, "bestaetigen", page{Title: "E-Mail-Adresse bestätigt", Data: confirmPage{Done: true, Email: email}})
	}
}
