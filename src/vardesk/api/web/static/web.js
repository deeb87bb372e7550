/* Vardesk web application: the CSRF header on every htmx request, and the idle-session warning.
   No inline script anywhere: this file is loaded by every page. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
  });

  /* Idle timeout: the server ends a session after data-idle-seconds without a request. A minute before,
     a dialog offers to stay signed in (one request to /session/keepalive); at the end, the sign-in page. */
  var idleSeconds = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
  if (!idleSeconds) {
    return;
  }
  var warnBefore = Math.min(60, Math.floor(idleSeconds / 2));
  var lastActivity = Date.now();
  var dialog = null;
  var left = null;

  function resetTimer() {
    lastActivity = Date.now();
    if (dialog && !dialog.hidden) {
      dialog.hidden = true;
    }
  }

  function keepAlive() {
    var request = new XMLHttpRequest();
    request.open("POST", "/session/keepalive");
    request.setRequestHeader("X-CSRF-Token", csrfToken());
    request.onload = function () {
      if (request.status === 204) {
        resetTimer();
      } else {
        window.location.assign("/?ended=1");
      }
    };
    request.send();
  }

  function tick() {
    var idle = (Date.now() - lastActivity) / 1000;
    var remaining = Math.max(0, Math.ceil(idleSeconds - idle));
    if (remaining <= 0) {
      window.location.assign("/?ended=1");
      return;
    }
    if (remaining <= warnBefore && dialog) {
      if (dialog.hidden) {
        dialog.hidden = false;
        var stay = document.getElementById("idle-stay");
        if (stay) {
          stay.focus();
        }
      }
      if (left) {
        left.textContent = String(remaining);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    dialog = document.getElementById("idle-warning");
    left = document.getElementById("idle-left");
    var stay = document.getElementById("idle-stay");
    if (stay) {
      stay.addEventListener("click", keepAlive);
    }
    window.setInterval(tick, 1000);
  });
  /* a request to the server restarts its idle time, and so restarts ours */
  document.addEventListener("htmx:afterRequest", resetTimer);
})();
