import { spawn } from 'node:child_process';

/**
 * Runs one bash line (with pipefail) and collects its output, without blocking this process:
 * a sandbox serving the command's requests may live in this same process.
 */
export function runShell(command: string, env: NodeJS.ProcessEnv, cwd?: string, options: { timeoutMs?: number } = {}): Promise<{ code: number; output: string; timedOut?: boolean }> {
  return new Promise((resolve) => {
    // Its own process group, so a timeout stops the whole pipeline, not just bash.
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: options.timeoutMs !== undefined });
    let output = '';
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }, options.timeoutMs);
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, output, ...(timedOut ? { timedOut } : {}) });
    });
  });
}

/** Quotes a word for a POSIX shell only when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
