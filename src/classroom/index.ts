/**
 * A classroom in this process: the room (saved, or new), its server on one port, the board's
 * files, and on a shared AWS account the learners' policies and a regular look at their
 * repositories. The daemon behind `classroom start` runs this; tests run it directly.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCourseFast } from '../course/cache.js';
import type { Course } from '../course/load.js';
import { consoleAssetsDir } from '../sandbox/console/assets.js';
import type { ResolvedTarget } from '../targets/index.js';
import { findAssetsDir, loadAssetFiles, type Asset } from '../util/static-assets.js';
import type { EcrView, StepInfo } from './board.js';
import * as messages from './messages.js';
import { Room, type RoomState, type RoomTarget } from './room.js';
export { DEFAULT_CLASSROOM_PORT } from './runtime.js';
import { ClassroomServer } from './server.js';
import { archiveRoom, readRoom, RoomSaver } from './store.js';

/**
 * How often an aws room reads its learners' repositories for the board. ECR's API quotas are
 * per account and region, shared with the learners' own calls: once a minute is plenty.
 */
export const ECR_POLL_SECONDS = 60;

export interface ClassroomOptions {
  /** The classroom's folder: room.json, policies/. */
  dir: string;
  /** 0 picks a free port. */
  port?: number;
  /** When `port` is taken, take a free one instead of failing (the default port, not one the user chose). */
  anyPortIfBusy?: boolean;
  /** Address to listen on: 127.0.0.1 unless the instructor chose otherwise. */
  host?: string;
  /** For a new room (a saved room keeps its own). */
  target?: RoomTarget;
  region?: string;
  /** The instructor's AWS profile (aws rooms). */
  profile?: string;
  /** Names to list on the board before they join. */
  learners?: string[];
  /** Move the saved room aside and open a new one. */
  fresh?: boolean;
  ecrPollSeconds?: number;
  env?: NodeJS.ProcessEnv;
  /** Where the lessons are (tests); the package's by default. */
  lessonsDir?: string;
  onWarning?: (message: string) => void;
  now?: () => Date;
}

export interface RunningClassroom {
  port: number;
  /** Where learners join (first: the one to show). */
  urls: string[];
  /** The board, on this machine. */
  boardUrl: string;
  room: Room;
  server: ClassroomServer;
  /** The room was saved before and opened again. */
  resumed: boolean;
  archivedTo?: string;
  /** The instructor's AWS target (aws rooms). */
  aws?: ResolvedTarget;
  /** Reads the aws room's repositories now (the board shows the result); undefined on a sandbox room. */
  lookAtEcr?: () => Promise<EcrView>;
  stop(): Promise<void>;
}

/** The columns of the board: every step of the course, in order. */
export function stepInfos(course: Course): StepInfo[] {
  const numbers = new Map(course.lessons.map((l) => [l.id, l.number]));
  return course.steps.map((s) => ({ id: s.id, lesson: numbers.get(s.lessonId) ?? 0, title: s.title.replace(/\{\{\s*\w+\s*\}\}/g, '…') }));
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);
const isLoopbackHost = (host: string) => host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

/** The addresses learners can join at, for the address the server listens on. */
export function joinUrls(host: string, port: number, interfaces = os.networkInterfaces()): string[] {
  const url = (address: string) => `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  if (isLoopbackHost(host)) return [url('127.0.0.1')];
  if (!WILDCARDS.has(host)) return [url(host)];
  const external = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal && i.family === 'IPv4')
    .map((i) => url(i.address));
  return [...external, url('127.0.0.1')];
}

/** The board's files: its own, and the console's style and DOM helpers, served as they are. */
function boardAssets(): Map<string, Asset> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const own = findAssetsDir(here, path.join('src', 'classroom', 'assets'), ['board.js', 'board.css']);
  if (!own) throw new Error(`The classroom board's files are missing (looked for ${path.join(here, 'assets')}). Reinstall ecr-workbook, or run it from its source folder.`);
  const shared = consoleAssetsDir();
  const assets = loadAssetFiles(own, { 'board.js': 'text/javascript; charset=utf-8', 'board.css': 'text/css; charset=utf-8' });
  for (const [name, asset] of loadAssetFiles(shared, { 'console.css': 'text/css; charset=utf-8', 'dom.js': 'text/javascript; charset=utf-8' })) assets.set(name, asset);
  return assets;
}

/** Opens the saved room (or a new one) with the options' rules for target and account. */
async function openRoom(o: ClassroomOptions): Promise<{ state: RoomState; resumed: boolean; archivedTo?: string }> {
  const archivedTo = o.fresh ? await archiveRoom(o.dir) : undefined;
  const saved = o.fresh ? {} : await readRoom(o.dir);
  if (saved.warning) o.onWarning?.(saved.warning);
  if (saved.state) {
    if (o.target && o.target !== saved.state.target) throw new Error(messages.roomTargetDiffers(saved.state.target, o.target));
    return { state: saved.state, resumed: true };
  }
  return { state: Room.create({ target: o.target ?? 'sandbox', ...(o.region ? { region: o.region } : {}), ...(o.profile ? { profile: o.profile } : {}) }, (o.now ?? (() => new Date()))()), resumed: false, ...(archivedTo ? { archivedTo } : {}) };
}

/** Resolves the instructor's account for an aws room, and holds the room to it. */
async function instructorTarget(state: RoomState, o: ClassroomOptions): Promise<ResolvedTarget> {
  const { resolveAws } = await import('../targets/aws.js');
  const resolved = await resolveAws({ region: state.region ?? o.region, profile: state.profile ?? o.profile, env: o.env ?? process.env });
  if (!resolved.callerArn) throw new Error(messages.awsNeedsAccount(resolved.identityProblem ?? 'no credentials were found'));
  if (state.accountId && state.accountId !== resolved.accountId) {
    throw new Error(
      `The room was opened on AWS account ${state.accountId}, but these credentials are for account ${resolved.accountId}. Use that account's profile (--profile), or open a new room with --new.`,
    );
  }
  state.accountId = resolved.accountId;
  state.region = resolved.region;
  return resolved;
}

/** Starts a classroom in this process. */
export async function startClassroom(o: ClassroomOptions): Promise<RunningClassroom> {
  const now = o.now ?? (() => new Date());
  const course = await loadCourseFast(o.lessonsDir);
  const steps = stepInfos(course);
  const { state, resumed, archivedTo } = await openRoom(o);
  const aws = state.target === 'aws' ? await instructorTarget(state, o) : undefined;
  const room = new Room(state, { steps: steps.map((s) => s.id), now });
  if (o.learners?.length) room.addListed(o.learners);

  const saver = new RoomSaver(o.dir, state, 500, (error) => o.onWarning?.(`Could not save the room: ${error.message}`));
  room.onChange(() => saver.changed());
  saver.changed(); // the room file exists from the start (report and sweep read it)
  await saver.flush();

  let ecr: EcrView | undefined;
  let lookAtEcr: (() => Promise<EcrView>) | undefined;
  let poll: NodeJS.Timeout | undefined;
  const listenHost = o.host ?? '127.0.0.1';
  let port = o.port ?? 0;
  const assets = boardAssets();
  const server = new ClassroomServer({ room, steps, listenHost, urls: () => joinUrls(listenHost, port), assets: () => assets, ecr: () => ecr, now });

  if (aws) {
    const { writePolicies, lookAtEcr: look } = await import('./aws.js');
    const names = () => state.learners.map((l) => l.name);
    const policies = () => writePolicies(o.dir, names(), aws.region, aws.accountId).catch((error: Error) => o.onWarning?.(`Could not write the learners' policies: ${error.message}`));
    await policies();
    room.onChange((kind) => {
      if (kind === 'join') void policies();
    });
    let looking: Promise<EcrView> | undefined;
    lookAtEcr = () =>
      (looking ??= look(aws, names(), ecr, now).then((view) => {
        ecr = view;
        looking = undefined;
        server.scheduleBroadcast();
        return view;
      }));
    void lookAtEcr();
    poll = setInterval(() => void lookAtEcr?.(), (o.ecrPollSeconds ?? ECR_POLL_SECONDS) * 1000);
    poll.unref();
  }

  try {
    port = await server.listen(port, listenHost);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !o.anyPortIfBusy) {
      clearInterval(poll);
      throw error;
    }
    o.onWarning?.(`Port ${port} is in use; the classroom takes a free port instead (see \`ecr-workbook classroom status\`).`);
    port = await server.listen(0, listenHost);
  }
  const boardHost = isLoopbackHost(listenHost) || WILDCARDS.has(listenHost) ? 'localhost' : listenHost.includes(':') ? `[${listenHost}]` : listenHost;

  let stopped: Promise<void> | undefined;
  return {
    port,
    urls: joinUrls(listenHost, port),
    boardUrl: `http://${boardHost}:${port}/`,
    room,
    server,
    resumed,
    ...(archivedTo ? { archivedTo } : {}),
    ...(aws ? { aws } : {}),
    ...(lookAtEcr ? { lookAtEcr } : {}),
    stop() {
      stopped ??= (async () => {
        clearInterval(poll);
        await server.close();
        await saver.flush();
      })();
      return stopped;
    },
  };
}
