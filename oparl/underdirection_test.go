package oparl_test

import (
	"testing"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/oparl"
)

// TestPaperUnderDirectionOfLeadDepartment: a paper names its lead
// department (Federführung) as underDirectionOf, an organization the
// endpoint serves; a paper without one leaves the field out.
func TestPaperUnderDirectionOfLeadDepartment(t *testing.T) {
	f := newFixture(t, oparl.Config{})
	led := f.submitted("led", f.spd, "Radwege sanieren")
	f.register(led, 1)
	f.step(led, f.office, motion.SetDepartments{Lead: dept})
	plain := f.submitted("plain", f.spd, "Bänke aufstellen")
	f.register(plain, 2)

	var p map[string]any
	f.get("/paper/led", &p)
	u, _ := p["underDirectionOf"].([]any)
	if len(u) != 1 {
		t.Fatalf("underDirectionOf = %v, want the lead department", p["underDirectionOf"])
	}
	var org map[string]any
	f.get(u[0].(string), &org)
	if org["name"] != "Dezernat I" {
		t.Errorf("underDirectionOf leads to %v, want Dezernat I", org)
	}
	var q map[string]any
	f.get("/paper/plain", &q)
	if _, ok := q["underDirectionOf"]; ok {
		t.Errorf("a paper without a lead department has underDirectionOf %v", q["underDirectionOf"])
	}
}
