import { execFileSync } from 'node:child_process';

/** Polls a terminal's screen until it shows `text`; the error shows the screen as it was. */
export async function waitOn(capture: () => string, text: string | RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = capture();
    if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${String(text)}; the screen shows:\n${last}`);
}

/** A tmux server of the test's own (its socket name), driven as a learner at a keyboard. */
export function tmuxServer(socket: string, env: NodeJS.ProcessEnv) {
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { env, encoding: 'utf8' });
  return {
    tmux,
    screen: (target: string) => tmux('capture-pane', '-p', '-J', '-S', '-300', '-t', target),
    keys: (target: string, ...k: string[]) => tmux('send-keys', '-t', target, ...k),
    /** Types text literally (no key names). */
    type: (target: string, text: string) => tmux('send-keys', '-t', target, '-l', text),
  };
}
