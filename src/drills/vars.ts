/**
 * The placeholders a drill's text may use, and how their values are filled: the same `{{name}}`
 * syntax as lessons, with the drill's own names (its repository, its CI user and profiles, its
 * folder), plus any a drill's setup declares in `vars:`.
 */
import { PLACEHOLDER_PATTERN, renderCommand, renderMarkdown, type MarkdownFill } from '../course/render.js';
import { shellQuote } from '../util/shell.js';

/** Placeholders every drill may use. */
export const DRILL_PLACEHOLDERS = ['registry', 'region', 'account', 'repo', 'uri', 'user', 'userArn', 'profile', 'adminProfile', 'dir'] as const;

export type DrillVars = Record<string, string>;

/** The placeholder names a text uses, in order (duplicates kept). */
export function drillPlaceholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1] ?? '');
}

/** Fills `{{placeholders}}` (shell-quoted with `quote`); throws for a name without a value. */
export function renderDrillText(text: string, vars: DrillVars, options: { quote?: boolean } = {}): string {
  return text.replace(PLACEHOLDER_PATTERN, (_m, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`the drill text uses {{${name}}}, which has no value (known: ${Object.keys(vars).join(', ')})`);
    return options.quote ? shellQuote(value) : value;
  });
}

/** How a drill's words are rendered: its values, and `--endpoint-url` where the aws CLI needs it. */
export function drillFill(vars: DrillVars, endpointUrl?: string): MarkdownFill {
  return { fill: (text, options) => renderDrillText(text, vars, options), ...(endpointUrl ? { endpointUrl } : {}) };
}

/** A command ready to run: values quoted, and `--endpoint-url` where the learner's aws CLI needs it. */
export function renderDrillCommand(command: string, vars: DrillVars, endpointUrl?: string): string {
  return renderCommand(command, drillFill(vars, endpointUrl));
}

/** Markdown (story, hint, post-mortem) for one learner: commands in code rendered as commands. */
export function renderDrillMarkdown(markdown: string, vars: DrillVars, endpointUrl?: string): string {
  return renderMarkdown(markdown, drillFill(vars, endpointUrl));
}
