/**
 * A small POSIX-shell word splitter for "complete the command" answers: quotes, backslash
 * escapes, `\` line continuations, pipes, `;`/`&&`/`||` lists, `NAME=value` prefixes and
 * redirections. It never expands anything (`$VAR`, `$(…)` and globs stay as written): the
 * grader looks at what the learner typed, the way the shell would hand it to a program.
 */

/** One program run: leading `NAME=value` assignments, then its words. */
export interface SimpleCommand {
  env: Record<string, string>;
  words: string[];
  /** `>file`, `2>&1`… as written; they do not change what the command means for grading. */
  redirects: string[];
}

/** Commands joined by `|`. */
export type Pipeline = SimpleCommand[];

export type ParsedShell = { ok: true; pipelines: Pipeline[] } | { ok: false; error: string };

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

type Token = { kind: 'word'; text: string; assignable: boolean } | { kind: 'op'; op: '|' | ';' } | { kind: 'redirect'; text: string };

/** Splits a command line (possibly several lines) into pipelines of simple commands. */
export function parseShell(input: string): ParsedShell {
  const tokens = tokenize(input.replace(/^\s*\$\s+/, ''));
  if (!Array.isArray(tokens)) return { ok: false, error: tokens.error };
  const pipelines: Pipeline[] = [];
  let pipeline: Pipeline = [];
  let command: SimpleCommand = { env: {}, words: [], redirects: [] };
  const endCommand = (op: string): string | undefined => {
    if (command.words.length === 0) {
      if (Object.keys(command.env).length > 0 || command.redirects.length > 0) return `nothing to run before '${op}'`;
      if (op === '|' || pipeline.length > 0) return `a command is missing ${op === '|' ? "around '|'" : `before '${op}'`}`;
      return undefined;
    }
    pipeline.push(command);
    command = { env: {}, words: [], redirects: [] };
    return undefined;
  };
  for (const token of tokens) {
    if (token.kind === 'word') {
      const m = command.words.length === 0 && token.assignable ? ASSIGNMENT.exec(token.text) : null;
      if (m) command.env[m[1]!] = m[2]!;
      else command.words.push(token.text);
    } else if (token.kind === 'redirect') {
      command.redirects.push(token.text);
    } else if (token.op === '|') {
      const problem = endCommand('|');
      if (problem) return { ok: false, error: problem };
    } else {
      const problem = endCommand(';');
      if (problem) return { ok: false, error: problem };
      if (pipeline.length) pipelines.push(pipeline);
      pipeline = [];
    }
  }
  if (command.words.length === 0 && pipeline.length > 0) return { ok: false, error: "the line ends with '|': a command is missing after it" };
  const problem = endCommand('end');
  if (problem) return { ok: false, error: problem };
  if (pipeline.length) pipelines.push(pipeline);
  return { ok: true, pipelines };
}

/**
 * Whether a shell would ask for more after this line, as its `> ` prompt does: a trailing `\`,
 * a quote or `$(` still open, or a line ending in `|`, `&&` or `||`.
 */
export function needsMoreInput(input: string): boolean {
  const trailing = /\\+$/.exec(input.trimEnd())?.[0].length ?? 0;
  if (trailing % 2 === 1) return true;
  if (/(?:\|\||&&|\|)\s*$/.test(input)) return true;
  const tokens = tokenize(input);
  return !Array.isArray(tokens) && / is never closed$/.test(tokens.error);
}

function tokenize(input: string): Token[] | { error: string } {
  const tokens: Token[] = [];
  let word = '';
  let started = false;
  // A word is an assignment only when its `=` was not quoted: `"A=b"` is a word.
  let assignable = true;
  let i = 0;
  const end = () => {
    if (started) tokens.push({ kind: 'word', text: word, assignable });
    word = '';
    started = false;
    assignable = true;
  };
  while (i < input.length) {
    const c = input[i]!;
    if (c === '\\') {
      const next = input[i + 1];
      if (next === '\n') {
        i += 2; // a line continuation: gone, as if the lines were one
        continue;
      }
      if (next === '\r' && input[i + 2] === '\n') {
        i += 3;
        continue;
      }
      if (next === undefined) {
        i += 1; // a trailing backslash with nothing after it: the continuation the learner meant
        continue;
      }
      word += next;
      started = true;
      i += 2;
      continue;
    }
    if (c === "'") {
      const close = input.indexOf("'", i + 1);
      if (close < 0) return { error: `the quote ' opened at character ${i + 1} is never closed` };
      if (!word.includes('=')) assignable = false;
      word += input.slice(i + 1, close);
      started = true;
      i = close + 1;
      continue;
    }
    if (c === '"') {
      const read = readDoubleQuoted(input, i + 1);
      if ('error' in read) return { error: read.error.replace('%', String(i + 1)) };
      if (!word.includes('=')) assignable = false;
      word += read.text;
      started = true;
      i = read.end;
      continue;
    }
    if (c === '$' && input[i + 1] === '(') {
      const close = matchingParen(input, i + 1);
      if (close < 0) return { error: `the $( opened at character ${i + 1} is never closed` };
      word += input.slice(i, close + 1);
      started = true;
      i = close + 1;
      continue;
    }
    if (c === '`') {
      const close = input.indexOf('`', i + 1);
      if (close < 0) return { error: `the backquote opened at character ${i + 1} is never closed` };
      word += input.slice(i, close + 1);
      started = true;
      i = close + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      end();
      i += 1;
      continue;
    }
    if (c === '#' && !started) {
      const nl = input.indexOf('\n', i);
      i = nl < 0 ? input.length : nl;
      continue;
    }
    if (c === '\n' || c === ';') {
      end();
      tokens.push({ kind: 'op', op: ';' });
      i += 1;
      continue;
    }
    if (c === '|' || c === '&') {
      const two = input.slice(i, i + 2);
      if (two === '&>') {
        end();
        const target = readRedirectTarget(input, i + 2);
        tokens.push({ kind: 'redirect', text: `&>${target.text}` });
        i = target.end;
        continue;
      }
      end();
      if (two === '||' || two === '&&') {
        tokens.push({ kind: 'op', op: ';' });
        i += 2;
      } else if (two === '|&') {
        tokens.push({ kind: 'op', op: '|' });
        i += 2;
      } else {
        tokens.push({ kind: 'op', op: c === '|' ? '|' : ';' });
        i += 1;
      }
      continue;
    }
    if (c === '>' || c === '<') {
      // `2>&1`: a file-descriptor number written right before the operator belongs to it.
      const fd = /^\d+$/.test(word) && started ? word : '';
      if (fd) {
        word = '';
        started = false;
      } else end();
      let op = c;
      let j = i + 1;
      if (input[j] === c || (c === '>' && input[j] === '&') || (c === '<' && input[j] === '&')) op += input[j++];
      const target = readRedirectTarget(input, j);
      tokens.push({ kind: 'redirect', text: `${fd}${op}${target.text}` });
      i = target.end;
      continue;
    }
    word += c;
    started = true;
    i += 1;
  }
  end();
  return tokens;
}

function readDoubleQuoted(input: string, from: number): { text: string; end: number } | { error: string } {
  let text = '';
  let i = from;
  while (i < input.length) {
    const c = input[i]!;
    if (c === '"') return { text, end: i + 1 };
    if (c === '\\') {
      const next = input[i + 1];
      if (next === '\n') {
        i += 2;
        continue;
      }
      if (next !== undefined && '$`"\\'.includes(next)) {
        text += next;
        i += 2;
        continue;
      }
      text += c;
      i += 1;
      continue;
    }
    if (c === '$' && input[i + 1] === '(') {
      const close = matchingParen(input, i + 1);
      if (close < 0) break;
      text += input.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    text += c;
    i += 1;
  }
  return { error: 'the quote " opened at character % is never closed' };
}

/** The index of the `)` closing the `(` at `open`, skipping quoted text; -1 when there is none. */
function matchingParen(input: string, open: number): number {
  let depth = 0;
  for (let i = open; i < input.length; i++) {
    const c = input[i];
    if (c === '\\') i += 1;
    else if (c === "'") {
      const close = input.indexOf("'", i + 1);
      if (close < 0) return -1;
      i = close;
    } else if (c === '(') depth += 1;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

function readRedirectTarget(input: string, from: number): { text: string; end: number } {
  let i = from;
  while (input[i] === ' ' || input[i] === '\t') i += 1;
  let text = '';
  while (i < input.length && !' \t\n;|&<>'.includes(input[i]!)) text += input[i++];
  return { text, end: i };
}
