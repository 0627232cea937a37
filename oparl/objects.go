package oparl

// The OParl 1.1 objects as this endpoint writes them. Every optional field
// is omitted when empty (OParl forbids null); the fields OParl requires are
// always written.

// Schema is the prefix of every object's type.
const Schema = "https://schema.oparl.org/1.1/"

// Version is the System's oparlVersion.
const Version = "https://schema.oparl.org/1.1/"

// System is the entry point.
type System struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	OparlVersion string `json:"oparlVersion"`
	Body         string `json:"body"`
	Name         string `json:"name,omitempty"`
	ContactEmail string `json:"contactEmail,omitempty"`
	ContactName  string `json:"contactName,omitempty"`
	Website      string `json:"website,omitempty"`
	Product      string `json:"product,omitempty"`
	Web          string `json:"web,omitempty"`
}

// Body is a municipality's council as a whole.
type Body struct {
	ID                  string            `json:"id"`
	Type                string            `json:"type"`
	System              string            `json:"system,omitempty"`
	ShortName           string            `json:"shortName,omitempty"`
	Name                string            `json:"name"`
	Organization        string            `json:"organization"`
	Person              string            `json:"person"`
	Meeting             string            `json:"meeting"`
	Paper               string            `json:"paper"`
	LegislativeTerm     []LegislativeTerm `json:"legislativeTerm"`
	AgendaItem          string            `json:"agendaItem,omitempty"`
	Consultation        string            `json:"consultation,omitempty"`
	File                string            `json:"file,omitempty"`
	LocationList        string            `json:"locationList,omitempty"`
	LegislativeTermList string            `json:"legislativeTermList,omitempty"`
	Membership          string            `json:"membership,omitempty"`
	Classification      string            `json:"classification,omitempty"`
	Created             string            `json:"created,omitempty"`
	Modified            string            `json:"modified,omitempty"`
	Deleted             bool              `json:"deleted,omitempty"`
}

// LegislativeTerm is a Wahlperiode.
type LegislativeTerm struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Body      string `json:"body,omitempty"`
	Name      string `json:"name,omitempty"`
	StartDate string `json:"startDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
	Created   string `json:"created,omitempty"`
	Modified  string `json:"modified,omitempty"`
	Deleted   bool   `json:"deleted,omitempty"`
}

// Organization is a Gremium, a faction or a department.
type Organization struct {
	ID               string   `json:"id"`
	Type             string   `json:"type"`
	Body             string   `json:"body,omitempty"`
	Name             string   `json:"name,omitempty"`
	Membership       []string `json:"membership,omitempty"`
	ShortName        string   `json:"shortName,omitempty"`
	OrganizationType string   `json:"organizationType,omitempty"`
	Classification   string   `json:"classification,omitempty"`
	Created          string   `json:"created,omitempty"`
	Modified         string   `json:"modified,omitempty"`
	Deleted          bool     `json:"deleted,omitempty"`
}

// Person is a councillor or another member of an organization.
type Person struct {
	ID         string       `json:"id"`
	Type       string       `json:"type"`
	Body       string       `json:"body,omitempty"`
	Name       string       `json:"name,omitempty"`
	FamilyName string       `json:"familyName,omitempty"`
	GivenName  string       `json:"givenName,omitempty"`
	Membership []Membership `json:"membership,omitempty"`
	Created    string       `json:"created,omitempty"`
	Modified   string       `json:"modified,omitempty"`
	Deleted    bool         `json:"deleted,omitempty"`
}

// Membership says that a person belongs to an organization.
type Membership struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Person       string `json:"person,omitempty"`
	Organization string `json:"organization,omitempty"`
	Role         string `json:"role,omitempty"`
	StartDate    string `json:"startDate,omitempty"`
	EndDate      string `json:"endDate,omitempty"`
	Created      string `json:"created,omitempty"`
	Modified     string `json:"modified,omitempty"`
	Deleted      bool   `json:"deleted,omitempty"`
}

// Meeting is a session of an organization.
type Meeting struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	Name         string    `json:"name,omitempty"`
	Cancelled    bool      `json:"cancelled,omitempty"`
	Start        string    `json:"start,omitempty"`
	End          string    `json:"end,omitempty"`
	Location     *Location `json:"location,omitempty"`
	Organization []string  `json:"organization,omitempty"`
	// Invitation and ResultsProtocol are the meeting's invitation and
	// minutes as PDFs, each once it is public.
	Invitation      *File        `json:"invitation,omitempty"`
	ResultsProtocol *File        `json:"resultsProtocol,omitempty"`
	AgendaItem      []AgendaItem `json:"agendaItem,omitempty"`
	Created         string       `json:"created,omitempty"`
	Modified        string       `json:"modified,omitempty"`
	Deleted         bool         `json:"deleted,omitempty"`
}

// AgendaItem is a motion's consultation on a meeting's agenda; Result is the
// German label of what the meeting resolved. Public is a pointer so that
// false (the non-public part) is written too.
type AgendaItem struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	Meeting        string `json:"meeting,omitempty"`
	Number         string `json:"number,omitempty"`
	Order          int    `json:"order"`
	Name           string `json:"name,omitempty"`
	Public         *bool  `json:"public,omitempty"`
	Consultation   string `json:"consultation,omitempty"`
	Result         string `json:"result,omitempty"`
	ResolutionText string `json:"resolutionText,omitempty"`
	// Vote is the vendor extension VoteProperty: the vote on the item.
	Vote     *Vote  `json:"motionflow:vote,omitempty"`
	Created  string `json:"created,omitempty"`
	Modified string `json:"modified,omitempty"`
	Deleted  bool   `json:"deleted,omitempty"`
}

// Paper is the public face of a motion. UnderDirectionOf is its lead
// department (Federführung).
type Paper struct {
	ID                     string         `json:"id"`
	Type                   string         `json:"type"`
	Body                   string         `json:"body,omitempty"`
	Name                   string         `json:"name,omitempty"`
	Reference              string         `json:"reference,omitempty"`
	Date                   string         `json:"date,omitempty"`
	PaperType              string         `json:"paperType,omitempty"`
	RelatedPaper           []string       `json:"relatedPaper,omitempty"`
	SuperordinatedPaper    []string       `json:"superordinatedPaper,omitempty"`
	SubordinatedPaper      []string       `json:"subordinatedPaper,omitempty"`
	MainFile               *File          `json:"mainFile,omitempty"`
	AuxiliaryFile          []File         `json:"auxiliaryFile,omitempty"`
	OriginatorPerson       []string       `json:"originatorPerson,omitempty"`
	OriginatorOrganization []string       `json:"originatorOrganization,omitempty"`
	UnderDirectionOf       []string       `json:"underDirectionOf,omitempty"`
	Consultation           []Consultation `json:"consultation,omitempty"`
	Keyword                []string       `json:"keyword,omitempty"`
	Created                string         `json:"created,omitempty"`
	Modified               string         `json:"modified,omitempty"`
	Web                    string         `json:"web,omitempty"`
	Deleted                bool           `json:"deleted,omitempty"`
}

// Consultation is one step of a paper's route. Authoritative is a pointer so
// that false is written too.
type Consultation struct {
	ID            string   `json:"id"`
	Type          string   `json:"type"`
	Paper         string   `json:"paper,omitempty"`
	AgendaItem    string   `json:"agendaItem,omitempty"`
	Meeting       string   `json:"meeting,omitempty"`
	Organization  []string `json:"organization,omitempty"`
	Authoritative *bool    `json:"authoritative,omitempty"`
	Role          string   `json:"role,omitempty"`
	// Vote is the vendor extension VoteProperty: the vote of the
	// consultation's result.
	Vote     *Vote  `json:"motionflow:vote,omitempty"`
	Created  string `json:"created,omitempty"`
	Modified string `json:"modified,omitempty"`
	Deleted  bool   `json:"deleted,omitempty"`
}

// File is a document of a paper or of a meeting.
type File struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	Name           string `json:"name,omitempty"`
	FileName       string `json:"fileName,omitempty"`
	MimeType       string `json:"mimeType,omitempty"`
	Date           string `json:"date,omitempty"`
	Size           int64  `json:"size,omitempty"`
	Sha512Checksum string `json:"sha512Checksum,omitempty"`
	// Text is the text of an imported file, as its source extracted it.
	Text        string   `json:"text,omitempty"`
	AccessURL   string   `json:"accessUrl"`
	DownloadURL string   `json:"downloadUrl,omitempty"`
	Meeting     []string `json:"meeting,omitempty"`
	Paper       []string `json:"paper,omitempty"`
	Created     string   `json:"created,omitempty"`
	Modified    string   `json:"modified,omitempty"`
	Deleted     bool     `json:"deleted,omitempty"`
}

// Location is a place.
type Location struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	Description   string `json:"description,omitempty"`
	StreetAddress string `json:"streetAddress,omitempty"`
	Room          string `json:"room,omitempty"`
	PostalCode    string `json:"postalCode,omitempty"`
	SubLocality   string `json:"subLocality,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Created       string `json:"created,omitempty"`
	Modified      string `json:"modified,omitempty"`
	Deleted       bool   `json:"deleted,omitempty"`
}

// List is one page of an external object list.
type List struct {
	Data       []any      `json:"data"`
	Pagination Pagination `json:"pagination"`
	Links      Links      `json:"links"`
}

// Pagination describes a list page.
type Pagination struct {
	ElementsPerPage int `json:"elementsPerPage"`
	CurrentPage     int `json:"currentPage,omitempty"`
}

// Links lead to the first, this and the next page; Next is left out on the
// last page.
type Links struct {
	First string `json:"first,omitempty"`
	Self  string `json:"self,omitempty"`
	Next  string `json:"next,omitempty"`
}

// VoteProperty is the name of motionflow's vendor extension (OParl 1.1,
// "Herstellerspezifische Erweiterungen": an extra property whose name
// carries the vendor's prefix) on Consultation and AgendaItem: the vote of
// a recorded result. See the package documentation for its shape.
const VoteProperty = "motionflow:vote"

// Vote is the value of the vendor extension VoteProperty: the tally of a
// vote, optionally per faction and per member. Yes, No and Abstain are
// always written (0 too); Absent only when it was counted.
type Vote struct {
	Yes       int  `json:"yes"`
	No        int  `json:"no"`
	Abstain   int  `json:"abstain"`
	Absent    *int `json:"absent,omitempty"`
	Unanimous bool `json:"unanimous,omitempty"`
	// ByFaction are the factions' shares of the tally, in the order recorded.
	ByFaction []FactionVote `json:"byFaction,omitempty"`
	// Named are the members' votes, in the order recorded.
	Named []NamedVote `json:"named,omitempty"`
}

// FactionVote is one faction's share of a tally; Organization is the
// faction's Organization.
type FactionVote struct {
	Organization string `json:"organization,omitempty"`
	Yes          int    `json:"yes"`
	No           int    `json:"no"`
	Abstain      int    `json:"abstain"`
}

// NamedVote is how one member voted: Vote is "yes", "no", "abstain" or
// "absent"; Person is the member's Person when the vote names one of the
// directory's persons.
type NamedVote struct {
	Person string `json:"person,omitempty"`
	Name   string `json:"name,omitempty"`
	Vote   string `json:"vote"`
}
