package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestParseEuro: whole Euro as people write them are read, a dot only as a
// thousands separator; "1.5" is refused rather than read as 15.
func TestParseEuro(t *testing.T) {
	for in, want := range map[string]int64{"225.000": 225000, "225000": 225000, "-1.500": -1500, "−1.500": -1500, "1 500 €": 1500,
		"225.000,00": 225000, "1.234.567": 1234567, "7": 7, "999": 999, "12.000,-": 12000, "1\u00a0500": 1500} {
		if got, ok := parseEuro(in); !ok || got != want {
			t.Errorf("parseEuro(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"1.5", "1.50", "1.5000", "1500.000", "12.34.567", "1..000", ".500", "1.000.", "", "-", "1,5", "abc", "1.000,50"} {
		if got, ok := parseEuro(in); ok {
			t.Errorf("parseEuro(%q) = %d, want refused", in, got)
		}
	}
}

// TestBudgetRowProblem: an amount with a stray dot is refused at its row
// with a German message saying that the dot separates thousands only.
func TestBudgetRowProblem(t *testing.T) {
	f := newForm("edit", "")
	f.Values = url.Values{"budget_year": {"2020", "2021"}, "budget_amount": {"225.000", "1.5"},
		"budget_rhythm": {"once", "once"}, "budget_plan": {"result", "result"}, "budget_purpose": {"", ""}}
	b, problems := parseBudget(f, "budget")
	if len(problems) != 1 || problems[0].field != "budget.items[1]" || !strings.Contains(problems[0].msg, "Zeile 2") ||
		!strings.Contains(problems[0].msg, "Tausender") {
		t.Fatalf("problems = %+v", problems)
	}
	if b == nil || len(b.Items) != 2 || b.Items[0].Amount != 225000 {
		t.Errorf("effect = %+v", b)
	}
}
