package api

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
)

// feedPathPrefix starts the path of every iCalendar feed: /feeds/<token>.ics.
const feedPathPrefix = "/feeds/"

// The window of a feed: meetings and deadlines from three months ago to a
// year ahead.
const (
	feedPastMonths  = 3
	feedFutureYears = 1
	// feedMaxEvents bounds each kind of event in one feed.
	feedMaxEvents = 2000
	// meetingLength is a meeting's assumed length when it has no end.
	meetingLength = 2 * time.Hour
	// deadlineLength is how long a deadline's event lasts in a calendar (an
	// event must end after it starts).
	deadlineLength = 30 * time.Minute
)

// Feed is an iCalendar feed token as its owner sees it: without the token.
type Feed struct {
	ID        string     `json:"id" doc:"Kennung des Feeds, zum Widerrufen"`
	Kind      string     `json:"kind" enum:"user,faction" doc:"user: persönlicher Feed; faction: Feed einer Fraktion"`
	Owner     string     `json:"owner" doc:"Inhaber: Benutzer (OIDC-Subject) oder Fraktion (Organisations-Id)"`
	BodyID    string     `json:"body_id"`
	Audiences []string   `json:"audiences" doc:"Zielgruppen, deren Fristen der Feed zeigt"`
	Created   time.Time  `json:"created"`
	RevokedAt *time.Time `json:"revoked_at,omitempty" doc:"widerrufen am"`
}

func feedOf(t store.FeedTokenInfo) Feed {
	return Feed{ID: t.ID, Kind: string(t.Kind), Owner: t.Owner, BodyID: t.BodyID, Audiences: nonNilStrings(t.Audiences),
		Created: t.Created, RevokedAt: t.RevokedAt}
}

// FeedCreated is a new feed with its secret address, shown only once.
type FeedCreated struct {
	Feed
	Token string `json:"token" doc:"das Geheimnis des Feeds; wird nur jetzt gezeigt"`
	URL   string `json:"url" doc:"Adresse zum Abonnieren im Kalender; wird nur jetzt gezeigt" example:"https://rat.example/feeds/3q2-7wZ….ics"`
	Path  string `json:"path" doc:"dieselbe Adresse als Pfad" example:"/feeds/3q2-7wZ….ics"`
}

// UserFeedBody chooses the body of a personal feed.
type UserFeedBody struct {
	BodyID string `json:"body_id,omitempty" maxLength:"64" doc:"Körperschaft; nötig, wenn das Token mehrere nennt"`
}

type feedCreatedOutput struct {
	Body FeedCreated
}

type feedsOutput struct {
	Body struct {
		Items []Feed `json:"items"`
	}
}

type calendarOutput struct {
	ContentType        string `header:"Content-Type"`
	CacheControl       string `header:"Cache-Control"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (s *server) registerFeeds(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID:   "create-user-feed",
		Method:        http.MethodPost,
		Path:          "/v1/me/feeds",
		Summary:       "Persönlichen Kalender-Feed anlegen",
		Description:   "Ein iCalendar-Feed (RFC 5545) mit den Sitzungen der Körperschaft und den Fristen, die der Aufrufer sieht oder an die er erinnert wird. Die Adresse enthält ein Geheimnis und wird nur in dieser Antwort gezeigt.",
		Tags:          []string{"Feeds"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *struct {
		Body *UserFeedBody
	}) (*feedCreatedOutput, error) {
		actor := Caller(ctx)
		bodyID := ""
		if in.Body != nil {
			bodyID = in.Body.BodyID
		}
		switch {
		case bodyID == "" && len(actor.Bodies) == 1:
			bodyID = actor.Bodies[0]
		case bodyID == "":
			return nil, fieldError("body.body_id", "Körperschaft angeben")
		case !slices.Contains(actor.Bodies, bodyID):
			return nil, fieldError("body.body_id", "keine Körperschaft des Aufrufers")
		}
		return s.createFeed(ctx, store.FeedTokenInfo{Kind: store.FeedUser, Owner: actor.Subject, BodyID: bodyID,
			Audiences: actor.Audiences()})
	})

	huma.Register(a, huma.Operation{
		OperationID:   "create-faction-feed",
		Method:        http.MethodPost,
		Path:          "/v1/organizations/{id}/feeds",
		Summary:       "Kalender-Feed einer Fraktion anlegen (Fraktion)",
		Description:   "Ein iCalendar-Feed mit den Sitzungen der Körperschaft und den Fristen der Anträge der Fraktion, auch ihrer Entwürfe. Nur für die Mitarbeitenden dieser Fraktion. Die Adresse wird nur in dieser Antwort gezeigt.",
		Tags:          []string{"Feeds"},
		Security:      requireToken,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *OrgPath) (*feedCreatedOutput, error) {
		actor := Caller(ctx)
		o, err := s.visibleOrganization(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		if o.Kind != store.OrgFaction || !actor.Has(motion.RoleFactionStaff) || actor.Faction != o.ID {
			return nil, huma.Error403Forbidden("Nur die Mitarbeitenden dieser Fraktion dürfen ihren Feed anlegen.")
		}
		return s.createFeed(ctx, store.FeedTokenInfo{Kind: store.FeedFaction, Owner: o.ID, BodyID: o.BodyID,
			Audiences: []string{motion.FactionAudience(o.ID)}})
	})

	huma.Register(a, huma.Operation{
		OperationID: "list-feeds",
		Method:      http.MethodGet,
		Path:        "/v1/me/feeds",
		Summary:     "Meine Kalender-Feeds",
		Description: "Die persönlichen Feeds des Aufrufers und die Feeds seiner Fraktion, neueste zuerst, widerrufene mit revoked_at; ohne die Geheimnisse.",
		Tags:        []string{"Feeds"},
		Security:    requireToken,
		Errors:      []int{http.StatusUnauthorized},
	}, func(ctx context.Context, _ *struct{}) (*feedsOutput, error) {
		ts, err := s.ownFeeds(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &feedsOutput{}
		out.Body.Items = make([]Feed, 0, len(ts))
		for _, t := range ts {
			out.Body.Items = append(out.Body.Items, feedOf(t))
		}
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID:   "revoke-feed",
		Method:        http.MethodDelete,
		Path:          "/v1/feeds/{id}",
		Summary:       "Kalender-Feed widerrufen",
		Description:   "Die Adresse des Feeds antwortet danach 404. Nur der Inhaber (bei einem Fraktions-Feed: die Mitarbeitenden der Fraktion); für andere ist der Feed 404. Erneutes Widerrufen ändert nichts.",
		Tags:          []string{"Feeds"},
		Security:      requireToken,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *struct {
		ID string `path:"id" maxLength:"64" doc:"Feed (Id)"`
	}) (*struct{}, error) {
		ts, err := s.ownFeeds(ctx)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if !slices.ContainsFunc(ts, func(t store.FeedTokenInfo) bool { return t.ID == in.ID }) {
			return nil, notFound("Feed")
		}
		if err := s.store.RevokeFeedToken(ctx, in.ID); errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Feed")
		} else if err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "get-feed",
		Method:      http.MethodGet,
		Path:        feedPathPrefix + "{file}",
		Summary:     "Kalender-Feed abrufen (iCalendar)",
		Description: "/feeds/<token>.ics: ohne Anmeldung, das Token ist das Geheimnis. Sitzungen der Körperschaft " +
			"(drei Monate zurück bis ein Jahr voraus; abgesagte mit STATUS:CANCELLED) und die Fristen, die der Inhaber sieht: " +
			"ein persönlicher Feed die seiner Zielgruppen (erinnert oder informiert), ein Fraktions-Feed die der Anträge der " +
			"Fraktion. Zeiten in UTC; UIDs bleiben gleich, wenn sich ein Termin verschiebt. Unbekanntes oder widerrufenes Token: 404.",
		Tags:     []string{"Feeds"},
		Security: noToken,
		Errors:   []int{http.StatusNotFound},
		Responses: map[string]*huma.Response{
			"200": {
				Description: "Der Kalender (RFC 5545)",
				Content:     map[string]*huma.MediaType{"text/calendar": {Schema: &huma.Schema{Type: "string"}}},
			},
		},
	}, func(ctx context.Context, in *struct {
		File string `path:"file" maxLength:"200" doc:"<token>.ics"`
	}) (*calendarOutput, error) {
		token, ok := strings.CutSuffix(in.File, ".ics")
		if !ok || token == "" {
			return nil, notFound("Feed")
		}
		t, err := s.store.FeedToken(ctx, token)
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Feed")
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		cal, err := s.calendar(ctx, t, time.Now())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		var buf bytes.Buffer
		if err := cal.SerializeTo(&buf, ics.WithNewLineWindows); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &calendarOutput{ContentType: "text/calendar; charset=utf-8", CacheControl: "private, max-age=300",
			ContentDisposition: `inline; filename="motionflow.ics"`, Body: buf.Bytes()}, nil
	})
}

// createFeed makes the token and answers with its address.
func (s *server) createFeed(ctx context.Context, t store.FeedTokenInfo) (*feedCreatedOutput, error) {
	raw, info, err := s.store.CreateFeedToken(ctx, t)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	path := feedPathPrefix + url.PathEscape(raw) + ".ics"
	return &feedCreatedOutput{Body: FeedCreated{Feed: feedOf(info), Token: raw, URL: s.baseURL(ctx) + path, Path: path}}, nil
}

// ownFeeds are the caller's feeds: its personal ones and, for faction
// staff, its faction's; only those of the caller's bodies.
func (s *server) ownFeeds(ctx context.Context) ([]store.FeedTokenInfo, error) {
	actor := Caller(ctx)
	ts, err := s.store.FeedTokens(ctx, store.FeedUser, actor.Subject)
	if err != nil {
		return nil, err
	}
	if actor.Has(motion.RoleFactionStaff) && actor.Faction != "" {
		fs, err := s.store.FeedTokens(ctx, store.FeedFaction, actor.Faction)
		if err != nil {
			return nil, err
		}
		ts = append(ts, fs...)
	}
	ts = slices.DeleteFunc(ts, func(t store.FeedTokenInfo) bool { return !slices.Contains(actor.Bodies, t.BodyID) })
	slices.SortStableFunc(ts, func(a, b store.FeedTokenInfo) int { return b.Created.Compare(a.Created) })
	return ts, nil
}

// feedViewer is whom the feed shows what: the feed's owner as far as the
// visibility of motions goes. A feed request carries no session, so it is
// derived from what the token stored: the faction of a faction feed, or of a
// user whose audiences name one (faction staff see their drafts); everybody
// else sees the public motions of the feed's body.
func feedViewer(t store.FeedTokenInfo) motion.Actor {
	a := motion.Actor{Subject: "feed:" + t.ID, Bodies: []string{t.BodyID}}
	faction := ""
	if t.Kind == store.FeedFaction {
		faction = t.Owner
	} else {
		for _, aud := range t.Audiences {
			if f, ok := strings.CutPrefix(aud, motion.FactionAudience("")); ok && f != "" {
				faction = f
			}
		}
	}
	if faction != "" {
		a.Roles, a.Faction = []motion.Role{motion.RoleFactionStaff}, faction
	}
	return a
}

// calendar builds the feed's calendar as of now.
func (s *server) calendar(ctx context.Context, t store.FeedTokenInfo, now time.Time) (*ics.Calendar, error) {
	body, err := s.store.Body(ctx, t.BodyID)
	if err != nil {
		return nil, err
	}
	orgs, err := s.store.Organizations(ctx, t.BodyID, "")
	if err != nil {
		return nil, err
	}
	orgName := map[string]string{}
	for _, o := range orgs {
		orgName[o.ID] = o.Name
	}
	loc := s.zones().of(ctx, t.BodyID)
	from, to := now.AddDate(0, -feedPastMonths, 0), now.AddDate(feedFutureYears, 0, 0)
	base := s.baseURL(ctx)

	cal := ics.NewCalendarFor("motionflow")
	cal.SetProductId("-//motionflow//Antraege und Fristen//DE")
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	name := "Sitzungen und Fristen – " + body.Name
	if t.Kind == store.FeedFaction {
		name = "Sitzungen und Fristen – " + cmp.Or(orgName[t.Owner], t.Owner) + " (" + body.Name + ")"
	}
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone(loc.String())
	cal.SetXPublishedTTL("PT1H")
	cal.SetRefreshInterval("PT1H")

	// Meetings of the body.
	mf := store.MeetingFilter{BodyIDs: []string{t.BodyID}, From: &from, To: &to, Limit: store.MaxLimit}
	for n := 0; n < feedMaxEvents; {
		ms, next, err := s.store.Meetings(ctx, mf)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			meetingEvent(cal, m, orgName[m.OrganizationID], base, loc, now)
		}
		n += len(ms)
		if next == "" {
			break
		}
		mf.After = next
	}

	// Deadlines the owner sees.
	df := store.DeadlineFilter{Viewer: feedViewer(t), BodyIDs: []string{t.BodyID}, From: &from, To: &to, Limit: store.MaxLimit}
	if t.Kind == store.FeedFaction {
		df.Faction = t.Owner
	} else {
		df.Audiences, df.IncludeInformed = nonNilStrings(t.Audiences), true
	}
	for n := 0; n < feedMaxEvents; {
		ds, next, err := s.store.Deadlines(ctx, df)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			s.deadlineEvent(cal, d, base, loc, now)
		}
		n += len(ds)
		if next == "" {
			break
		}
		df.After = next
	}
	return cal, nil
}

func meetingEvent(cal *ics.Calendar, m store.Meeting, orgName, base string, loc *time.Location, now time.Time) {
	ev := cal.AddEvent("meeting." + m.ID + "@motionflow")
	ev.SetDtStampTime(now)
	ev.SetModifiedAt(m.Modified)
	ev.SetStartAt(m.Start)
	end := m.Start.Add(meetingLength)
	if m.End != nil && m.End.After(m.Start) {
		end = *m.End
	}
	ev.SetEndAt(end)
	summary := m.Name
	if m.Cancelled {
		summary = "Abgesagt: " + summary
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	ev.SetSummary(motion.OneLine(summary))
	if m.Location != "" {
		ev.SetLocation(motion.OneLine(m.Location))
	}
	link := base + "/v1/meetings/" + url.PathEscape(m.ID)
	desc := []string{}
	if orgName != "" {
		desc = append(desc, "Gremium: "+orgName)
	}
	desc = append(desc, "Beginn: "+germanTime(m.Start, loc)+" Uhr")
	if m.Cancelled {
		desc = append(desc, "Die Sitzung ist abgesagt.")
	}
	desc = append(desc, "Tagesordnung: "+link)
	ev.SetDescription(strings.Join(desc, "\n"))
	ev.SetURL(link)
	ev.AddCategory("Sitzung")
}

func (s *server) deadlineEvent(cal *ics.Calendar, d store.MotionDeadline, base string, loc *time.Location, now time.Time) {
	ev := cal.AddEvent(d.Key + "." + d.MotionID + "@motionflow")
	ev.SetDtStampTime(now)
	ev.SetStartAt(d.Due)
	ev.SetEndAt(d.Due.Add(deadlineLength))
	ev.SetTimeTransparency(ics.TransparencyTransparent)
	what := d.MotionTitle
	if d.MotionReference != "" {
		what = d.MotionReference + " " + what
	} else if d.MotionStatus == motion.StatusDraft {
		what = "Entwurf: " + what
	}
	summary := "Frist: " + d.Kind.Label() + " – " + what
	ev.SetSummary(motion.OneLine(summary))
	link := s.motionLink(base, d.MotionID)
	desc := []string{
		d.MotionKind.Label() + ": " + what,
		"Status: " + d.MotionStatus.Label(),
		"Fällig: " + germanTime(d.Due, loc) + " Uhr",
	}
	if d.Rule == "manual" {
		desc = append(desc, "Von Hand gesetzt: "+d.Reason)
	} else {
		desc = append(desc, "Regel: "+d.Rule+" (Version "+strconv.Itoa(d.RuleVersion)+")")
	}
	desc = append(desc, "Zum Antrag: "+link)
	ev.SetDescription(strings.Join(desc, "\n"))
	ev.SetURL(link)
	ev.AddCategory("Frist")
	if d.Due.After(now) {
		al := ev.AddAlarm()
		al.SetAction(ics.ActionDisplay)
		al.SetTrigger("-P1D")
		al.SetProperty(ics.ComponentPropertyDescription, summary)
	}
}

// baseURL is where absolute URLs start: Config.BaseURL, else the request's
// host.
func (s *server) baseURL(ctx context.Context) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	r := requestOf(ctx)
	scheme := "http"
	if r.tls {
		scheme = "https"
	}
	return scheme + "://" + r.host
}

// motionLink is the link to a motion: Config.MotionLink with "{id}"
// replaced, else the API's read of the motion.
func (s *server) motionLink(base, id string) string {
	if strings.Contains(s.cfg.MotionLink, "{id}") {
		return strings.ReplaceAll(s.cfg.MotionLink, "{id}", url.PathEscape(id))
	}
	return base + motionHref(id)
}
