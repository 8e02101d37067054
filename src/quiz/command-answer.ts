/**
 * Grading a "complete the command" answer by what it means, not how it is spelled: the line is
 * split into words as a shell would (shell-words.ts), each command's options are read the way
 * its program reads them (`--flag value` or `--flag=value`, any order, docker's short aliases,
 * aws list options), and a question's rules say what must hold.
 */
import * as messages from './messages.js';
import { parseShell, type SimpleCommand } from './shell-words.js';

/** What an option's value or a positional argument must be. */
export type ValueRule =
  /** Exactly this text. */
  | string
  /** The option is a flag: present, with no value. */
  | true
  /** Any one of these texts. */
  | { oneOf: string[] }
  /** A registry host: `https://` in front and a `/` after are accepted too, as docker accepts them. */
  | { host: string }
  /** An aws structure, written as shorthand (`scanOnPush=true`) or JSON (`{"scanOnPush":true}`). */
  | { shorthand: Record<string, string> };

/** One command of the expected pipeline. */
export interface CommandRule {
  /** The words that start it: the program and its subcommands (`aws ecr get-login-password`). */
  run: string;
  /** Options that must be given, with their values. */
  options?: Record<string, ValueRule>;
  /** Options that may be given (beyond the always-harmless ones such as `--profile`). */
  allow?: string[];
  /** The positional arguments after `run`, all of them, in order. */
  args?: Exclude<ValueRule, true>[];
}

export interface CommandExpectation {
  /** The pipeline, in order (`a | b` is two). */
  commands: CommandRule[];
  /** The region every aws command must reach (`--region`, or `AWS_REGION`/`AWS_DEFAULT_REGION` before it). */
  region?: string;
  /** The profile every aws command must use (`--profile`, or `AWS_PROFILE` before it). */
  profile?: string;
}

export interface CommandGrade {
  correct: boolean;
  /** What is wrong, for the learner, most important first. Empty when correct. */
  problems: string[];
}

/** A command as its program reads it. */
export interface Invocation {
  program: string;
  env: Record<string, string>;
  positionals: string[];
  options: { name: string; values: string[] }[];
}

// docker's short options by subcommand (`docker image inspect -f` is --format, `docker rmi -f` is --force).
const DOCKER_ALIASES: Record<string, Record<string, string>> = {
  '': { '-H': '--host', '-D': '--debug', '-l': '--log-level', '-c': '--context' },
  login: { '-u': '--username', '-p': '--password' },
  build: { '-t': '--tag', '-f': '--file', '-q': '--quiet' },
  push: { '-a': '--all-tags', '-q': '--quiet' },
  pull: { '-a': '--all-tags', '-q': '--quiet' },
  rmi: { '-f': '--force' },
  'image rm': { '-f': '--force' },
  'image ls': { '-a': '--all', '-q': '--quiet', '-f': '--filter' },
  images: { '-a': '--all', '-q': '--quiet', '-f': '--filter' },
  'image inspect': { '-f': '--format' },
  inspect: { '-f': '--format' },
  run: { '-p': '--publish', '-d': '--detach', '-i': '--interactive', '-t': '--tty', '-e': '--env', '-v': '--volume' },
};
const DOCKER_FLAGS = new Set([
  '--password-stdin', '--all-tags', '--quiet', '--disable-content-trust', '--no-cache', '--pull', '--rm', '--force-rm', '--load',
  '--push', '--detach', '--interactive', '--tty', '--force', '--no-prune', '--all', '--digests', '--no-trunc', '--debug', '--tls', '--tlsverify',
]);
const AWS_FLAGS = new Set(['--force', '--no-force', '--debug', '--no-cli-pager', '--no-paginate', '--no-verify-ssl', '--no-sign-request', '--dry-run', '--no-dry-run']);
// aws options whose value is a list: every following word up to the next option.
const AWS_LISTS = new Set(['--image-ids', '--repository-names', '--tags', '--tag-keys', '--registry-ids', '--accepted-media-types']);
const HARMLESS: Record<string, readonly string[]> = {
  aws: ['--profile', '--output', '--no-cli-pager', '--endpoint-url', '--debug', '--query', '--color', '--cli-read-timeout', '--cli-connect-timeout', '--no-paginate'],
  docker: ['--config', '--context', '--debug', '--log-level', '--host'],
};
// Programs that read the same words: podman is docker's drop-in.
const SAME_AS: Record<string, string> = { podman: 'docker' };

/** Reads one simple command as its program would: positionals, options (canonical names) and values. */
export function readInvocation(command: SimpleCommand): Invocation {
  let words = command.words;
  if (words[0] === 'sudo') words = words.slice(1);
  const base = (words[0] ?? '').split('/').at(-1) ?? '';
  const program = SAME_AS[base] ?? base;
  const invocation: Invocation = { program, env: { ...command.env }, positionals: [], options: [] };
  let endOfOptions = false;
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (endOfOptions || !word.startsWith('-') || word === '-') {
      invocation.positionals.push(word);
      continue;
    }
    if (word === '--') {
      endOfOptions = true;
      continue;
    }
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const written = eq > 0 ? word.slice(0, eq) : word;
    const name = canonicalOption(program, invocation.positionals, written);
    if (eq > 0) {
      invocation.options.push({ name, values: [word.slice(eq + 1)] });
    } else if (isFlag(program, name)) {
      invocation.options.push({ name, values: [] });
    } else if (program === 'aws' && AWS_LISTS.has(name)) {
      const values: string[] = [];
      while (i + 1 < words.length && !words[i + 1]!.startsWith('--')) values.push(words[++i]!);
      invocation.options.push({ name, values });
    } else if (i + 1 < words.length) {
      invocation.options.push({ name, values: [words[++i]!] });
    } else {
      invocation.options.push({ name, values: [] });
    }
  }
  return invocation;
}

function canonicalOption(program: string, positionals: readonly string[], written: string): string {
  if (program !== 'docker' || written.startsWith('--')) return written;
  const two = positionals.slice(0, 2).join(' ');
  return DOCKER_ALIASES[two]?.[written] ?? DOCKER_ALIASES[positionals[0] ?? '']?.[written] ?? written;
}

function isFlag(program: string, name: string): boolean {
  return program === 'docker' ? DOCKER_FLAGS.has(name) : program === 'aws' ? AWS_FLAGS.has(name) : false;
}

/** Grades an answer against a question's rules. */
export function gradeCommand(expect: CommandExpectation, answer: string): CommandGrade {
  const parsed = parseShell(answer);
  if (!parsed.ok) return { correct: false, problems: [messages.commandUnparsable(parsed.error)] };
  if (parsed.pipelines.length === 0) return { correct: false, problems: [messages.commandEmpty] };
  if (parsed.pipelines.length > 1) return { correct: false, problems: [messages.commandSeveralLines(parsed.pipelines.length, expect.commands.length)] };
  const pipeline = parsed.pipelines[0]!;
  if (pipeline.length !== expect.commands.length) {
    return { correct: false, problems: [messages.commandPipelineLength(expect.commands.map((c) => c.run), pipeline.length)] };
  }
  const problems: string[] = [];
  pipeline.forEach((command, i) => problems.push(...commandProblems(expect.commands[i]!, readInvocation(command), expect)));
  return { correct: problems.length === 0, problems };
}

function commandProblems(rule: CommandRule, invocation: Invocation, { region, profile }: Pick<CommandExpectation, 'region' | 'profile'>): string[] {
  const [program = '', ...sub] = rule.run.split(/\s+/);
  const written = [invocation.program, ...invocation.positionals.slice(0, sub.length)].join(' ');
  if (invocation.program !== program || sub.some((w, i) => invocation.positionals[i] !== w)) return [messages.commandWrongProgram(rule.run, written)];
  const problems: string[] = [];
  const required = rule.options ?? {};
  for (const [name, want] of Object.entries(required)) {
    const given = invocation.options.filter((o) => o.name === name);
    if (given.length === 0) {
      problems.push(messages.optionMissing(rule.run, name, want === true ? undefined : describeRule(want)));
      continue;
    }
    const last = given.at(-1)!;
    if (want === true) {
      if (last.values.length > 0) problems.push(messages.optionIsFlag(rule.run, name));
    } else if (last.values.length === 0) {
      problems.push(messages.optionNeedsValue(rule.run, name, describeRule(want)));
    } else if (!valueMatches(want, last.values)) {
      problems.push(messages.optionWrongValue(rule.run, name, describeRule(want), last.values.join(' ')));
    }
  }
  // --region is always the learner's to give; the region rule below says which one it must be.
  const allowed = new Set([...Object.keys(required), ...(rule.allow ?? []), ...(HARMLESS[program] ?? []), ...(program === 'aws' ? ['--region'] : [])]);
  for (const option of invocation.options) {
    if (!allowed.has(option.name)) problems.push(messages.optionUnexpected(rule.run, option.name));
  }
  const args = invocation.positionals.slice(sub.length);
  const wanted = rule.args ?? [];
  wanted.forEach((want, i) => {
    const got = args[i];
    if (got === undefined) problems.push(messages.argMissing(rule.run, describeRule(want)));
    else if (!valueMatches(want, [got])) problems.push(messages.argWrong(rule.run, describeRule(want), got));
  });
  if (args.length > wanted.length) problems.push(messages.argsExtra(rule.run, args.slice(wanted.length)));
  if (program === 'aws' && region) {
    const given = regionOf(invocation);
    if (!given) problems.push(messages.regionMissing(rule.run, region));
    else if (given !== region) problems.push(messages.regionWrong(rule.run, region, given));
  }
  if (program === 'aws' && profile) {
    const given = invocation.options.filter((o) => o.name === '--profile').at(-1)?.values[0] ?? invocation.env.AWS_PROFILE;
    if (given !== profile) problems.push(given ? messages.profileWrong(rule.run, profile, given) : messages.profileMissing(rule.run, profile));
  }
  return problems;
}

/** The region an aws command reaches: `--region`, else AWS_REGION, else AWS_DEFAULT_REGION written before it. */
export function regionOf(invocation: Invocation): string | undefined {
  const option = invocation.options.filter((o) => o.name === '--region').at(-1);
  return option?.values[0] ?? invocation.env.AWS_REGION ?? invocation.env.AWS_DEFAULT_REGION;
}

function valueMatches(rule: Exclude<ValueRule, true>, values: readonly string[]): boolean {
  if (typeof rule === 'string') return values.length === 1 && values[0] === rule;
  if ('oneOf' in rule) return values.length === 1 && rule.oneOf.includes(values[0]!);
  if ('host' in rule) return values.length === 1 && values[0]!.replace(/^https:\/\//, '').replace(/\/$/, '') === rule.host;
  if (values.length !== 1) return false;
  const structure = readStructure(values[0]!);
  if (!structure) return false;
  const keys = Object.keys(rule.shorthand);
  return Object.keys(structure).length === keys.length && keys.every((k) => sameScalar(structure[k], rule.shorthand[k]!));
}

function sameScalar(actual: unknown, expected: string): boolean {
  if (actual === undefined || actual === null || typeof actual === 'object') return false;
  const text = String(actual);
  return /^(true|false)$/i.test(expected) ? text.toLowerCase() === expected.toLowerCase() : text === expected;
}

/** An aws structure value: JSON (an object, or a list of one) or shorthand `k=v,k2=v2`. */
function readStructure(value: string): Record<string, unknown> | undefined {
  const text = value.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      const item = Array.isArray(parsed) ? (parsed.length === 1 ? parsed[0] : undefined) : parsed;
      return item && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  const out: Record<string, unknown> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** A rule in words, for feedback: `AWS`, `one of MUTABLE, IMMUTABLE`, `scanOnPush=true`. */
export function describeRule(rule: Exclude<ValueRule, true>): string {
  if (typeof rule === 'string') return rule;
  if ('oneOf' in rule) return rule.oneOf.join(' or ');
  if ('host' in rule) return rule.host;
  return Object.entries(rule.shorthand)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
