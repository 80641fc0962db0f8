// Embudo's staff web app: the script of the notes, files and timeline
// blocks (templates/_blocks.html). It uploads a file straight to the URL
// the server hands out, with a progress bar, and asks before deleting.
"use strict";
(function () {
  // A form with data-confirm="question" is sent only when the person
  // agrees.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (!window.confirm(f.dataset.confirm)) { ev.preventDefault(); }
    });
  });

  // A form with data-upload uploads its file in three steps: POST the
  // file's name, size and type to the form's action (with the CSRF token
  // in its header), PUT the bytes to the URL answered, POST to the
  // answer's "done" URL; then show the parent's page again.
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var button = form.querySelector("[data-upload-button]");
    var bar = form.querySelector("[data-upload-progress]");
    var error = form.querySelector("[data-upload-error]");
    var status = form.querySelector("[data-upload-status]");
    var csrf = form.querySelector("input[name=_csrf]").value;
    button.hidden = false;

    function fail(message) {
      error.textContent = message || form.dataset.failed;
      error.hidden = false;
      status.textContent = "";
      bar.hidden = true;
      button.disabled = false;
    }

    // post sends fields to url as a form, and calls back with the JSON
    // answer, or fails with its message.
    function post(url, fields, then) {
      var body = new URLSearchParams(fields);
      fetch(url, { method: "POST", body: body, credentials: "same-origin",
                   headers: { "X-CSRF-Token": csrf, "Accept": "application/json" } })
        .then(function (res) {
          return res.json().catch(function () { return {}; }).then(function (j) {
            if (!res.ok) {
              var m = j.message || form.dataset.failed;
              if (j.fields) { m += " " + Object.keys(j.fields).map(function (k) { return j.fields[k]; }).join(" "); }
              fail(m);
              return;
            }
            then(j);
          });
        })
        .catch(function () { fail(); });
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = input.files && input.files[0];
      error.hidden = true;
      if (!file) { fail(form.dataset.pick); return; }
      button.disabled = true;
      status.textContent = form.dataset.uploading;
      bar.value = 0;
      bar.hidden = false;
      var fields = { parentKind: form.elements.parentKind.value, parentId: form.elements.parentId.value,
                     name: file.name, size: String(file.size), contentType: file.type || "application/octet-stream" };
      post(form.action, fields, function (up) {
        var xhr = new XMLHttpRequest();
        xhr.open("PUT", up.url);
        Object.keys(up.headers || {}).forEach(function (h) { xhr.setRequestHeader(h, up.headers[h]); });
        xhr.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
        });
        xhr.addEventListener("load", function () {
          if (xhr.status < 200 || xhr.status >= 300) { fail(); return; }
          bar.value = 100;
          post(up.done, {}, function (done) {
            status.textContent = form.dataset.done;
            window.location.assign(done.back + "?uploaded=" + encodeURIComponent(done.id) + "#files");
          });
        });
        xhr.addEventListener("error", function () { fail(); });
        xhr.send(file);
      });
    });
  });
})();
