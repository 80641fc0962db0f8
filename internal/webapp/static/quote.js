// Embudo's staff web app: the live totals of a quote's form
// (templates/quote.html, form[data-quote]). As the person types, each
// line's net, tax and total and the quote's sums are worked out the way
// the domain works them out (crm.QuoteLine.Compute, crm.QuoteTotals):
// whole cents, thousandths of a unit and basis points in BigInt, rounded
// half away from zero once per line. The figures the server saves are the
// truth; these only show them early. The quote page's browser test checks
// that both agree.
"use strict";
(function () {
  var form = document.querySelector("form[data-quote]");
  if (!form) { return; }
  var en = document.documentElement.lang === "en";
  var DEC = en ? "." : ",", THOU = en ? "," : ".";
  var MAX = BigInt("9223372036854775807"), MIN = -MAX - BigInt(1);
  var ZERO = BigInt(0), ONE = BigInt(1), TWO = BigInt(2), HUNDRED = BigInt(100);
  var BP = BigInt(10000), MILLI_BP = BigInt(10000000);

  function count(s, c) { return s.split(c).length - 1; }

  // readDecimal reads a number as the page's language writes it into a
  // BigInt with scale decimals, or null: form_numbers.go's readDecimal.
  function readDecimal(s, scale) {
    s = s.replace(/[ \u00a0\u202f\t€%]/g, "");
    var neg = s.charAt(0) === "-";
    if (neg) { s = s.slice(1); }
    var dots = count(s, "."), commas = count(s, ",");
    var group = "", point = "";
    if (dots > 0 && commas > 0) {
      point = s.lastIndexOf(".") > s.lastIndexOf(",") ? "." : ",";
      group = point === "." ? "," : ".";
    } else if (dots + commas > 0) {
      var c = commas > 0 ? "," : ".", i = s.indexOf(c);
      if (dots + commas > 1) {
        group = c;
      } else if (c === THOU && s.length - i - 1 === 3 && i >= 1 && i <= 3 && s.charAt(0) !== "0") {
        group = c;
      } else {
        point = c;
      }
    }
    if (point && count(s, point) > 1) { return null; }
    var intPart = s, frac = "", hasPoint = false;
    if (point) {
      var k = s.indexOf(point);
      intPart = s.slice(0, k); frac = s.slice(k + 1); hasPoint = true;
    }
    if (group) {
      var groups = intPart.split(group);
      if (groups[0].length < 1 || groups[0].length > 3) { return null; }
      for (var g = 1; g < groups.length; g++) {
        if (groups[g].length !== 3) { return null; }
      }
      intPart = groups.join("");
    }
    // crm.ParseDecimal: digits, and at most scale decimals after a point.
    if (!/^[0-9]+$/.test(intPart) || (hasPoint && !/^[0-9]+$/.test(frac)) || frac.length > scale) { return null; }
    while (frac.length < scale) { frac += "0"; }
    var v = BigInt(intPart + frac);
    if (neg) { v = -v; }
    if (v > MAX || v < MIN) { return null; }
    return v;
  }

  function saturate(x) { return x > MAX ? MAX : (x < MIN ? MIN : x); }

  // divRoundHalfAway is num / den rounded half away from zero (den > 0).
  function divRoundHalfAway(num, den) {
    var q = num / den, r = num % den; // BigInt division truncates toward zero
    if (r < ZERO) { r = -r; }
    if (TWO * r >= den) { q += num < ZERO ? -ONE : ONE; }
    return q;
  }

  // compute is crm.QuoteLine.Compute.
  function compute(qty, price, disc, tax) {
    var net = divRoundHalfAway(qty * price * (BP - disc), MILLI_BP);
    var t = divRoundHalfAway(net * tax, BP);
    return { net: saturate(net), tax: saturate(t), total: saturate(net + t) };
  }

  // money writes cents as the template function money does.
  function money(c) {
    var neg = c < ZERO;
    if (neg) { c = -c; }
    var units = (c / HUNDRED).toString(), rest = (c % HUNDRED).toString();
    if (rest.length < 2) { rest = "0" + rest; }
    var b = "";
    for (var i = 0; i < units.length; i++) {
      if (i > 0 && (units.length - i) % 3 === 0) { b += THOU; }
      b += units.charAt(i);
    }
    var n = b + DEC + rest;
    if (en) { return (neg ? "-€" : "€") + n; }
    return (neg ? "-" : "") + n + "\u00a0€";
  }

  function field(row, name) { return row.querySelector('[data-field="' + name + '"]'); }
  function out(el, text) { if (el && el.textContent !== text) { el.textContent = text; } }

  // update works out every row and the sums, and writes them.
  function update() {
    var sub = ZERO, tax = ZERO, known = true;
    form.querySelectorAll("tr[data-line]").forEach(function (row) {
      var desc = field(row, "description").value.trim(), priceText = field(row, "price").value.trim();
      var removed = field(row, "remove").checked;
      var texts = { net: "", tax: "", total: "" };
      if (!(desc === "" && priceText === "") && !removed) {
        var num = function (name, scale, empty) {
          var s = field(row, name).value.trim();
          return s === "" && empty ? ZERO : readDecimal(s, scale);
        };
        var q = num("quantity", 3, false), p = num("price", 2, true), d = num("discount", 2, true), t = num("tax", 2, true);
        if (q === null || p === null || d === null || t === null) {
          known = false;
          texts = { net: "—", tax: "—", total: "—" };
        } else {
          var l = compute(q, p, d, t);
          sub = saturate(sub + l.net); tax = saturate(tax + l.tax);
          texts = { net: money(l.net), tax: money(l.tax), total: money(l.total) };
        }
      }
      ["net", "tax", "total"].forEach(function (k) { out(row.querySelector('[data-out="' + k + '"]'), texts[k]); });
    });
    out(form.querySelector('[data-sum="subtotal"]'), known ? money(sub) : "—");
    out(form.querySelector('[data-sum="tax"]'), known ? money(tax) : "—");
    out(form.querySelector('[data-sum="total"]'), known ? money(saturate(sub + tax)) : "—");
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
})();
