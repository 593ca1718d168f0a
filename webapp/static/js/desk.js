// The MWCC desk's receipt slip (templates/desk/slip.html): its "Print" button. No inline
// script (the CSP).
(function () {
  "use strict";
  const button = document.getElementById("print-slip");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
}());
