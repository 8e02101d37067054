/**
 * The one HTML page of the console. Every view (repositories, create, detail) is drawn by
 * console.js into `<main>`; the page carries the facts and the words it needs as a JSON block,
 * so the script holds no text of its own and needs no extra request to start.
 */
import { REPOSITORY_NAME_PATTERN } from '../api/validate.js';
import { escapeHtml, pageHead } from '../../util/html.js';
import { pageText, type PageText } from './messages.js';

/** What the script starts with. */
export interface ConsoleData {
  region: string;
  accountId: string;
  /** `localhost:PORT`: the prefix of every repository URI. */
  registryHost: string;
  /** ECR's repository name pattern, the same string the API validates with. */
  repositoryNamePattern: string;
  text: PageText;
}

/** The data block for a sandbox. */
export function consoleData(input: Omit<ConsoleData, 'repositoryNamePattern' | 'text'>): ConsoleData {
  return { ...input, repositoryNamePattern: REPOSITORY_NAME_PATTERN, text: pageText };
}

/** The page's HTML for a sandbox. */
export function renderPage(data: ConsoleData): string {
  const t = data.text;
  return `${pageHead({ title: t.documentTitle, styles: ['/console/assets/console.css'], dataId: 'console-data', data, script: '/console/assets/console.js' })}<a class="skip-link" href="#main">${escapeHtml(t.skipToContent)}</a>
<header class="top-bar">
  <a class="brand" href="/" data-nav>${escapeHtml(t.serviceName)}</a>
  <span class="badge">${escapeHtml(t.sandboxBadge)}</span>
  <span class="top-facts">
    <span>${escapeHtml(t.regionLabel)}: <strong>${escapeHtml(data.region)}</strong></span>
    <span>${escapeHtml(t.accountLabel)}: <strong>${escapeHtml(data.accountId)}</strong></span>
  </span>
</header>
<div id="flash" class="flashbar"></div>
<main id="main" tabindex="-1"><p class="loading">${escapeHtml(t.loading)}</p></main>
</body>
</html>
`;
}
