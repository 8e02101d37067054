/**
 * A guard for enquirer prompts on Node 22+: on Ctrl-C, Node's readline closes itself (it has no
 * SIGINT listener) before enquirer's own clean-up pauses it, and pausing a closed readline now
 * throws ERR_USE_AFTER_CLOSE, which crashed the process instead of cancelling the prompt. Pass
 * it as a prompt's `onRun`: it makes the clean-up tolerate the readline being closed already.
 */
interface RunningPrompt {
  start(): unknown;
  stop?: () => void;
  once(event: 'close', listener: () => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
}

export function cancelCleanlyOnCtrlC(prompt: RunningPrompt): void {
  const start = prompt.start.bind(prompt);
  prompt.start = () => {
    const started = start();
    const stop = prompt.stop;
    if (typeof stop === 'function') {
      prompt.removeListener('close', stop);
      prompt.stop = () => {
        try {
          stop();
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ERR_USE_AFTER_CLOSE') throw error;
        }
      };
      prompt.once('close', prompt.stop);
    }
    return started;
  };
}
