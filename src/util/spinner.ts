/**
 * A progress indicator on stderr: an animated spinner on a terminal, plain lines otherwise
 * (CI logs, pipes), so `eval "$(ecr-workbook sandbox env)"`-style stdout stays clean.
 */
export interface Spinner {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Starts a spinner with `text`; `quiet` prints nothing at all (for --json). */
export function startSpinner(text: string, options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Spinner {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update() {}, succeed() {}, fail() {}, stop() {} };
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  if (!stream.isTTY) {
    stream.write(`… ${text}\n`);
    return {
      update: (t) => stream.write(`… ${t}\n`),
      succeed: (t) => stream.write(`✔ ${t} (${elapsed()})\n`),
      fail: (t) => stream.write(`✖ ${t}\n`),
      stop: () => {},
    };
  }
  let current = text;
  let frame = 0;
  const render = () => stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current} ${elapsed()}`);
  render();
  const timer = setInterval(render, 80);
  const end = (line: string) => {
    clearInterval(timer);
    stream.write(`\r\x1b[2K${line}`);
  };
  return {
    update: (t) => {
      current = t;
    },
    succeed: (t) => end(`✔ ${t} (${elapsed()})\n`),
    fail: (t) => end(`✖ ${t}\n`),
    stop: () => end(''),
  };
}
