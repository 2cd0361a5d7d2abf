// Who may see the console and act through it. As for the HTTP API: on loopback anyone on this
// machine; off loopback only with the token, on every page, asset, event stream and action.
// A browser cannot put a bearer token on a page load or an EventSource, so `?token=` is traded
// once for an HttpOnly, SameSite=Strict cookie. Actions are refused cross-site: they need a
// header a cross-site form cannot send without a CORS preflight (never granted here), a JSON
// body, and an Origin (when the browser sends one) naming this server.

import { timingSafeEqual } from "node:crypto";
import type http from "node:http";

import { parse as parseCookies, serialize as setCookie } from "cookie";

export const COOKIE = "durable_console";
export const ACTION_HEADER = "x-durable-console";

export interface Refusal {
  status: number;
  message: string;
  /** Set for the token exchange: answer 303 to this location with this cookie. */
  redirect?: { location: string; cookie: string };
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i;

function same(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(req: http.IncomingMessage, name: string): string | undefined {
  return parseCookies(req.headers.cookie ?? "")[name];
}

export class ConsoleGuard {
  constructor(
    private readonly token: string | undefined,
    /** Bound to a loopback address: the Host header must name loopback too (DNS rebinding). */
    private readonly loopback: boolean,
  ) {}

  /** Undefined when the request may be served. */
  check(req: http.IncomingMessage, url: URL): Refusal | undefined {
    const host = req.headers.host ?? "";
    if (this.loopback && !LOOPBACK_HOST.test(host)) {
      return { status: 403, message: `Host ${JSON.stringify(host)} is not a loopback name: this console answers on loopback only` };
    }
    if (this.token !== undefined) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
      const offered = url.searchParams.get("token");
      if (offered !== null && req.method === "GET") {
        if (!same(offered, this.token)) return { status: 401, message: "the token in the link is not this console's token" };
        url.searchParams.delete("token");
        const location = url.pathname + (url.search || "");
        return { status: 303, message: "signed in", redirect: { location, cookie: setCookie(COOKIE, offered, { httpOnly: true, sameSite: "strict", path: "/" }) } };
      }
      if (!same(bearer, this.token) && !same(cookie(req, COOKIE), this.token)) {
        return { status: 401, message: "this console needs its token: open it with ?token=<token> once, or send Authorization: Bearer <token>" };
      }
    }
    if (req.method !== "GET" && req.method !== "HEAD") return this.checkAction(req, host);
    return undefined;
  }

  private checkAction(req: http.IncomingMessage, host: string): Refusal | undefined {
    if (req.headers[ACTION_HEADER] !== "1") {
      return { status: 403, message: `actions need the ${ACTION_HEADER}: 1 header (cross-site requests are refused)` };
    }
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/json") return { status: 415, message: `actions take a JSON body (Content-Type application/json), not ${JSON.stringify(type)}` };
    const site = req.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin" && site !== "none") return { status: 403, message: `cross-site action refused (Sec-Fetch-Site ${site})` };
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
      return { status: 403, message: `cross-site action refused: Origin ${origin} is not this console (${host})` };
    }
    return undefined;
  }
}
