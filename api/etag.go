package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/problem"
)

// entityTags is an If-Match or If-None-Match header (RFC 9110, 13.1.1 and
// 13.1.2): "*" or a comma-separated list of entity tags. Only tags this API
// can have sent are kept (a version number, "3", written without leading
// zeros); any other can never match.
type entityTags struct {
	any    bool
	strong []int64
	weak   []int64
}

// parseEntityTags reads an If-Match or If-None-Match header.
func parseEntityTags(h string) entityTags {
	var t entityTags
	h = strings.TrimSpace(h)
	if h == "*" {
		t.any = true
		return t
	}
	for e := range strings.SplitSeq(h, ",") {
		e = strings.TrimSpace(e)
		weak := strings.HasPrefix(e, "W/")
		e = strings.TrimPrefix(e, "W/")
		if len(e) < 3 || e[0] != '"' || e[len(e)-1] != '"' {
			continue
		}
		v, err := strconv.ParseInt(e[1:len(e)-1], 10, 64)
		if err != nil || v <= 0 || strconv.FormatInt(v, 10) != e[1:len(e)-1] {
			continue
		}
		if weak {
			t.weak = append(t.weak, v)
		} else {
			t.strong = append(t.strong, v)
		}
	}
	return t
}

// matchStrong is If-Match's comparison: "*" or a strong tag of version v; a
// weak tag never matches.
func (t entityTags) matchStrong(v int64) bool { return t.any || slices.Contains(t.strong, v) }

// matchWeak is If-None-Match's comparison: "*" or any tag of version v.
func (t entityTags) matchWeak(v int64) bool {
	return t.any || slices.Contains(t.strong, v) || slices.Contains(t.weak, v)
}

// expectedVersion turns a command's If-Match into the version it is sent
// with; the workflow compares that with the motion's version atomically,
// when it decides. One strong tag is sent as it is, "*" as motion.AnyVersion.
// For a list, the current version is read from the workflow and sent when it
// matches, so that the command still applies only to that version: should
// another command land in between, the answer is 412 as for a stale tag.
// What the caller may not see is 404, as the workflow would answer.
func (s *server) expectedVersion(ctx context.Context, id string, actor motion.Actor, header string) (int64, error) {
	return ifMatchVersion(header, "des Antrags", "Der Antrag", func() (int64, error) {
		m, err := s.motions.State(ctx, id)
		if err != nil {
			return 0, s.problem(ctx, err)
		}
		if !m.VisibleTo(actor) {
			return 0, notFound("Antrag")
		}
		return m.Version, nil
	})
}

// ifMatchVersion is the one reading of a command's If-Match: missing is
// 428; "*" is motion.AnyVersion; one strong tag is that version; a list is
// compared with current() (412 when none is current) or, without current,
// refused with 412. of and subject name the object in the messages ("des
// Antrags", "Der Antrag").
func ifMatchVersion(header, of, subject string, current func() (int64, error)) (int64, error) {
	if strings.TrimSpace(header) == "" {
		return 0, problem.New(http.StatusPreconditionRequired,
			`If-Match fehlt: senden Sie die Version, auf die sich der Befehl bezieht (ETag, z. B. "3").`,
			problem.Field{Location: "header.If-Match", Message: "fehlt"})
	}
	tags := parseEntityTags(header)
	if !tags.any && len(tags.strong) == 0 || !tags.any && len(tags.strong) > 1 && current == nil {
		return 0, problem.New(http.StatusPreconditionFailed, "If-Match passt zu keiner Version "+of+".",
			problem.Field{Location: "header.If-Match", Message: `erwartet "*" oder ETags wie "3"`})
	}
	if tags.any {
		// The workflow applies the command to the version current when it
		// decides; visibility and permission are still its to check.
		return motion.AnyVersion, nil
	}
	if len(tags.strong) == 1 {
		return tags.strong[0], nil
	}
	v, err := current()
	if err != nil {
		return 0, err
	}
	if !tags.matchStrong(v) {
		return 0, problem.New(http.StatusPreconditionFailed,
			fmt.Sprintf("%s wurde inzwischen geändert (Version %d). Bitte neu laden.", subject, v),
			problem.Field{Location: "header.If-Match", Message: "keine der genannten Versionen ist die aktuelle"})
	}
	return v, nil
}
