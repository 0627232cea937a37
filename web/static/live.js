// motionflow live view: follows the meeting by Server-Sent Events and shows
// the item being dealt with and the results as they are recorded. Without
// this script the page shows the state at the time it was loaded.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.EventSource) {
    return;
  }
  var status = root.querySelector("[data-live-status]");
  var current = root.querySelector("[data-live-current]");
  var list = root.querySelector("[data-live-items]");

  function line(it) {
    var text = "TOP " + it.number + ": " + it.title + " – " + it.status_label;
    if (it.result_label) {
      text += " – Ergebnis: " + it.result_label;
    }
    if (it.vote) {
      text += " (" + it.vote.yes + " Ja, " + it.vote.no + " Nein, " + it.vote.abstain + " Enthaltungen)";
    }
    return text;
  }

  function show(s) {
    status.textContent = s.status_label;
    current.textContent = s.current
      ? "TOP " + s.current.number + ": " + s.current.title
      : "Zurzeit ist kein öffentlicher Tagesordnungspunkt aufgerufen.";
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    s.items.forEach(function (it) {
      var li = document.createElement("li");
      li.className = "top" + (it.current ? " aktuell" : "");
      li.setAttribute("data-item", it.id);
      li.textContent = line(it);
      list.appendChild(li);
    });
  }

  var source = new EventSource(root.getAttribute("data-live"));
  source.addEventListener("meeting", function (ev) {
    try {
      show(JSON.parse(ev.data));
    } catch (e) {
      // A broken event leaves the last state on the screen.
    }
  });
})();
