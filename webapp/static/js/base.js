/* Every page (templates/base.html): the header's menu button on phones, and the question asked
 * before an irreversible action (a form with data-confirm="..." is sent only when confirmed). */
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
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
