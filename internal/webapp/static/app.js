// Embudo's staff web app: the few things pages need a script for. No
// framework; each feature finds its elements by a data- attribute.
"use strict";
(function () {
  // A sign-in link's page posts its form by itself: the person clicked the
  // link, and a mail scanner fetching it runs no script.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (f) {
    if (!f.dataset.submitted) { f.dataset.submitted = "1"; f.submit(); }
  });

  // A checkbox with data-check-all="name" checks every checkbox named so.
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll('input[type=checkbox][name="' + all.dataset.checkAll + '"]').forEach(function (c) {
        c.checked = all.checked;
      });
    });
  });

  // A select with data-shows="id" shows the element #id while the selected
  // option has data-needs (the lost reason of a lost outcome), and makes
  // its inputs required then.
  document.querySelectorAll("select[data-shows]").forEach(function (sel) {
    var target = document.getElementById(sel.dataset.shows);
    if (!target) { return; }
    function sync() {
      var opt = sel.options[sel.selectedIndex];
      var on = !!(opt && opt.hasAttribute("data-needs"));
      target.hidden = !on;
      target.querySelectorAll("input, textarea").forEach(function (i) { i.required = on; });
    }
    sel.addEventListener("change", sync);
    sync();
  });
})();
