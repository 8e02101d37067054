/**
 * The board's one HTML page. board.js draws everything into `<main>` from the server-sent
 * events; the page carries only its words as a JSON block. Styles are the sandbox console's
 * (console.css) plus the grid's own (board.css), all served by the classroom itself.
 */
import { escapeHtml, scriptJson } from '../util/html.js';
import { boardText } from './messages.js';

/** The page's HTML. */
export function renderBoardPage(): string {
  const t = boardText;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.documentTitle)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/console.css">
<link rel="stylesheet" href="/assets/board.css">
<script type="application/json" id="board-data">${scriptJson({ text: t })}</script>
<script type="module" src="/assets/board.js"></script>
</head>
<body>
<a class="skip-link" href="#main">${escapeHtml(t.skipToContent)}</a>
<header class="top-bar">
  <span class="brand">${escapeHtml(t.serviceName)}</span>
  <span class="badge" id="room-kind"></span>
  <span class="top-facts">
    <span>${escapeHtml(t.codeLabel)}: <strong id="room-code"></strong></span>
    <span id="connection" role="status">${escapeHtml(t.loading)}</span>
  </span>
</header>
<main id="main" tabindex="-1"><p class="loading">${escapeHtml(t.loading)}</p></main>
</body>
</html>
`;
}
