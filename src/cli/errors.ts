/** An error that ends the command with a message for the user and an exit code. */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

/** Exit codes scripts rely on. */
export const EXIT = {
  ok: 0,
  failed: 1,
  /** Could not do or check the thing at all (docker down, sandbox unreachable, bad usage). */
  unable: 2,
} as const;
