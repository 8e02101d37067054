/**
 * Markdown to terminal text with marked + marked-terminal. Kept apart from render.ts because
 * marked-terminal loads a syntax highlighter: commands that never print a lesson (status,
 * check) must not pay for it at start-up.
 */
import { stripVTControlCharacters } from 'node:util';
import { Marked, type Tokens } from 'marked';
import { markedTerminal } from 'marked-terminal';
import { colorEnabled } from './render.js';

export interface TerminalOptions {
  /** Colours and styles; false gives plain text with no escape sequences at all. */
  color?: boolean;
  /** Wrap paragraphs at this width (code blocks are never wrapped). */
  width?: number;
}

const identity = (s: string): string => s;
const COLON_MARKER = '*#COLON|*';
const PLAIN_STYLES = Object.fromEntries(
  ['code', 'blockquote', 'html', 'heading', 'firstHeading', 'hr', 'listitem', 'table', 'paragraph', 'strong', 'em', 'codespan', 'del', 'link', 'href'].map((k) => [k, identity]),
);

/** Markdown → text for a terminal, via marked + marked-terminal. */
export function toTerminal(markdown: string, options: TerminalOptions = {}): string {
  const color = options.color ?? colorEnabled();
  const width = options.width && options.width > 0 ? options.width : 80;
  const marked = new Marked();
  marked.use(
    markedTerminal({
      ...(color ? {} : PLAIN_STYLES),
      width,
      reflowText: true,
      // Without colour the `#` prefixes are what shows a heading is a heading.
      showSectionPrefix: !color,
      emoji: false,
      tab: 2,
    }),
  );
  // marked-terminal prints a tight list item's text token raw, so `code` and **bold** inside
  // list items would show their markdown; parse their inline tokens as marked itself does.
  marked.use({
    renderer: {
      text(token) {
        if ('tokens' in token && token.tokens) return this.parser.parseInline(token.tokens);
        // A loose list item's text comes back rendered already, wrapped by marked in an `escaped`
        // text token; marked-terminal's own text renderer would strip its colour codes' ESC
        // characters and leave `[33m…[39m` on the screen.
        if ('escaped' in token && token.escaped) return token.text;
        return false;
      },
      // A table wider than the terminal wraps into unreadable boxes: show it row by row instead,
      // each row's first cell as a label and the other cells under their column names.
      table(token) {
        const cellWidth = (i: number) => Math.max(...[token.header[i], ...token.rows.map((r) => r[i])].map((c) => c?.text.length ?? 0));
        const total = token.header.reduce((sum, _h, i) => sum + cellWidth(i) + 3, 1);
        if (total <= width) return false;
        const inline = (cell: Tokens.TableCell | undefined) => (cell ? this.parser.parseInline(cell.tokens) : '');
        const rows = token.rows.map((row) => {
          const lines = [inline(row[0])];
          row.slice(1).forEach((cell, i) => {
            const name = inline(token.header[i + 1]);
            lines.push(`  ${name ? `${name}: ` : ''}${inline(cell)}`);
          });
          return lines.join('\n');
        });
        // marked-terminal hides ':' in inline code behind a marker that only its own block
        // renderers put back; this block renderer has to do the same.
        return `${rows.join('\n\n').replaceAll(COLON_MARKER, ':')}\n\n`;
      },
    },
  });
  const out = marked.parse(markdown, { async: false });
  // marked-terminal still emits syntax highlighting and OSC 8 hyperlinks when the global
  // chalk level or the terminal allow them, whatever the styles say: strip for a hard guarantee.
  return color ? out : stripVTControlCharacters(out);
}
