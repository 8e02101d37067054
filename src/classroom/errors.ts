/**
 * Every error the classroom server answers with, as one table: a stable code, the HTTP status
 * and the message, which names what to do next (the learner's CLI prints it as it comes).
 * Written on the wire in one place (server.ts) as `{"error": code, "message": message}`.
 */

/** An error the classroom answers with. */
export class ClassroomError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra headers (Retry-After, Allow). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ClassroomError';
  }
}

const e = (code: string, status: number, message: string, headers?: Record<string, string>) => new ClassroomError(code, status, message, headers);

export const classroomErrors = {
  wrongCode: () => e('wrong-code', 403, 'That is not this classroom\'s join code. Check the code your instructor shows (letters and digits, like K7MQ-4PXA) and run `ecr-workbook join` again.'),
  badToken: () =>
    e('unknown-learner', 401, 'This classroom does not know your token (the instructor may have started a new room). Join again with `ecr-workbook join <url> <code> --name <your name>`.'),
  notYourself: (claimed: string) => e('not-yourself', 403, `Your token belongs to another learner than '${claimed}': you can only report your own checks.`),
  nameTaken: (name: string) => e('name-taken', 409, `Someone in this classroom already joined as '${name}'. Join under another name with --name.`),
  badName: (why: string) => e('bad-name', 400, why),
  unknownStep: (step: string) =>
    e('unknown-step', 400, `The classroom does not know the step '${step}': it runs another version of ecr-workbook. Ask your instructor which version to install.`),
  badReport: (why: string) => e('bad-report', 400, `The report is not valid: ${why}.`),
  badJson: () => e('bad-json', 400, 'The request body is not a JSON object.'),
  tooLarge: (limit: number) => e('too-large', 413, `The request body is larger than ${limit} bytes.`),
  needsJson: () => e('needs-json', 415, 'Send the request as Content-Type: application/json.'),
  roomFull: (max: number) => e('room-full', 409, `This classroom is full (${max} learners). Ask your instructor to start another one.`),
  tooManyAttempts: (seconds: number) => e('too-many-attempts', 429, `Too many wrong join codes or tokens from your address. Wait ${seconds} s and try again.`, { 'Retry-After': String(seconds) }),
  instructorOnly: () => e('instructor-only', 403, 'The board and the room report are served to the instructor\'s own machine only (loopback).'),
  badHost: (host: string) => e('bad-host', 403, `This classroom does not answer to the host name '${host}'.`),
  notFound: (path: string) => e('not-found', 404, `Nothing here: ${path}. Learners use \`ecr-workbook join\`; the board is at /.`),
  methodNotAllowed: (method: string, path: string, allowed: string[]) => e('method-not-allowed', 405, `${method} is not allowed on ${path}.`, { Allow: allowed.join(', ') }),
  tooManyWatchers: (max: number) => e('too-many-watchers', 503, `The board is already open in ${max} places; close one and reload.`),
} as const;

export type ClassroomErrorName = keyof typeof classroomErrors;
