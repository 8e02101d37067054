/**
 * The learner's side of the classroom's wire: joining (`ecr-workbook join`) and sending one
 * check's report. JSON over HTTP, the answers' `{error, message}` passed on as they come.
 */
import type { ClassroomMembership } from '../progress/store.js';
import * as messages from './messages.js';
import type { RoomTarget } from './room.js';

/** A refusal or a failure to reach the classroom, in words for the learner. */
export class ClassroomClientError extends Error {
  constructor(
    message: string,
    /** The server's error code (`wrong-code`, `name-taken`…), or `unreachable`. */
    readonly code: string,
  ) {
    super(message);
    this.name = 'ClassroomClientError';
  }
}

export interface JoinAnswer {
  name: string;
  token: string;
  again: boolean;
  room: { id: string; target: RoomTarget; region: string | null; accountId: string | null; steps: number };
}

/** `http://host:port` from what the learner typed (a trailing slash or path is dropped); throws when it is no address. */
export function classroomUrl(typed: string): string {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? typed : `http://${typed}`);
  } catch {
    throw new ClassroomClientError(messages.badUrl(typed), 'bad-url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ClassroomClientError(messages.badUrl(typed), 'bad-url');
  return url.origin;
}

async function post(url: string, path: string, body: object, options: { token?: string; timeoutMs: number }): Promise<Response> {
  try {
    return await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const detail = (error as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs / 1000} s` : (cause ?? (error as Error).message);
    throw new ClassroomClientError(messages.unreachable(url, detail), 'unreachable');
  }
}

/** The classroom's refusal, in its own words. */
async function refusal(url: string, res: Response): Promise<ClassroomClientError> {
  const body = (await res.json().catch(() => undefined)) as { error?: unknown; message?: unknown } | undefined;
  if (typeof body?.error === 'string' && typeof body.message === 'string') return new ClassroomClientError(body.message, body.error);
  return new ClassroomClientError(messages.notAClassroom(url), 'not-a-classroom');
}

/** Joins the room at `url`; `token` is the one this machine got before (joining again keeps the name). */
export async function joinRoom(url: string, code: string, name: string, token?: string): Promise<JoinAnswer> {
  const res = await post(url, '/api/join', { code, name, ...(token ? { token } : {}) }, { timeoutMs: 10_000 });
  if (!res.ok) throw await refusal(url, res);
  const answer = (await res.json().catch(() => undefined)) as Partial<JoinAnswer> | undefined;
  if (!answer || typeof answer.token !== 'string' || typeof answer.name !== 'string' || !answer.room) throw new ClassroomClientError(messages.notAClassroom(url), 'not-a-classroom');
  return answer as JoinAnswer;
}

/** What one check's report says: the step, pass / fail / error and the diagnosis id. Nothing else. */
export interface CheckReport {
  step: string;
  status: 'pass' | 'fail' | 'error';
  diagnosis?: string;
}

/** Sends one report as the member; throws ClassroomClientError when it is refused or the classroom is out of reach. */
export async function sendReport(member: Pick<ClassroomMembership, 'url' | 'code' | 'name' | 'token'>, report: CheckReport, timeoutMs: number): Promise<void> {
  const body = { code: member.code, learner: member.name, step: report.step, status: report.status, ...(report.diagnosis ? { diagnosis: report.diagnosis } : {}) };
  const res = await post(member.url, '/api/report', body, { token: member.token, timeoutMs });
  if (!res.ok) throw await refusal(member.url, res);
  await res.body?.cancel();
}
