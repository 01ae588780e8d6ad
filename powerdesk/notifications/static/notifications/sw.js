/* powerdesk service worker: shows web push notifications.
 *
 * The payload (decrypted by the browser) is JSON {key, title, body, lang, url}. The key is the
 * notification's idempotency key: it is the notification's tag (a repeat replaces, never
 * stacks) and keys already shown are remembered in Cache Storage, so a message the server
 * sent twice (a retry after an unknown outcome) is shown once.
 */
"use strict";

const SEEN = "powerdesk-push-seen-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

async function seenBefore(key) {
  const cache = await caches.open(SEEN);
  const request = new Request("/__push_seen__/" + encodeURIComponent(key));
  if (await cache.match(request)) {
    return true;
  }
  await cache.put(request, new Response("1"));
  return false;
}

async function show(payload) {
  if (!payload || !payload.key) {
    return;
  }
  if (await seenBefore(payload.key)) {
    return;
  }
  await self.registration.showNotification(payload.title || "台電通知", {
    body: payload.body || "",
    tag: payload.key,
    lang: payload.lang === "en" ? "en" : "zh-Hant",
    data: { url: payload.url || "/", key: payload.key },
  });
}

self.addEventListener("push", (event) => {
  let payload = null;
  try {
    payload = event.data ? event.data.json() : null;
  } catch (error) {
    payload = null;
  }
  event.waitUntil(show(payload));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
