package notify

import (
	"fmt"
	"strings"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// InvitationMessage is the e-mail that invites the members of org to a
// meeting: date, place and the public agenda in the text, the whole agenda in
// the attached PDF. link is the meeting's page ("" when unknown).
func InvitationMessage(m meeting.Meeting, org, link string) Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Sie sind zur Sitzung des Gremiums %s eingeladen.\n\n", motion.OneLine(org))
	fmt.Fprintf(&b, "Beginn: %s Uhr\n", FormatDateTime(m.Start))
	if m.Location != "" {
		fmt.Fprintf(&b, "Ort: %s\n", motion.OneLine(m.Location))
	}
	b.WriteString("\nTagesordnung (öffentlicher Teil):\n")
	for _, it := range m.PublicItems() {
		fmt.Fprintf(&b, "%s. %s\n", it.Number, motion.OneLine(it.Title))
	}
	b.WriteString("\nDie vollständige Tagesordnung steht in der angehängten Einladung.\n")
	if link != "" {
		fmt.Fprintf(&b, "\nZur Sitzung: %s\n", link)
	}
	return Message{
		Subject: fmt.Sprintf("Einladung: %s am %s", motion.OneLine(m.Name), FormatDate(m.Start)),
		Text:    b.String(),
		Link:    link,
	}
}
