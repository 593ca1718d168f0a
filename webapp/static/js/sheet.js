/* borderwatch patrol sheet: the "Print" button (no inline script under the CSP). */
(function () {
  "use strict";
  var button = document.getElementById("print-sheet");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
