// Upload progress for the portal's file forms (progressive enhancement: without this script
// the forms post as usual). A file over the size limit is refused before anything is sent; the
// others go with XMLHttpRequest so that a <progress> bar shows how much has been sent, then
// the page the server answered (after its redirect) is shown.
(function () {
  "use strict";
  function megabytes(n) { return (n / 1048576).toFixed(1).replace(".", ",") + " MB"; }
  document.querySelectorAll("form.upload-form").forEach(function (form) {
    var limit = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
    var box = form.querySelector(".upload-progress");
    var bar = box && box.querySelector("progress");
    var text = box && box.querySelector(".upload-progress__text");
    var problem = form.querySelector(".upload-error");
    var clicked = null;
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[type=submit]");
      if (button) { clicked = button; }
    });
    form.addEventListener("submit", function (event) {
      var files = [];
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (f) { files.push(f); });
      });
      if (!files.length || !window.FormData || !bar) { return; }  // nothing to upload: a plain post
      var tooBig = files.filter(function (f) { return limit && f.size > limit; });
      if (tooBig.length) {
        event.preventDefault();
        problem.textContent = "Tệp “" + tooBig[0].name + "” (" + megabytes(tooBig[0].size) + ") lớn hơn " +
          form.getAttribute("data-max-size") + ": vui lòng chọn tệp nhỏ hơn (quét ở độ phân giải thấp hơn hoặc tách thành nhiều tệp).";
        problem.hidden = false;
        problem.setAttribute("tabindex", "-1");
        problem.focus();
        return;
      }
      event.preventDefault();
      var data = new FormData(form);
      if (clicked && clicked.name) { data.append(clicked.name, clicked.value); }
      var request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action") || window.location.href);
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var percent = Math.round((e.loaded / e.total) * 100);
          bar.value = percent;
          text.textContent = percent + "% (" + megabytes(e.loaded) + " / " + megabytes(e.total) + ")";
        }
      });
      request.addEventListener("load", function () {
        // The server answered a page (the next step after its redirect, or this step with the
        // problems found): show that page.
        if (request.responseURL && request.status < 400) {
          window.location.assign(request.responseURL);
          return;
        }
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () {
        box.hidden = true;
        problem.textContent = "Mất kết nối khi tải tệp lên. Những gì đã lưu vẫn còn trong hồ sơ nháp; vui lòng thử lại.";
        problem.hidden = false;
      });
      problem.hidden = true;
      box.hidden = false;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      request.send(data);
    });
  });
})();
