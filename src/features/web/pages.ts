import type { Refusal } from "./auth.ts";

/** Pure: the server-made pages (login, refusals). Everything interpolated is escaped. */

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Headers every dashboard response carries: no framing, no sniffing, scripts only from here. */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors https://web.telegram.org; form-action 'self'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  // Not no-referrer: with it a browser sends `Origin: null` on the page's own form posts.
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

function page(title: string, body: string, css: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Octopus</title><link rel="stylesheet" href="${escapeHtml(css)}"></head>
<body class="plain"><main class="card"><h1>🐙 ${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

export function htmlResponse(html: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS, ...headers },
  });
}

const NEW_LINK = "<p>Send <code>/web</code> to the bot in a private chat for a new link.</p>";

/** The link's page: a button, so a link preview fetching the address does not spend the link. */
export function loginPage(secret: string, userName: string, css: string): string {
  return page(
    "Log in to Octopus",
    `<p>This link logs <b>${escapeHtml(userName)}</b> in to the dashboard, once, within a minute of being sent.</p>
<form method="post" action="/web/login"><input type="hidden" name="t" value="${escapeHtml(secret)}">
<button type="submit" id="login" class="primary">Log in as ${escapeHtml(userName)}</button></form>`,
    css,
  );
}

/** Why a request was refused, for a person: a title, a sentence, the HTTP status. */
export function refusalOf(
  r: Refusal | { kind: "csrf" } | { kind: "admin-only" } | { kind: "bad-request"; detail: string },
): {
  status: number;
  title: string;
  text: string;
} {
  switch (r.kind) {
    case "link-unknown":
      return {
        status: 403,
        title: "This link is not valid",
        text: "It was not sent by this bot, or it was changed.",
      };
    case "link-used":
      return { status: 403, title: "This link was already used", text: "A login link works once." };
    case "link-expired":
      return { status: 403, title: "This link has expired", text: "A login link works for one minute." };
    case "no-role":
      return {
        status: 403,
        title: "Not allowed",
        text: "This Telegram account is not an admin or viewer of this bot.",
      };
    case "no-session":
      return { status: 401, title: "Not logged in", text: "Log in with a link from the bot." };
    case "session-unknown":
      return {
        status: 401,
        title: "Not logged in",
        text: "This browser's session is not one this bot made.",
      };
    case "session-expired":
      return { status: 401, title: "Session expired", text: "Sessions last a bounded time; log in again." };
    case "session-ended":
      return { status: 401, title: "Session ended", text: `This session was ended (${r.why}).` };
    case "init-data":
      return { status: 403, title: "Not allowed", text: `Telegram's login data was refused: ${r.reason}.` };
    case "csrf":
      return {
        status: 403,
        title: "Refused: not sent from the dashboard",
        text: "A request to change something must come from this dashboard's own page, not another site.",
      };
    case "admin-only":
      return { status: 403, title: "Admins only", text: "A viewer may look, not act." };
    case "bad-request":
      return { status: 400, title: "Bad request", text: r.detail };
  }
}

export function refusalPage(r: Parameters<typeof refusalOf>[0], css: string): Response {
  const { status, title, text } = refusalOf(r);
  const again = r.kind.startsWith("link") || r.kind.startsWith("session") || r.kind === "no-session";
  return htmlResponse(page(title, `<p>${escapeHtml(text)}</p>${again ? NEW_LINK : ""}`, css), status);
}
