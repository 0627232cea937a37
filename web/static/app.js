// motionflow: a little progressive enhancement. Everything works without it.
(function () {
  "use strict";

  // Draft editor: add and remove resolution points without a round trip.
  function renumber(list) {
    var items = list.querySelectorAll("[data-punkt]");
    items.forEach(function (li, i) {
      var label = li.querySelector("label");
      var area = li.querySelector("textarea");
      var btn = li.querySelector("[data-entfernen]");
      var id = area.id.replace(/-\d+$/, "-" + i);
      area.id = id;
      label.htmlFor = id;
      label.textContent = "Punkt " + (i + 1) + ".)";
      if (btn) {
        btn.value = "remove-" + i;
        btn.textContent = "Punkt " + (i + 1) + " entfernen";
      }
    });
  }
  document.querySelectorAll("[data-punkte]").forEach(function (list) {
    var form = list.closest("form");
    form.addEventListener("click", function (ev) {
      var t = ev.target;
      if (t.matches("[data-entfernen]")) {
        var items = list.querySelectorAll("[data-punkt]");
        if (items.length <= 1) {
          items[0].querySelector("textarea").value = "";
        } else {
          var li = t.closest("[data-punkt]");
          var next = li.nextElementSibling || li.previousElementSibling;
          li.remove();
          renumber(list);
          next.querySelector("textarea").focus();
        }
        ev.preventDefault();
      } else if (t.matches("[data-hinzufuegen]")) {
        var last = list.querySelector("[data-punkt]:last-child");
        var copy = last.cloneNode(true);
        var area = copy.querySelector("textarea");
        area.value = "";
        area.removeAttribute("aria-invalid");
        area.removeAttribute("aria-describedby");
        var err = copy.querySelector(".feldfehler");
        if (err) err.remove();
        list.appendChild(copy);
        renumber(list);
        area.focus();
        ev.preventDefault();
      }
    });
  });

  // Move the focus to a refused form's error summary.
  var summary = document.querySelector(".fehlerliste");
  if (summary) {
    summary.focus();
  }

  // The print view's print button.
  document.querySelectorAll("[data-drucken]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
