/**
 * Turns lesson text into what a learner copies and pastes: placeholders filled for their target,
 * target-specific blocks chosen, and `--endpoint-url` added where their aws CLI needs it.
 */
import type { ContainerClient } from '../docker/client.js';
import { registryBaseUrl } from '../docker/registry.js';
import { shellQuote } from '../util/shell.js';
import * as messages from './messages.js';
import type { Step } from './schema.js';
import { solutionFor, type Target } from './target.js';
import { PLACEHOLDERS, SANDBOX_PLACEHOLDERS, type TemplateVars } from './vars.js';
import type { Lesson } from './load.js';

/**
 * `{{name}}` with an identifier inside. Go templates in docker commands (`{{.Id}}`,
 * `{{index .RepoDigests 0}}`) never match because they always carry a dot or a space.
 */
export const PLACEHOLDER_PATTERN = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** What a learner's commands are rendered for. */
export interface RenderContext {
  target: Target;
  vars: TemplateVars;
  /**
   * The sandbox endpoint, set only when the learner's aws CLI ignores `AWS_ENDPOINT_URL_*`
   * (v1 < 1.29, v2 < 2.13): then every `aws ecr`/`sts`/`iam`/`ecs` command carries `--endpoint-url`.
   */
  endpointUrl?: string;
  /** The learner's container client; lessons are written for docker and rendered for podman. Default docker. */
  client?: ContainerClient;
}

/** A template used a placeholder that does not exist, or one with no value for this target. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly placeholder: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const KNOWN = new Set<string>([...PLACEHOLDERS, ...SANDBOX_PLACEHOLDERS]);

/** The placeholder names a text uses, in order of appearance (duplicates kept). */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1] ?? '');
}

/** Whether `name` is a placeholder lessons may use at all. */
export function isKnownPlaceholder(name: string): boolean {
  return KNOWN.has(name);
}

export interface TemplateOptions {
  /** Shell-quote values that need it (a path with a space), for text that is a command. */
  quote?: boolean;
}

/** Fills `{{placeholders}}`; throws TemplateError for an unknown one or one without a value. */
export function renderTemplate(text: string, vars: TemplateVars, options: TemplateOptions = {}): string {
  return text.replace(PLACEHOLDER_PATTERN, (_match, name: string) => {
    if (!KNOWN.has(name)) throw new TemplateError(messages.unknownPlaceholder(name, PLACEHOLDERS), name);
    const value = (vars as Partial<Record<string, string>>)[name];
    if (value === undefined) throw new TemplateError(messages.placeholderWithoutValue(name), name);
    return options.quote ? shellQuote(value) : value;
  });
}

/**
 * Where a command starts: at a line start, after `|`, `||`, `&&`, `;`, `(`, `{`, `$(` or a
 * backtick, after the shell words that run one (`for …; do docker push …; done`, `then`,
 * `else`), or as an item of a YAML list (a buildspec's `- aws ecr …` that a heredoc writes). One
 * capture group: what came before.
 */
const COMMAND_START = String.raw`(^[ \t]*-(?=[ \t])|^|[|;&({\`]|\$\(|\b(?:do|then|else)(?=[ \t]))`;
/**
 * The blanks before a command's name, and the shell's `!` that inverts its exit status (`&& !
 * docker push …`: a push the lesson wants refused). One capture group.
 */
const COMMAND_LEAD = String.raw`([ \t]*(?:![ \t]+)?)`;

/**
 * `aws ecr` / `aws sts` / `aws iam` / `aws ecs` where a command starts: covers `aws ecr get-login-password … |
 * docker login …` and `for k in …; do aws iam …; done` (the sandbox serves all four on its one endpoint).
 */
const AWS_COMMAND = new RegExp(String.raw`${COMMAND_START}${COMMAND_LEAD}aws[ \t]+(ecr|sts|iam|ecs)(?=[ \t]|\\?$)`, 'gm');
/** The rest of one simple command: up to the next pipe, list operator or unescaped newline. */
const COMMAND_REST = /^(?:\\\r?\n|[^|;&\n])*/;

/** Adds `--endpoint-url <url>` right after `aws ecr`/`sts`/`iam`/`ecs` in every command of `text` that lacks one. */
export function insertEndpointUrl(text: string, endpointUrl: string): string {
  const url = shellQuote(endpointUrl);
  return text.replace(AWS_COMMAND, (match, lead: string, space: string, service: string, offset: number) => {
    const rest = COMMAND_REST.exec(text.slice(offset + match.length))?.[0] ?? '';
    if (/(^|\s)--endpoint-url(\s|=|$)/.test(rest)) return match;
    return `${lead}${space}aws ${service} --endpoint-url ${url}`;
  });
}

/** `docker` where a command starts (the same places as `aws ecr` above). */
const DOCKER_COMMAND = new RegExp(String.raw`${COMMAND_START}${COMMAND_LEAD}docker(?=[ \t]|\\?$)`, 'gm');
/** A podman command that talks to a registry, where a command starts. */
const PODMAN_REGISTRY_COMMAND = new RegExp(String.raw`${COMMAND_START}${COMMAND_LEAD}podman[ \t]+(login|push|pull)(?=[ \t]|\\?$)`, 'gm');

/**
 * Docker commands as a Podman learner types them: `docker` becomes `podman` where a command
 * starts, and `podman login|push|pull` on a plain-HTTP registry (the sandbox's `localhost:PORT`)
 * gets `--tls-verify=false`, which Podman needs there and docker does not (it allows plain HTTP
 * for localhost by itself). Other hosts (real ECR) keep their commands as they are. A rule, so
 * every lesson, hint, solution and fix renders the same way.
 */
export function renderForClient(text: string, client: ContainerClient | undefined, plainHttpHost?: string): string {
  if (client !== 'podman') return text;
  const podman = text.replace(DOCKER_COMMAND, (_match, lead: string, space: string) => `${lead}${space}podman`);
  if (!plainHttpHost) return podman;
  const names = variablesNaming(podman, plainHttpHost);
  const reachesHost = (rest: string) =>
    rest.includes(plainHttpHost) || names.some((name) => new RegExp(String.raw`\$(${name}\b|\{${name}\})`).test(rest));
  return podman.replace(PODMAN_REGISTRY_COMMAND, (match, lead: string, space: string, verb: string, offset: number) => {
    const rest = COMMAND_REST.exec(podman.slice(offset + match.length))?.[0] ?? '';
    if (!reachesHost(rest) || /(^|\s)--tls-verify(\s|=|$)/.test(rest)) return match;
    return `${lead}${space}podman ${verb} --tls-verify=false`;
  });
}

/**
 * Variables `text` sets to a value holding `host`: a shell `NAME=…` or a buildspec's `NAME: …`
 * (env.variables), so `podman push $REPOSITORY_URI:$TAG` reaches the plain-HTTP host as well.
 */
function variablesNaming(text: string, host: string): string[] {
  const names = new Set<string>();
  for (const [, name, value] of text.matchAll(/(?:^|[\s;&|])([A-Za-z_][A-Za-z0-9_]*)(?:=|:[ \t]+)["']?([^\s"';]*)/gm)) {
    if (name && value?.includes(host)) names.add(name);
  }
  return [...names];
}

/** The registry host a podman learner reaches over plain HTTP (loopback: the sandbox), if this one is. */
function plainHttpRegistry(vars: Pick<TemplateVars, 'registry'> | undefined): string | undefined {
  const host = vars?.registry;
  return host && registryBaseUrl(host).startsWith('http:') ? host : undefined;
}

/** A ready shell command rendered for the learner's aws CLI (`--endpoint-url` where needed) and container client. */
export function renderShellCommand(cmd: string, ctx: Pick<RenderContext, 'endpointUrl' | 'client'> & { vars?: Pick<TemplateVars, 'registry'> }): string {
  const withEndpoint = ctx.endpointUrl ? insertEndpointUrl(cmd, ctx.endpointUrl) : cmd;
  return renderForClient(withEndpoint, ctx.client, plainHttpRegistry(ctx.vars));
}

/** Placeholders filled some other way than the lessons' (a drill's own values), for renderCommand and renderMarkdown. */
export interface MarkdownFill {
  fill: (text: string, options?: TemplateOptions) => string;
  endpointUrl?: string;
  client?: ContainerClient;
  /** The registry host, so a Podman learner's commands for a plain-HTTP one get --tls-verify=false. */
  registry?: string;
}

type MarkdownContext = Pick<RenderContext, 'vars' | 'endpointUrl' | 'client'> | MarkdownFill;

/** The context as one fill function, the endpoint flag and the client. */
function fillOf(ctx: MarkdownContext): MarkdownFill {
  if ('fill' in ctx) return ctx;
  return { fill: (text, options) => renderTemplate(text, ctx.vars, options), endpointUrl: ctx.endpointUrl, client: ctx.client, registry: ctx.vars.registry };
}

const registryOf = (ctx: MarkdownFill) => (ctx.registry === undefined ? undefined : { registry: ctx.registry });

/** One command (or a multi-line block) ready to run: values shell-quoted, endpoint flag and client if needed. */
export function renderCommand(cmd: string, context: MarkdownContext): string {
  const ctx = fillOf(context);
  return renderShellCommand(ctx.fill(cmd, { quote: true }), { endpointUrl: ctx.endpointUrl, client: ctx.client, vars: registryOf(ctx) });
}


export interface AwsCliVersion {
  major: number;
  minor: number;
  patch: number;
}

/** Parses `aws --version` output (`aws-cli/2.9.19 Python/3.11.2 …`); undefined when it is not one. */
export function parseAwsCliVersion(output: string): AwsCliVersion | undefined {
  const m = /(?:^|\s)aws-cli\/(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/**
 * Whether this aws CLI reads `AWS_ENDPOINT_URL_ECR` / `_STS` (v1 ≥ 1.29, v2 ≥ 2.13). An
 * unknown version counts as "no": an extra `--endpoint-url` is harmless, a missing one sends
 * the learner's sandbox commands to real AWS.
 */
export function readsEndpointEnv(version: AwsCliVersion | string | undefined): boolean {
  const v = typeof version === 'string' ? parseAwsCliVersion(version) : version;
  if (!v) return false;
  if (v.major === 1) return v.minor >= 29;
  if (v.major === 2) return v.minor >= 13;
  return v.major > 2;
}

/** The `endpointUrl` for a RenderContext: the sandbox endpoint when the learner's CLI needs the flag. */
export function endpointUrlFor(target: Target, sandboxEndpoint: string | undefined, cliVersion: AwsCliVersion | string | undefined): string | undefined {
  if (target !== 'sandbox' || !sandboxEndpoint) return undefined;
  return readsEndpointEnv(cliVersion) ? undefined : sandboxEndpoint;
}

const BLOCK_MARKER = /^[ \t]*<!--[ \t]*(\/?)(sandbox|aws)[ \t]*-->[ \t]*$/;

export interface BodySegment {
  text: string;
  /** Set inside a `<!-- sandbox -->` or `<!-- aws -->` block. */
  target?: Target;
  /** Line number of the segment's first line (the body's first line is `firstLine`). */
  line: number;
}

/**
 * Splits a body into plain text and target blocks. Throws nothing: problems (unclosed,
 * nested, stray markers) come back in `problems` so the loader can report them all.
 */
export function splitTargetBlocks(body: string, firstLine = 1): { segments: BodySegment[]; problems: string[] } {
  const segments: BodySegment[] = [];
  const problems: string[] = [];
  const open: { target: Target; line: number }[] = [];
  let lines: string[] = [];
  let start = firstLine;
  const flush = (next: number) => {
    if (lines.length) segments.push({ text: lines.join('\n'), target: open.at(-1)?.target, line: start });
    lines = [];
    start = next;
  };
  body.split('\n').forEach((line, i) => {
    const n = firstLine + i;
    const m = BLOCK_MARKER.exec(line);
    if (!m) {
      lines.push(line);
      return;
    }
    flush(n + 1);
    const target = m[2] as Target;
    const outer = open.at(-1);
    if (m[1] !== '/') {
      if (outer) problems.push(messages.blockNested(target, n, outer.target));
      open.push({ target, line: n });
    } else if (outer?.target === target) {
      open.pop();
    } else {
      problems.push(messages.blockStrayClose(target, n));
    }
  });
  flush(0);
  for (const block of open.reverse()) problems.push(messages.blockNotClosed(block.target, block.line));
  return { segments, problems };
}

/**
 * The body with only the blocks for `target` kept. Each marker line becomes an empty line, so
 * text on either side of a removed block never runs together into one paragraph.
 */
export function selectTarget(body: string, target: Target): string {
  const out: string[] = [];
  const open: Target[] = [];
  for (const line of body.split('\n')) {
    const m = BLOCK_MARKER.exec(line);
    if (m) {
      if (m[1] !== '/') open.push(m[2] as Target);
      else if (open.at(-1) === m[2]) open.pop();
      out.push('');
    } else if (open.every((t) => t === target)) {
      out.push(line);
    }
  }
  return out.join('\n');
}

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'zsh', 'console']);
const FENCE = /^([ \t]*)(`{3,}|~{3,})[ \t]*([\w+-]*)/;

/**
 * Fills placeholders in markdown for one learner. Commands are rendered as commands (values
 * shell-quoted, `--endpoint-url` added when the CLI needs it): fenced shell blocks, and inline
 * code. Prose, and code that is not shell (a Dockerfile, JSON output), get the plain values.
 */
export function renderMarkdown(markdown: string, context: MarkdownContext): string {
  const ctx = fillOf(context);
  const out: string[] = [];
  let fence: { marker: string; shell: boolean; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    if (fence) {
      const close = FENCE.exec(line);
      if (close && close[2]?.startsWith(fence.marker) && close[3] === '') {
        const code = fence.lines.join('\n');
        if (fence.lines.length) out.push(fence.shell ? renderCommand(code, ctx) : ctx.fill(code));
        out.push(line);
        fence = undefined;
      } else {
        fence.lines.push(line);
      }
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      fence = { marker: open[2] ?? '```', shell: SHELL_LANGS.has((open[3] ?? '').toLowerCase()), lines: [] };
      out.push(line);
      continue;
    }
    out.push(
      line
        .split(/(`[^`\n]+`)/)
        .map((part, i) => (i % 2 === 1 ? renderInlineCode(part, ctx) : ctx.fill(part)))
        .join(''),
    );
  }
  // An unclosed fence runs to the end, as in CommonMark.
  if (fence) out.push(fence.shell ? renderCommand(fence.lines.join('\n'), ctx) : ctx.fill(fence.lines.join('\n')));
  return out.join('\n');
}

function renderInlineCode(span: string, ctx: MarkdownFill): string {
  const code = ctx.fill(span.slice(1, -1), { quote: true });
  // Inline code is an aws command to copy only when it carries options; `aws ecr
  // get-login-password` alone in a sentence names the command and stays as written. A docker
  // command is the learner's client's either way: a Podman learner reads `podman push`.
  const isCommand = /^aws[ \t]+(ecr|sts|iam|ecs)[ \t]/.test(code) && /\s--[a-z]/.test(code);
  const withEndpoint = ctx.endpointUrl && isCommand ? insertEndpointUrl(code, ctx.endpointUrl) : code;
  return `\`${renderForClient(withEndpoint, ctx.client, plainHttpRegistry(registryOf(ctx)))}\``;
}

/** A lesson as markdown for one learner: title, time, objectives, then the body for their target. */
export function renderLesson(lesson: Pick<Lesson, 'title' | 'minutes' | 'objectives' | 'body'>, ctx: RenderContext): string {
  const body = renderMarkdown(selectTarget(lesson.body, ctx.target), ctx);
  const objectives = lesson.objectives.map((o) => `- ${renderMarkdown(o, ctx)}`).join('\n');
  const parts = [
    `# ${renderTemplate(lesson.title, ctx.vars)}`,
    `*${messages.lessonMinutes(lesson.minutes)}* ${messages.lessonObjectivesIntro}`,
    objectives,
    body.trim(),
  ];
  return `${parts.join('\n\n')}\n`;
}

/** A step's hints for one learner, gentle first; commands in inline code get the endpoint flag. */
export function renderHints(step: Pick<Step, 'hints'>, ctx: RenderContext): string[] {
  return step.hints.map((hint) => renderMarkdown(hint, ctx));
}

/** A step's reference solution for one learner: ready-to-run shell commands. */
export function renderSolution(step: Pick<Step, 'solution'>, ctx: RenderContext): string[] {
  return solutionFor(step, ctx.target).map((cmd) => renderCommand(cmd, ctx));
}

export interface RenderedStep {
  id: string;
  title: string;
  check: string;
  params: Record<string, unknown>;
  hints: string[];
  solution: string[];
}

/** Everything about a step the runner shows or passes on, rendered for one learner. */
export function renderStep(step: Pick<Step, 'id' | 'title' | 'check' | 'params' | 'hints' | 'solution'>, ctx: RenderContext): RenderedStep {
  return {
    id: step.id,
    title: renderTemplate(step.title, ctx.vars),
    check: step.check,
    params: renderParams(step, ctx.vars),
    hints: renderHints(step, ctx),
    solution: renderSolution(step, ctx),
  };
}

/** A step's check params with string values templated (`{{image}}` → `demo-app:v1`). */
export function renderParams(step: Pick<Step, 'params'>, vars: TemplateVars): Record<string, unknown> {
  return renderValue(step.params ?? {}, vars) as Record<string, unknown>;
}

function renderValue(value: unknown, vars: TemplateVars): unknown {
  if (typeof value === 'string') return renderTemplate(value, vars);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, vars)]));
  }
  return value;
}

/** Whether to colour output: never with a non-empty NO_COLOR (no-color.org), else only on a TTY. */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env, isTTY: boolean = process.stdout.isTTY === true): boolean {
  if (env.NO_COLOR) return false;
  return isTTY;
}

/**
 * The width to wrap lessons at: the terminal's, at most 100. A terminal that reports no width
 * (a pipe) or 0 columns (`stty cols 0`, as some pseudo-terminals do) gets 80: wrapping at 0
 * loses every word.
 */
export function terminalWidth(columns: number | undefined = process.stdout.columns): number {
  return columns && columns > 0 ? Math.min(columns, 100) : 80;
}
