// Copy buttons of the pages that show a secret once (a webhook's URL and
// its HTML form, a new API token). A button with data-copy="id" copies the
// value of the element #id to the clipboard; the buttons stay hidden where
// this script does not run, and the text stays selectable by hand.
"use strict";
(function () {
  var status = document.querySelector("[data-copy-status]");
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    var target = document.getElementById(btn.dataset.copy);
    if (!target) { return; }
    var label = btn.textContent;
    btn.hidden = false;
    function done(ok) {
      var msg = ok ? btn.dataset.copied : btn.dataset.failed;
      if (status) { status.textContent = msg; }
      btn.textContent = msg;
      btn.dataset.copyResult = ok ? "ok" : "failed";
      setTimeout(function () { btn.textContent = label; }, 2500);
    }
    // Without the clipboard API (an old browser, a page not on https),
    // select the text and ask for a copy the old way.
    function byHand() {
      var ok = false;
      target.focus();
      target.select();
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
    btn.addEventListener("click", function () {
      var text = target.value;
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, byHand);
      } else {
        byHand();
      }
    });
  });
})();
