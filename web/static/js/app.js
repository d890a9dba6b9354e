// Progressive enhancements only: every page works without JavaScript.
(function () {
  "use strict";

  // What to ask before submitting: the clicked button's data-confirm, else the chosen
  // option's (a <select data-confirm-by-option>, where the consequence depends on the choice),
  // else the form's.
  function confirmMessage(form, submitter) {
    if (submitter && submitter.hasAttribute("data-confirm")) {
      return submitter.getAttribute("data-confirm");
    }
    var chosen = form.querySelector("select[data-confirm-by-option] option:checked");
    if (chosen && chosen.hasAttribute("data-confirm")) { return chosen.getAttribute("data-confirm"); }
    return form.getAttribute("data-confirm");
  }

  // <form data-confirm="..."> asks before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = confirmMessage(form, event.submitter);
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // Avoid accidental double submits (the server is idempotent anyway).
    if (form.hasAttribute("data-once")) {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      var buttons = form.querySelectorAll("button[type=submit]");
      window.setTimeout(function () {
        buttons.forEach(function (b) { b.disabled = true; });
      }, 0);
    }
  });

  // Nomination form: show only the specialty groups of the chosen committees.
  function filterSpecialties() {
    var boxes = document.querySelectorAll("input[name=committee_ids]");
    if (!boxes.length) { return; }
    var chosen = {};
    var any = false;
    boxes.forEach(function (b) { if (b.checked) { chosen[b.value] = true; any = true; } });
    document.querySelectorAll(".spec-group").forEach(function (group) {
      var keep = chosen[group.getAttribute("data-committee")] ||
        group.querySelector("input:checked") !== null;
      group.classList.toggle("hidden-by-filter", !keep);
    });
    var hint = document.getElementById("spec-hint");
    if (hint) { hint.hidden = any; }
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "committee_ids") { filterSpecialties(); }
    // <input type=checkbox data-check-all="NAME"> ticks or clears every checkbox NAME.
    var group = event.target.getAttribute("data-check-all");
    if (group) {
      document.querySelectorAll("input[type=checkbox][name='" + group + "']").forEach(function (b) {
        b.checked = event.target.checked;
      });
    }
    // Auto-submit filter selects marked data-autosubmit.
    if (event.target.hasAttribute("data-autosubmit")) { event.target.form.submit(); }
  });

  document.addEventListener("DOMContentLoaded", filterSpecialties);

  // Text areas with a server limit: "已输入 N / 500 字" under the field (maxlength stops typing).
  function updateCounter(counter) {
    var area = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!area) { return; }
    counter.textContent = "已输入 " + area.value.length + " / " + area.maxLength + " 字";
  }
  document.addEventListener("input", function (event) {
    var counter = document.querySelector('[data-counter-for="' + event.target.id + '"]');
    if (counter) { updateCounter(counter); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-counter-for]").forEach(updateCounter);
  });

  // File inputs with data-max-bytes: refuse a file over the server's limit before sending.
  document.addEventListener("change", function (event) {
    var input = event.target;
    var max = Number(input.getAttribute && input.getAttribute("data-max-bytes"));
    if (!max || !input.files || !input.files.length) { return; }
    var size = input.files[0].size;
    if (size > max) {
      var mb = function (n) { return (n / 1024 / 1024).toFixed(1) + " MB"; };
      input.setCustomValidity("文件过大（" + mb(size) + "），不能超过" + mb(max) + "，请拆分后再上传");
      input.reportValidity();
    } else {
      input.setCustomValidity("");
    }
  });
})();
