/* Every page (templates/base.html): the header's menu button on phones, the language switch,
 * and the question asked before an irreversible action (a form with data-confirm="..." is sent
 * only when confirmed). */
(function () {
  "use strict";
  const toggle = document.querySelector(".bw-bar-toggle");
  const menu = document.getElementById("bw-menu");
  if (toggle && menu) {
    toggle.addEventListener("click", function () {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("bw-open", open);
    });
  }
  // the language switch: its buttons are type=button (a page's own form keeps the first submit
  // button of the page), so the choice is sent from here
  document.querySelectorAll(".bw-lang [data-lang]").forEach(function (button) {
    button.addEventListener("click", function () {
      const form = button.form;
      form.elements.namedItem("lang").value = button.getAttribute("data-lang");
      form.submit();
    });
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
