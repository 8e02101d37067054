/**
 * The board's one HTML page. board.js draws everything into `<main>` from the server-sent
 * events; the page carries only its words as a JSON block. Styles are the sandbox console's
 * (console.css) plus the grid's own (board.css), all served by the classroom itself.
 */
import { escapeHtml, pageHead } from '../util/html.js';
import { boardText } from './messages.js';

/** The page's HTML. */
export function renderBoardPage(): string {
  const t = boardText;
  return `${pageHead({ title: t.documentTitle, styles: ['/assets/console.css', '/assets/board.css'], dataId: 'board-data', data: { text: t }, script: '/assets/board.js' })}<a class="skip-link" href="#main">${escapeHtml(t.skipToContent)}</a>
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
