package api_test

import "testing"

func TestZZDump(t *testing.T) {
	w := newWorld(t)
	_, p := w.feedOf("/v1/me/feeds", "verw")
	_, r := w.calendar(p)
	t.Logf("\n%s", r.body)
}
