package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// noticeStore is the part of the read model the page "Benachrichtigungen"
// uses: the caller's inbox and what it follows.
type noticeStore interface {
	Inbox(ctx context.Context, f store.InboxFilter) ([]store.Notice, error)
	UnreadCount(ctx context.Context, f store.InboxFilter) (int, error)
	MarkRead(ctx context.Context, recipients, eventIDs []string) (int, error)
	Subscribe(ctx context.Context, sub store.Subscription) (store.Subscription, error)
	Unsubscribe(ctx context.Context, subject, bodyID, kind, value string) error
	Subscriptions(ctx context.Context, subject string) ([]store.Subscription, error)
}

// inboxPageSize is how many entries the page shows.
const inboxPageSize = 100

// Paths of the page and its forms.
const (
	noticesPath   = "/benachrichtigungen"
	noticesRead   = noticesPath + "/gelesen"
	noticesFollow = noticesPath + "/folgen"
)

// noticeFlashes are the confirmations of the page's forms (?ok=...).
var noticeFlashes = map[string]string{
	"gelesen": "Die Benachrichtigungen sind als gelesen markiert.",
	"gefolgt": "Gespeichert: Sie erfahren ab jetzt hier von jedem öffentlichen Schritt.",
	"beendet": "Sie folgen dem nicht mehr.",
	"eintrag": "Die Benachrichtigung ist als gelesen markiert.",
	"nichts":  "Es gab nichts Ungelesenes.",
}

// noticesPage is the caller's inbox and what it follows, with the forms to
// follow a keyword or an organization.
type noticesPage struct {
	Entries []noticeEntry
	Unread  int
	More    bool
	Follows []store.Subscription
	// Bodies are the bodies the caller may follow things in; Orgs the
	// followable organizations (gremia and factions) of each.
	Bodies  []bodyOrgs
	Keyword *Form
	Org     *Form
}

// noticeEntry is one inbox entry with the page that shows its subject.
type noticeEntry struct {
	store.Notice
	Href string
}

// Read reports whether the entry is marked read.
func (e noticeEntry) Read() bool { return e.ReadAt != nil }

// KindLabel names what a subscription follows.
func (noticesPage) KindLabel(s store.Subscription) string {
	if s.Kind == store.SubscribeKeyword {
		return "Schlagwort"
	}
	return "Gremium oder Fraktion"
}

// ChannelLabel names the channels of a subscription in German.
func (noticesPage) ChannelLabel(s store.Subscription) string {
	var out []string
	for _, c := range s.Channels {
		switch c {
		case store.ChannelInApp:
			out = append(out, "auf dieser Seite")
		case store.ChannelEmail:
			label := "E-Mail an " + s.Email
			if !s.EmailConfirmed {
				label += " (noch nicht bestätigt)"
			}
			out = append(out, label)
		}
	}
	return strings.Join(out, ", ")
}

// MultipleBodies reports whether the forms must ask for the body.
func (p noticesPage) MultipleBodies() bool { return len(p.Bodies) > 1 }

// showNotices renders the page "Benachrichtigungen" (login required).
func (s *server) showNotices(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) {
		return
	}
	s.renderNotices(w, r, http.StatusOK, nil, nil)
}

func (s *server) renderNotices(w http.ResponseWriter, r *http.Request, status int, keyword, org *Form) {
	ctx, a := r.Context(), actorOf(r)
	f := store.InboxFilter{Recipients: store.InboxRecipients(a), Limit: inboxPageSize + 1}
	ns, err := s.store.Inbox(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := noticesPage{Keyword: keyword, Org: org}
	if len(ns) > inboxPageSize {
		ns, p.More = ns[:inboxPageSize], true
	}
	for _, n := range ns {
		href := motionPath(n.SubjectID)
		if n.SubjectKind == "meeting" {
			href = meetingPath(n.SubjectID)
		}
		p.Entries = append(p.Entries, noticeEntry{Notice: n, Href: href})
	}
	if p.Unread, err = s.store.UnreadCount(ctx, f); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Follows, err = s.store.Subscriptions(ctx, a.Subject); err != nil {
		s.fail(w, r, err)
		return
	}
	bodies, err := s.bodies(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, b := range bodies {
		os, err := s.store.Organizations(ctx, b.ID, "")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		os = slices.DeleteFunc(os, func(o store.Organization) bool { return !followable(o) })
		for _, o := range os {
			names[o.ID] = o.Name
		}
		p.Bodies = append(p.Bodies, bodyOrgs{Body: b, Orgs: os})
	}
	if p.Keyword == nil {
		p.Keyword = followForm(store.SubscribeKeyword)
	}
	if p.Org == nil {
		p.Org = followForm(store.SubscribeOrganization)
	}
	s.render(w, r, status, "benachrichtigungen", page{Title: "Benachrichtigungen", Nav: "benachrichtigungen",
		Flash: noticeFlashes[r.URL.Query().Get("ok")], Orgs: names, Data: p})
}

// followable reports whether a user may follow the organization: a gremium
// or a faction (a department has no steps of its own to announce).
func followable(o store.Organization) bool {
	return o.Kind == store.OrgFaction || slices.Contains(store.Gremia, o.Kind)
}

// followForm is the empty form to follow a keyword or an organization.
func followForm(kind string) *Form {
	f := newForm(motion.CommandName("follow"), kind)
	f.Fields = []string{"body_id", "tags", "organization_id"}
	f.Values.Set("kind", kind)
	return f
}

// markNoticesRead marks the entry named by event_id, or all the caller's
// unread entries, as read, and returns to the page.
func (s *server) markNoticesRead(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) || !s.readForm(w, r) {
		return
	}
	var ids []string
	ok := "gelesen"
	if id := r.PostForm.Get("event_id"); id != "" {
		ids, ok = []string{id}, "eintrag"
	}
	n, err := s.store.MarkRead(r.Context(), store.InboxRecipients(actorOf(r)), ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if n == 0 && ids == nil {
		ok = "nichts"
	}
	http.Redirect(w, r, withOK(noticesPath, ok), http.StatusSeeOther)
}

// follow starts following a keyword or an organization (in the app: the
// page has no e-mail confirmation; the API offers e-mail), or ends it
// (field "beenden").
func (s *server) follow(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) || !s.readForm(w, r) {
		return
	}
	ctx, a := r.Context(), actorOf(r)
	kind := r.PostForm.Get("kind")
	if kind != store.SubscribeKeyword && kind != store.SubscribeOrganization {
		s.errorPage(w, r, http.StatusBadRequest, "Ungültige Anfrage", "Das Formular konnte nicht gelesen werden.")
		return
	}
	if r.PostForm.Get("beenden") != "" {
		err := s.store.Unsubscribe(ctx, a.Subject, r.PostForm.Get("body_id"), kind, r.PostForm.Get("value"))
		if err != nil && !errors.Is(err, store.ErrNotFound) { // already ended: what was asked for holds
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, withOK(noticesPath, "beendet"), http.StatusSeeOther)
		return
	}

	f := followForm(kind)
	f.Values = r.PostForm
	bodyID, value := strings.TrimSpace(f.Val("body_id")), ""
	if kind == store.SubscribeKeyword {
		value = strings.TrimSpace(f.Val("tags"))
		if err := motion.CheckLine("tags", "Das Schlagwort", value, motion.MaxTag, true); err != nil {
			f.fail(err)
		}
		if !a.InBody(bodyID) {
			f.invalid("body_id", "Bitte wählen Sie eine Körperschaft.")
		}
	} else {
		value = f.Val("organization_id")
		o, err := s.store.Organization(ctx, value)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && (!a.InBody(o.BodyID) || !followable(o))):
			f.invalid("organization_id", "Bitte wählen Sie ein Gremium oder eine Fraktion.")
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			bodyID = o.BodyID
		}
	}
	if !f.Failed() {
		sub := store.Subscription{Subject: a.Subject, BodyID: bodyID, Kind: kind, Value: value, Name: a.Name,
			Channels: []store.Channel{store.ChannelInApp}}
		// Following again keeps the channels chosen through the API (e-mail).
		subs, err := s.store.Subscriptions(ctx, a.Subject)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, old := range subs {
			if old.BodyID == bodyID && old.Kind == kind && strings.EqualFold(old.Value, value) {
				sub.Email, sub.Channels = old.Email, old.Channels
			}
		}
		if _, err := s.store.Subscribe(ctx, sub); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, withOK(noticesPath, "gefolgt"), http.StatusSeeOther)
		return
	}
	if kind == store.SubscribeKeyword {
		s.renderNotices(w, r, http.StatusUnprocessableEntity, f, nil)
	} else {
		s.renderNotices(w, r, http.StatusUnprocessableEntity, nil, f)
	}
}
