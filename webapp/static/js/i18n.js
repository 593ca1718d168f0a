/* The scripts' words, dates and numbers in the page's language.
 *
 * Every page loads /i18n/<lang>.js first (it sets window.bwCatalogue: the messages the scripts
 * use, translated), then this file, which defines the global `bw`:
 *
 *   bw.t("Sent")                          a message in the page's language (English if untranslated)
 *   bw.t("{n} waiting", {n: 3})           with values put in place
 *   bw.tn("{n} report", "{n} reports", n, {n: n})   with the plural form of n
 *   bw.formatDateTime(isoOrDate)          "7 ธ.ค. 2569 14:05" / "7 Dec 2026, 14:05" (Thai time)
 *   bw.formatDate(isoOrDate)              the day alone
 *   bw.formatNumber(n, digits)            grouped digits of the page's language
 *
 * The first argument of t and tn must be a string literal: pybabel finds the messages by it
 * (scripts/catalogue.sh). The same rules as the server's (webapp/i18n.py, local_time): Thai time,
 * Buddhist-era years in Thai.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.bw = Object.assign(root.bw || {}, factory(root.bwCatalogue, root.document));
  }
})(typeof self !== "undefined" ? self : this, function (catalogue, doc) {
  "use strict";
  const THAI_TIME = "Asia/Bangkok";
  const messages = (catalogue && catalogue.messages) || {};
  const locale =
    (catalogue && catalogue.language) ||
    (doc && doc.documentElement && doc.documentElement.lang) ||
    "th";

  /** Put values in place of {name}; unknown names stay as written. */
  function fill(text, values) {
    if (!values) return text;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function t(message, values) {
    const found = messages[message];
    return fill(typeof found === "string" ? found : message, values);
  }

  /** Index of the plural form of n: Thai, Lao and Khmer have one form; English two. */
  function pluralIndex(n) {
    if (locale === "en") return n === 1 ? 0 : 1;
    return 0;
  }

  function tn(singular, plural, n, values) {
    const found = messages[singular];
    const forms = Array.isArray(found) ? found : [singular, plural];
    const text = forms[Math.min(pluralIndex(n), forms.length - 1)];
    return fill(text, values || { n: n });
  }

  function intlLocale() {
    return locale === "th" ? "th-TH-u-ca-buddhist" : locale === "en" ? "en-GB" : locale;
  }

  function toDate(value) {
    const when = value instanceof Date ? value : new Date(value);
    return isNaN(when.getTime()) ? null : when;
  }

  function formatDateTime(value) {
    const when = toDate(value);
    if (!when) return "–";
    const day = formatDate(when);
    const time = new Intl.DateTimeFormat(intlLocale(), {
      timeZone: THAI_TIME,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(when);
    return locale === "th" ? day + " " + time : day + ", " + time;
  }

  function formatDate(value) {
    const when = toDate(value);
    if (!when) return "–";
    return new Intl.DateTimeFormat(intlLocale(), {
      timeZone: THAI_TIME,
      day: "numeric",
      month: "short",
      year: "numeric",
    })
      .format(when)
      .replace(/^(\d+) (\S+) (พ\.ศ\. )?/, "$1 $2 ");
  }

  function formatNumber(n, digits) {
    return new Intl.NumberFormat(locale === "th" ? "th-TH" : "en-GB", {
      maximumFractionDigits: digits === undefined ? 0 : digits,
      minimumFractionDigits: digits === undefined ? 0 : digits,
    }).format(n);
  }

  return {
    locale: locale,
    t: t,
    tn: tn,
    formatDateTime: formatDateTime,
    formatDate: formatDate,
    formatNumber: formatNumber,
  };
});
