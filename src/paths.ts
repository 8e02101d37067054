import os from 'node:os';
import path from 'node:path';

/** The workbook's state directory: ECR_WORKBOOK_HOME, else $XDG_STATE_HOME/ecr-workbook, else ~/.local/state/ecr-workbook. */
export function stateHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ECR_WORKBOOK_HOME) return path.resolve(env.ECR_WORKBOOK_HOME);
  const xdg = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : undefined;
  const base = xdg ?? path.join(env.HOME || os.homedir(), '.local', 'state');
  return path.join(base, 'ecr-workbook');
}

/** Where the sandbox keeps its state, its runtime file and its registry storage. */
export function sandboxHome(home: string = stateHome()): string {
  return path.join(home, 'sandbox');
}
