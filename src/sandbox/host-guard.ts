/**
 * DNS-rebinding guard: a page on another site can make a browser send requests to
 * 127.0.0.1 under its own host name, so only loopback names (and an explicitly chosen
 * --host) are served.
 */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The host name of a Host header, without port or brackets' port. */
export function hostName(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 ? value.slice(0, end + 1) : value;
  }
  const colon = value.lastIndexOf(':');
  return colon >= 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

export function isLoopbackName(name: string): boolean {
  return LOOPBACK_NAMES.has(name) || /^127(\.\d{1,3}){3}$/.test(name);
}

/** Whether to serve a request with this Host header; `extraHost` is the --host the user chose. */
export function hostAllowed(hostHeader: string | undefined, extraHost?: string): boolean {
  if (!hostHeader) return false;
  const name = hostName(hostHeader);
  if (isLoopbackName(name)) return true;
  return !!extraHost && name === extraHost.toLowerCase();
}
