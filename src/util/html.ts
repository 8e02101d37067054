/** Putting values into HTML pages the server writes (the sandbox console, the classroom board). */

/** Text safe inside HTML elements and quoted attributes. */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** JSON that is safe inside a `<script>` element: no `</script>`, no HTML comment openers. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/**
 * The Content-Security-Policy of the workbook's pages: only the server's own script and style,
 * no framing (a page that deletes things must not be clickjackable), connections to the server only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The start of one of the workbook's pages, to `<body>`: its title, its stylesheets, its data
 * block (read by its script) and its module script, all served by the server itself.
 */
export function pageHead(o: { title: string; styles: string[]; dataId: string; data: unknown; script: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
<link rel="icon" href="data:,">
${o.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('\n')}
<script type="application/json" id="${escapeHtml(o.dataId)}">${scriptJson(o.data)}</script>
<script type="module" src="${escapeHtml(o.script)}"></script>
</head>
<body>
`;
}
