import type { IncomingHttpHeaders } from 'node:http';

/**
 * CSRF guard for the console's changes. Any web page can make a browser send a POST to
 * localhost; only the console's own page sends it with the sandbox's own Origin. The host guard
 * has already refused foreign Host headers, so `http://<Host>` is the sandbox's origin here.
 */

/** Methods that change nothing; every other method must come from the console's own page. */
export const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The sandbox's own origin as the browser names it: `http://localhost:PORT`. */
export function ownOrigin(headers: IncomingHttpHeaders): string {
  return `http://${String(headers.host ?? '').toLowerCase()}`;
}

/**
 * Whether a changing request comes from the console's page: its Origin is the sandbox's own,
 * or, from a browser that sent no Origin, Sec-Fetch-Site says same-origin. An Origin that is
 * present and different (or "null") always loses.
 */
export function sameOriginRequest(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin !== undefined) return origin.toLowerCase() === ownOrigin(headers);
  return headers['sec-fetch-site'] === 'same-origin';
}
