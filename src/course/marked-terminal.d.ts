// marked-terminal 7 ships no types, and @types/marked-terminal (6.x) pins marked < 12, which
// would install a second, older marked next to ours. This covers the one call we make.
declare module 'marked-terminal' {
  import type { MarkedExtension } from 'marked';

  export interface TerminalRendererOptions {
    [style: string]: unknown;
    width?: number;
    reflowText?: boolean;
    showSectionPrefix?: boolean;
    emoji?: boolean;
    unescape?: boolean;
    tab?: number | string;
  }

  /** A marked extension that renders markdown for a terminal. */
  export function markedTerminal(options?: TerminalRendererOptions, highlightOptions?: Record<string, unknown>): MarkedExtension;
}
