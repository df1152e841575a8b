/**
 * `/modal/btcpay.js`: the `window.btcpay` API that shop pages written for BTCPay Server's modal
 * checkout call (the WooCommerce plugin: `setApiUrlPrefix`, `showInvoice`, `onModalReceiveMessage`,
 * `onModalWillEnter`, `onModalWillLeave`, `hideFrame`). It behaves as BTCPay's script does:
 *
 * - one full-screen iframe named `btcpay`, loading `{prefix}/invoice?id={id}&view=modal`, kept hidden
 *   until the framed page posts `'loaded'`, removed when it posts `'close'` or `hideFrame()` is called;
 * - the prefix defaults to where this script was loaded from, `setApiUrlPrefix` overrides it;
 * - every accepted message reaches the `onModalReceiveMessage` callback as the MessageEvent itself
 *   (`event.data` is `'loaded'`, `'close'` or `{ invoiceId, status }`), after the script acted on it.
 *
 * Stricter than BTCPay's: a message is accepted only from the iframe's own window and only when its
 * origin equals the prefix's origin exactly (BTCPay compares by string prefix).
 *
 * Written by hand as ES5 so it runs on any shop page, without a build step.
 */
export const BTCPAY_JS = `/* btpay: BTCPay Server-compatible modal checkout (window.btcpay). */
(function () {
  "use strict";
  if (window.btcpay) {
    if (window.console) window.console.warn("btcpay.js was loaded twice; the first one stays in charge.");
    return;
  }
  var SCRIPT = /\\/modal\\/btcpay\\.js(\\?.*)?$/;
  var src = document.currentScript ? document.currentScript.src : "";
  var prefix = SCRIPT.test(src) ? src.replace(SCRIPT, "") : "";
  var frame = null;
  var showing = false;
  var noop = function () {};
  var onEnter = noop;
  var onLeave = noop;
  var onMessage = noop;

  function prefixOrigin() {
    try {
      return new URL(prefix, window.location.href).origin;
    } catch (e) {
      return null;
    }
  }

  function createFrame() {
    var f = document.createElement("iframe");
    f.name = "btcpay";
    f.title = "Bitcoin checkout";
    f.setAttribute("allow", "clipboard-write");
    var s = f.style;
    s.display = "none";
    s.border = "0";
    s.position = "fixed";
    s.top = "0";
    s.left = "0";
    s.width = "100%";
    s.height = "100%";
    s.zIndex = "2000";
    return f;
  }

  function attach() {
    if (!frame) frame = createFrame();
    if (!frame.parentNode) document.body.appendChild(frame);
  }

  function showFrame() {
    attach();
    onEnter();
    frame.style.display = "block";
  }

  function hideFrame() {
    onLeave();
    showing = false;
    if (frame) {
      frame.style.display = "none";
      if (frame.parentNode) frame.parentNode.removeChild(frame);
    }
  }

  function showInvoice(invoiceId, params) {
    showing = true;
    attach();
    var url = prefix + "/invoice?id=" + encodeURIComponent(invoiceId) + "&view=modal";
    if (params && params.animateEntrance === false) url += "&animateEntrance=false";
    frame.src = url;
  }

  function receive(event) {
    if (!showing || !frame || event.source !== frame.contentWindow || event.origin !== prefixOrigin()) return;
    var data = event.data;
    if (data === "close") hideFrame();
    else if (data === "loaded") showFrame();
    else if (data && typeof data.open === "string" && data.open.indexOf("bitcoin:") === 0) window.location.href = data.open;
    onMessage(event);
  }

  function setter(assign) {
    return function (fn) {
      if (typeof fn === "function") assign(fn);
    };
  }

  window.addEventListener("message", receive, false);
  window.btcpay = {
    setApiUrlPrefix: function (url) {
      prefix = String(url).replace(/\\/+$/, "");
    },
    showInvoice: showInvoice,
    appendInvoiceFrame: showInvoice,
    appendAndShowInvoiceFrame: function (invoiceId, params) {
      showInvoice(invoiceId, params);
      showFrame();
    },
    showFrame: showFrame,
    hideFrame: hideFrame,
    onModalWillEnter: setter(function (fn) { onEnter = fn; }),
    onModalWillLeave: setter(function (fn) { onLeave = fn; }),
    onModalReceiveMessage: setter(function (fn) { onMessage = fn; })
  };
})();
`;
