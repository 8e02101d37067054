/**
 * Workshop classrooms. The instructor: `classroom start | status | stop | report | roster |
 * sweep`. The learner: `join` and `leave`.
 */
import * as messages from '../../classroom/messages.js';
import type { BoardView } from '../../classroom/board.js';
import type { ClassroomRuntime } from '../../classroom/runtime.js';
import type { RoomState, RoomTarget } from '../../classroom/room.js';
import { isLoopbackName } from '../../sandbox/host-guard.js';
import { DaemonError } from '../../util/daemon.js';
import { EXIT, ExitError } from '../errors.js';

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

export interface StartOpts {
  port?: number;
  host?: string;
  /** Global options, read for the room: --target aws on a shared account, its --region and --profile. */
  target?: RoomTarget;
  region?: string;
  profile?: string;
  learners?: string;
  new?: boolean;
  json?: boolean;
  /** Hidden, for tests: how often an aws room looks at ECR. */
  ecrPoll?: number;
}

const joinCommandOf = (runtime: ClassroomRuntime) => `ecr-workbook join ${runtime.urls[0]} ${runtime.code} --name <your name>`;

function describe(runtime: ClassroomRuntime, alreadyRunning: boolean): string {
  const lines = [alreadyRunning ? messages.alreadyRunning(runtime.code) : messages.started(runtime.code, runtime.resumed, runtime.learners)];
  if (runtime.archivedTo) lines.push(messages.archived(runtime.archivedTo));
  lines.push('', messages.joinWith(joinCommandOf(runtime)));
  if (runtime.urls.length > 1) lines.push(`  (or at ${runtime.urls.slice(1).join(', ')})`);
  lines.push(messages.boardAt(runtime.boardUrl));
  if (runtime.target === 'aws' && runtime.accountId && runtime.region) lines.push('', messages.awsRoomFacts(runtime.accountId, runtime.region));
  if (isLoopbackName(runtime.host)) lines.push('', messages.loopbackOnly);
  lines.push('', messages.nextSteps);
  return lines.join('\n');
}

/** `classroom start`. */
export async function start(opts: StartOpts): Promise<void> {
  const { classroomStart } = await import('../../classroom/control.js');
  if (opts.host && !isLoopbackName(opts.host)) process.stderr.write(`${messages.hostWarning(opts.host)}\n`);
  const learners = opts.learners
    ?.split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  let result;
  try {
    result = await classroomStart({
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.host ? { host: opts.host } : {}),
      ...(opts.target ? { target: opts.target } : {}),
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(learners?.length ? { learners } : {}),
      ...(opts.new ? { fresh: true } : {}),
      ...(opts.ecrPoll ? { ecrPollSeconds: opts.ecrPoll } : {}),
      onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
    });
  } catch (error) {
    if (error instanceof DaemonError) throw new ExitError(error.message, EXIT.unable);
    throw error;
  }
  const { runtime, alreadyRunning } = result;
  if (opts.json) out(JSON.stringify({ running: true, alreadyRunning, ...runtime, joinCommand: joinCommandOf(runtime) }));
  else out(describe(runtime, alreadyRunning));
}

/** `classroom status`: exit 0 when running, 1 when not. */
export async function status(opts: { json?: boolean }): Promise<void> {
  const { findRunningClassroom, fetchBoard } = await import('../../classroom/control.js');
  const runtime = await findRunningClassroom();
  if (!runtime) {
    const { readRoom } = await import('../../classroom/store.js');
    const { displayCode } = await import('../../classroom/room.js');
    const saved = (await readRoom()).state;
    const summary = saved ? { code: displayCode(saved.code), learners: saved.learners.length } : undefined;
    if (opts.json) out(JSON.stringify({ running: false, saved: summary ?? null }));
    else out(messages.notRunning(summary));
    process.exitCode = EXIT.failed;
    return;
  }
  const board = await fetchBoard(runtime);
  const joined = board.learners.filter((l) => l.joined).length;
  if (opts.json) {
    out(JSON.stringify({ running: true, ...runtime, learners: board.learners.length, joined, stuck: board.stuck.length, joinCommand: board.room.joinCommand }));
    return;
  }
  const uptime = Math.round((Date.now() - Date.parse(runtime.startedAt)) / 1000);
  out(
    [
      `Classroom ${runtime.code} is running (pid ${runtime.pid}, up ${uptime} s): ${joined} learner${joined === 1 ? '' : 's'} joined, ${board.stuck.length} stuck.`,
      messages.joinWith(board.room.joinCommand),
      messages.boardAt(runtime.boardUrl),
    ].join('\n'),
  );
}

/** `classroom stop`. */
export async function stop(opts: { json?: boolean }): Promise<void> {
  const { classroomStop } = await import('../../classroom/control.js');
  const stopped = await classroomStop();
  if (opts.json) out(JSON.stringify({ stopped: !!stopped, code: stopped?.code ?? null }));
  else out(stopped ? messages.stopped(stopped.code) : messages.wasNotRunning);
}

/** The room's board: from the running server, else computed from the saved room. */
async function currentBoard(): Promise<{ board: BoardView; state?: RoomState; running: boolean }> {
  const { findRunningClassroom, fetchBoard } = await import('../../classroom/control.js');
  const { readRoom } = await import('../../classroom/store.js');
  const runtime = await findRunningClassroom();
  if (runtime) return { board: await fetchBoard(runtime), state: (await readRoom()).state, running: true };
  const { state, warning } = await readRoom();
  if (warning) process.stderr.write(`warning: ${warning}\n`);
  if (!state) throw new ExitError(messages.noRoom, EXIT.failed);
  const { loadCourseFast } = await import('../../course/cache.js');
  const { stepInfos } = await import('../../classroom/index.js');
  const { boardView } = await import('../../classroom/board.js');
  return { board: boardView(state, stepInfos(await loadCourseFast()), new Date(), { urls: [] }), state, running: false };
}

/** `classroom report [--json | --csv]`: the board as text, JSON or CSV. */
export async function report(opts: { json?: boolean; csv?: boolean }): Promise<void> {
  if (opts.json && opts.csv) throw new ExitError('Choose one of --json and --csv.', EXIT.unable);
  const { board } = await currentBoard();
  if (opts.json) out(JSON.stringify(board));
  else if (opts.csv) process.stdout.write((await import('../../classroom/report.js')).reportCsv(board));
  else out((await import('../../classroom/report.js')).reportText(board));
}

/** `classroom roster [--json] [--policy NAME]`: each learner's prefix and the IAM policy to attach (aws rooms). */
export async function roster(opts: { json?: boolean; policy?: string }): Promise<void> {
  const { board, state } = await currentBoard();
  const learners = board.learners.map((l) => ({ name: l.name, joined: l.joined }));
  if (board.room.target !== 'aws' || !board.room.accountId || !board.room.region) {
    if (opts.policy) throw new ExitError(messages.rosterSandbox, EXIT.failed);
    if (opts.json) out(JSON.stringify({ target: board.room.target, learners }));
    else out([messages.rosterSandbox, ...(learners.length ? ['', ...learners.map((l) => `  ${l.name}${l.joined ? '' : ` (${messages.boardText.notJoined})`}`)] : ['', messages.rosterEmpty])].join('\n'));
    return;
  }
  const { writePolicies, policyFile } = await import('../../classroom/aws.js');
  const { classroomHome } = await import('../../classroom/store.js');
  const { repoForLearner, DEFAULT_REPO } = await import('../../course/vars.js');
  const dir = classroomHome();
  const { accountId, region } = board.room;
  const policies = await writePolicies(dir, learners.map((l) => l.name), region, accountId);
  if (opts.policy) {
    const name = learners.find((l) => l.name.toLowerCase() === opts.policy!.toLowerCase())?.name;
    if (!name) throw new ExitError(messages.noSuchLearner(opts.policy), EXIT.failed);
    out(JSON.stringify(policies.get(name), null, 2));
    return;
  }
  const rows = learners.map((l) => ({ ...l, prefix: `${l.name}/`, repository: repoForLearner(DEFAULT_REPO, l.name), policyFile: policyFile(dir, l.name), policy: policies.get(l.name) }));
  if (opts.json) {
    out(JSON.stringify({ target: 'aws', accountId, region, profile: state?.profile ?? null, learners: rows }));
    return;
  }
  if (rows.length === 0) {
    out(messages.rosterEmpty);
    return;
  }
  out([messages.rosterHeader(accountId, region), ...rows.map((r) => messages.rosterLine(r.name, r.prefix, r.policyFile)), messages.rosterHowTo(rows[0]!.name, rows[0]!.policyFile)].join('\n'));
}

/** `classroom sweep [--dry-run] [--yes] [--json]`: deletes what the room's ownership tags show it created on AWS, with the cost, and nothing else. */
export async function sweep(opts: { dryRun?: boolean; yes?: boolean; json?: boolean }): Promise<void> {
  const { state } = await currentBoard();
  if (!state) throw new ExitError(messages.noRoom, EXIT.failed);
  if (state.target !== 'aws') {
    if (opts.json) out(JSON.stringify({ target: 'sandbox', repositories: [] }));
    else out(messages.sweepSandbox);
    return;
  }
  const { resolveAws } = await import('../../targets/aws.js');
  const { planRoomSweep } = await import('../../aws/cleanup.js');
  const { explainAwsError } = await import('../../aws/errors.js');
  const { carryOutPlan } = await import('./aws.js');
  let resolved;
  try {
    resolved = await resolveAws({ region: state.region, profile: state.profile });
  } catch (error) {
    throw new ExitError((error as Error).message, EXIT.unable);
  }
  if (!resolved.callerArn) throw new ExitError(messages.awsNeedsAccount(resolved.identityProblem ?? 'no credentials were found'), EXIT.unable);
  if (state.accountId && resolved.accountId !== state.accountId) {
    throw new ExitError(`The room is on AWS account ${state.accountId}, but these credentials are for ${resolved.accountId}: nothing was looked at. Use that account's profile.`, EXIT.unable);
  }
  const learners = state.learners.map((l) => l.name);
  let plan;
  try {
    plan = await planRoomSweep(resolved, { learners });
  } catch (error) {
    throw new ExitError(explainAwsError(error, `ECR in ${resolved.region}`), EXIT.unable);
  }
  await carryOutPlan(
    resolved,
    plan,
    opts,
    {
      where: messages.sweepWhere(plan.accountId, plan.region, learners.length),
      nothingOwned: messages.sweepNothing,
      ownedHeader: messages.sweepOwnedHeader,
      total: (usd) => messages.sweepTotal(usd),
      notOwnedHeader: messages.sweepKeptHeader,
      kept: (r) => messages.sweepKeptWhy(r.ownership, r.learner),
      otherLearners: messages.sweepOthers,
      listLimited: messages.sweepListLimited,
      dryRun: messages.sweepDryRun,
      needsYes: messages.sweepNeedsYes,
      confirm: messages.sweepConfirm,
      declined: messages.sweepDeclined,
      done: () => messages.sweepDone,
    },
    { learners },
  );
}

/** `join <url> <code> --name NAME`: registers with the classroom and remembers it in progress. */
export async function join(url: string, code: string, opts: { name?: string; json?: boolean }): Promise<void> {
  const { ProgressStore } = await import('../../progress/store.js');
  const { ClassroomClientError, classroomUrl, joinRoom } = await import('../../classroom/client.js');
  const { canonicalCode, displayCode } = await import('../../classroom/room.js');
  const { store, warning } = await ProgressStore.open();
  if (warning) process.stderr.write(`warning: ${warning}\n`);
  const name = opts.name ?? store.progress.learner;
  if (!name) throw new ExitError('Give your name with --name (for example --name alice): it is how your instructor sees you.', EXIT.unable);
  let answer;
  let address: string;
  try {
    address = classroomUrl(url);
    const before = store.progress.classroom;
    // Joining again from this machine keeps the name: the token proves it is the same learner.
    const token = before && before.url === address && before.name.toLowerCase() === name.toLowerCase() ? before.token : undefined;
    answer = await joinRoom(address, code, name, token);
  } catch (error) {
    if (error instanceof ClassroomClientError) throw new ExitError(error.message, error.code === 'unreachable' || error.code === 'bad-url' ? EXIT.unable : EXIT.failed);
    throw error;
  }
  await store.setClassroom({ url: address, code: canonicalCode(code), name: answer.name, token: answer.token, roomId: answer.room.id, target: answer.room.target, joinedAt: new Date().toISOString() });
  if (answer.room.target === 'aws' && answer.room.region) await store.setSettings({ target: 'aws', region: answer.room.region, learner: answer.name });
  if (opts.json) {
    out(JSON.stringify({ joined: true, again: answer.again, url: address, code: displayCode(canonicalCode(code)), name: answer.name, room: answer.room }));
    return;
  }
  const lines = [messages.joined(answer.name, displayCode(canonicalCode(code)), address, answer.again), messages.joinedPromise];
  if (answer.room.target === 'aws' && answer.room.region) lines.push('', messages.joinedAws(answer.name, answer.room.region));
  lines.push('', messages.joinedNext);
  out(lines.join('\n'));
}

/** `leave`: stops reporting to the classroom (progress is kept). */
export async function leave(opts: { json?: boolean }): Promise<void> {
  const { ProgressStore } = await import('../../progress/store.js');
  const { displayCode } = await import('../../classroom/room.js');
  const { store } = await ProgressStore.open();
  const was = store.progress.classroom;
  if (was) await store.setClassroom(undefined);
  if (opts.json) out(JSON.stringify({ left: !!was, code: was ? displayCode(was.code) : null }));
  else out(was ? messages.left(displayCode(was.code)) : messages.notInClassroom);
  if (!was) process.exitCode = EXIT.failed;
}
