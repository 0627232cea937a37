// motionflow: the amendment form takes the text of the chosen lines into
// "Neuer Text" on request. The form works without it.
(function () {
  "use strict";
  var form = document.getElementById("aendern");
  var button = form && form.querySelector("[data-zeilen-uebernehmen]");
  if (!button) return;
  var from = form.querySelector("input[name=from]");
  var to = form.querySelector("input[name=to]");
  var text = form.querySelector("textarea[name=text]");
  button.hidden = false;
  button.addEventListener("click", function () {
    var a = parseInt(from.value, 10), b = parseInt(to.value, 10);
    if (!(a >= 1)) { from.focus(); return; }
    if (!(b >= a)) b = a;
    var parts = [];
    for (var n = a; n <= b; n++) {
      var line = document.querySelector("[data-zeile='" + n + "'] .zeilentext");
      if (line) parts.push(line.textContent);
    }
    text.value = parts.join(" ");
    text.focus();
  });
})();
