/**
 * The sandbox's one clock. Every timestamp the sandbox makes (push times, creation times, token
 * and temporary-credential expiry, lifecycle ages) comes from here, never from `Date.now()`
 * scattered through the backends, so `ecr-workbook sandbox clock advance 15d` moves all of them
 * together. The offset lives in the sandbox state and survives a restart. SigV4's clock-skew
 * check is the one exception: it compares the client's real clock with the real clock.
 */
export interface ClockState {
  /** Seconds the sandbox's now is ahead of the real clock (0 or absent: real time). */
  clockOffsetSeconds?: number;
}

/** Reads the offset from the state it is given each time, so a changed offset applies at once. */
export class SandboxClock {
  constructor(
    private readonly state: () => ClockState,
    private readonly realNow: () => number = () => Date.now() / 1000,
  ) {}

  /** Now, in epoch seconds (fractional), as the sandbox sees it. */
  now(): number {
    return this.realNow() + this.offsetSeconds();
  }

  /** How far ahead of real time the sandbox is, in seconds. */
  offsetSeconds(): number {
    const offset = this.state().clockOffsetSeconds;
    return typeof offset === 'number' && Number.isFinite(offset) ? offset : 0;
  }
}
