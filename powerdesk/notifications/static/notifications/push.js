/* Web push subscription for the public site (no inline script: CSP).
 *
 * The partial notifications/includes/push_subscribe.html renders a form with
 * data-push-subscribe and the URLs and messages this script needs. Pressing the button asks
 * the browser for notification permission, subscribes with the site's VAPID key and posts the
 * subscription (PushSubscription.toJSON()) with the form's CSRF token. The service worker is
 * registered with scope "/" (its response carries Service-Worker-Allowed: /).
 *
 * Once subscribed, the (hidden) form data-push-test is shown: its button posts the
 * subscription's id to /notifications/push/test/, which queues a test notification for this
 * browser; the answer's message goes to the same status line. A subscription from an earlier
 * visit is posted again on load, so the button is offered then too.
 */
(function () {
  "use strict";

  const form = document.querySelector("form[data-push-subscribe]");
  if (!form) {
    return;
  }
  const status = form.querySelector("[data-push-status]");
  const button = form.querySelector("button[type=submit]");
  const data = form.dataset;
  const testForm = document.querySelector("form[data-push-test]");
  let lastId = null;

  function say(text) {
    if (status) {
      status.textContent = text || "";
    }
  }

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+")
      .replace(/_/g, "/");
    const raw = atob(padded);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function csrfToken() {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* Post a subscription (an object like PushSubscription.toJSON()); resolves to the reply. */
  async function send(subscription) {
    const body = Object.assign({}, subscription, {
      language: document.documentElement.lang || "zh-Hant",
    });
    const response = await fetch(data.subscribeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
    const reply = await response.json().catch(() => ({}));
    if (!response.ok) {
      say(reply.message || data.msgFailed);
      throw new Error("subscription refused: " + response.status);
    }
    say(data.msgDone);
    lastId = reply.id;
    if (testForm) {
      testForm.hidden = false;
    }
    return reply;
  }

  /* Ask the server to push a test notification to this browser's subscription. */
  async function sendTest() {
    const testData = testForm.dataset;
    const response = await fetch(testForm.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(lastId ? { id: lastId } : {}),
    });
    const reply = await response.json().catch(() => ({}));
    say(reply.message || (response.ok ? "" : testData.msgTestFailed));
    return { status: response.status, reply: reply };
  }

  async function subscribe() {
    const registration = await navigator.serviceWorker.ready;
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say(data.msgDenied);
      return null;
    }
    const keyResponse = await fetch(data.keyUrl, { credentials: "same-origin" });
    if (!keyResponse.ok) {
      say(data.msgUnavailable);
      return null;
    }
    const { publicKey } = await keyResponse.json();
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(publicKey),
    });
    return send(subscription.toJSON());
  }

  window.powerdeskPush = { send: send, subscribe: subscribe };

  if (testForm) {
    const testButton = testForm.querySelector("button[type=submit]");
    testForm.addEventListener("submit", (event) => {
      event.preventDefault();
      if (testButton.disabled) {
        return;
      }
      testButton.disabled = true;
      say(testForm.dataset.msgTestWorking);
      sendTest()
        .catch(() => say(testForm.dataset.msgTestFailed))
        .finally(() => {
          testButton.disabled = false;
        });
    });
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    say(data.msgUnsupported);
    if (button) {
      button.disabled = true;
    }
    return;
  }
  window.powerdeskPush.registration = navigator.serviceWorker
    .register(data.swUrl, { scope: "/" })
    .catch(() => say(data.msgUnsupported));

  /* Subscribed on an earlier visit: post it again (the server updates the same row and this
   * session may then send it a test notification), so the test button is shown. */
  navigator.serviceWorker.ready
    .then((registration) => registration.pushManager.getSubscription())
    .then((existing) => (existing ? send(existing.toJSON()) : null))
    .catch(() => null);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    say(data.msgWorking);
    subscribe().catch(() => say(data.msgFailed));
  });
})();
