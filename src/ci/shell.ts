/**
 * One shell for a whole build, as CodeBuild's version 0.2 runs its commands: a `cd`, a variable
 * set with `X=1` or `export`, a function defined in one command are there for the next command
 * and the next phase. Each command is handed over with `command eval` (a syntax error fails that
 * command instead of ending the shell) and stdin from /dev/null (a command that reads its input
 * never eats the next command), and ends with a marker line carrying its exit status, so the
 * output streams through as it comes and every byte before the marker belongs to the command.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import crypto from 'node:crypto';
import { shellQuote } from '../util/shell.js';

export interface CommandResult {
  exitCode: number;
  /** The command ended the shell itself (`exit`, or `set -e` and a failure): later commands get a new one. */
  shellExited: boolean;
}

export interface ShellOptions {
  shell: 'bash' | '/bin/sh';
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Command output as it arrives. */
  onOutput: (text: string, stream: 'stdout' | 'stderr') => void;
}

/** One stream of the shell: output passes through until the marker, which resolves what waits for it. */
export class MarkedStream {
  private pending = '';
  private waiter: ((rest: string) => void) | undefined;
  /** While set, output is collected here instead of passed on (the shell's own queries). */
  capture: string[] | undefined;

  constructor(
    private readonly marker: string,
    private readonly emit: (text: string) => void,
  ) {}

  /** Waits for the next marker; resolves with what follows it on its line. */
  next(): Promise<string> {
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.push('');
    });
  }

  push(chunk: string): void {
    this.pending += chunk;
    const at = this.pending.indexOf(this.marker);
    if (at >= 0 && this.waiter) {
      const end = this.pending.indexOf('\n', at + this.marker.length);
      if (end < 0) return;
      this.out(this.pending.slice(0, at));
      const rest = this.pending.slice(at + this.marker.length, end).trim();
      this.pending = this.pending.slice(end + 1);
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve(rest);
      return;
    }
    // Keep back only what could be the start of a marker split across chunks, so that output
    // shows as soon as it comes (and stdout and stderr interleave as little as pipes allow).
    const keep = this.pendingMarkerStart();
    this.out(this.pending.slice(0, this.pending.length - keep));
    this.pending = this.pending.slice(this.pending.length - keep);
  }

  /** The length of the longest end of the pending text that begins the marker (0 when none does). */
  private pendingMarkerStart(): number {
    for (let n = Math.min(this.pending.length, this.marker.length); n > 0; n--) {
      if (this.marker.startsWith(this.pending.slice(this.pending.length - n))) return n;
    }
    return 0;
  }

  /** Everything still held back (the shell is gone). */
  flush(): void {
    this.out(this.pending);
    this.pending = '';
  }

  private out(text: string): void {
    if (!text) return;
    if (this.capture) this.capture.push(text);
    else this.emit(text);
  }
}

export class BuildShell {
  private child!: ChildProcessWithoutNullStreams;
  private stdout!: MarkedStream;
  private stderr!: MarkedStream;
  private exited: Promise<number> = Promise.resolve(0);
  private alive = false;
  private readonly nonce = crypto.randomBytes(8).toString('hex');
  private readonly marker = `__CODEBUILD_LOCAL_DONE_${this.nonce}`;

  constructor(private readonly options: ShellOptions) {
    this.spawn();
  }

  private spawn(): void {
    const file = this.options.shell === 'bash' ? 'bash' : '/bin/sh';
    this.child = spawn(file, [], { cwd: this.options.cwd, env: this.options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    // A marker that starts a line of its own: "\n" first, in case the output did not end with one.
    this.stdout = new MarkedStream(`\n${this.marker}`, (t) => this.options.onOutput(t, 'stdout'));
    this.stderr = new MarkedStream(`\n${this.marker}`, (t) => this.options.onOutput(t, 'stderr'));
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => this.stdout.push(d));
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => this.stderr.push(d));
    this.child.stdin.on('error', () => undefined);
    this.alive = true;
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.alive = false;
        this.stdout.flush();
        this.stderr.flush();
        resolve(code ?? (signal ? 128 + 9 : 1));
      });
    });
  }

  /** Whether the shell is still the one the build started with (no command has ended it). */
  get isAlive(): boolean {
    return this.alive;
  }

  /** Runs one command in the shell; resolves with its exit status once all its output has come through. */
  async run(command: string): Promise<CommandResult> {
    if (!this.alive) this.spawn();
    const eof = `__CODEBUILD_LOCAL_EOF_${this.nonce}`;
    const script = [
      `__cb_cmd=$(cat <<'${eof}'`,
      command,
      eof,
      ')',
      'command eval "$__cb_cmd" </dev/null',
      '__cb_status=$?',
      `printf '\\n${this.marker} %s\\n' "$__cb_status"`,
      `printf '\\n${this.marker}\\n' >&2`,
      '',
    ].join('\n');
    const done = Promise.all([this.stdout.next(), this.stderr.next()]).then(([status]) => ({ exitCode: Number(status), shellExited: false }));
    const gone = this.exited.then((code) => ({ exitCode: code, shellExited: true }));
    this.child.stdin.write(script);
    return Promise.race([done, gone]);
  }

  /** Sets (and exports) a variable in the shell, for the commands that follow. */
  async set(name: string, value: string): Promise<void> {
    await this.internal(`export ${name}=${shellQuote(value)}`);
  }

  /** The values of variables in the shell now (undefined: not set), as `exported-variables` reads them. */
  async read(names: string[]): Promise<Record<string, string | undefined>> {
    const tag = `__CODEBUILD_LOCAL_VAR_${this.nonce}`;
    const lines = names.map(
      (n) => `printf '${tag} %s ' ${n}; if [ "\${${n}+set}" = set ]; then printf '%s' "$${n}" | od -An -v -tx1 | tr -d ' \\n'; else printf '%s' '-'; fi; printf '\\n'`,
    );
    const out = await this.internal(lines.join('\n'));
    const values: Record<string, string | undefined> = {};
    for (const line of out.split('\n')) {
      const m = new RegExp(`${tag} (\\w+) (\\S*)`).exec(line);
      if (!m) continue;
      const hex = m[2]!;
      values[m[1]!] = hex === '-' ? undefined : Buffer.from(hex, 'hex').toString('utf8');
    }
    return values;
  }

  /** A command of the runner's own: its output is returned, not shown. */
  private async internal(command: string): Promise<string> {
    if (!this.alive) this.spawn();
    const captured: string[] = [];
    this.stdout.capture = captured;
    try {
      await this.run(command);
    } finally {
      this.stdout.capture = undefined;
    }
    return captured.join('');
  }

  /** Ends the shell (and anything it still runs). */
  async close(): Promise<void> {
    if (!this.alive) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}
