/**
 * The classroom server: one port, two audiences.
 * - Learners' CLIs (any address the server listens on): `POST /api/join` and `POST /api/report`,
 *   JSON only, small bodies, the room's join code on every request and a learner's own token on
 *   every report. Wrong codes and tokens from one address are rate-limited.
 * - The instructor (this machine only: a loopback peer and a loopback Host name, so neither the
 *   room nor a web page elsewhere can read it): the board page and its assets, `/api/board`,
 *   `/api/learners/<name>`, and `/api/events`, server-sent events that carry the board live.
 * The rules live in room.ts; this file only routes, reads bodies and writes answers.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import os from 'node:os';
import { hostAllowed, hostName, isLoopbackName } from '../sandbox/host-guard.js';
import { CONTENT_SECURITY_POLICY } from '../util/html.js';
import { BodyTooLarge, readBody } from '../util/http-body.js';
import { listenOn } from '../util/http-server.js';
import type { Asset } from '../util/static-assets.js';
import { boardView, learnerDetail, type BoardView, type EcrView, type StepInfo } from './board.js';
import { ClassroomError, classroomErrors } from './errors.js';
import { renderBoardPage } from './page.js';
import type { Room } from './room.js';

/** Join and report bodies are a few hundred bytes. */
export const MAX_BODY_BYTES = 4096;
/** Browsers (or tabs) watching the board at once. */
export const MAX_WATCHERS = 20;
/** Wrong codes or tokens one address may send per window before it must wait. */
export const MAX_FAILURES = 20;
const FAILURE_WINDOW_MS = 60_000;
/** Board updates are sent at most this often, however fast reports come. */
const BROADCAST_DELAY_MS = 250;
/** The board is re-sent this often anyway: "stuck for" grows, and proxies keep the stream open. */
const REFRESH_MS = 15_000;

export interface ClassroomServerOptions {
  room: Room;
  steps: StepInfo[];
  /** The addresses learners join with (shown on the board and by `classroom start`). */
  urls: () => string[];
  /** The address the server listens on; a non-loopback one is also accepted as a Host name. */
  listenHost: string;
  /** The board's static files, by name. */
  assets: () => Map<string, Asset>;
  /** The real ECR state of the room's prefixes (aws rooms), kept by the caller. */
  ecr?: () => EcrView | undefined;
  now?: () => Date;
}

const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

const plainAddress = (address: string) => (address.startsWith('::ffff:') ? address.slice(7) : address).toLowerCase();

/** This machine's own addresses, every interface: a request from one of them comes from this machine. */
function ownAddresses(): Set<string> {
  return new Set(Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => plainAddress(i.address))));
}

/** Whether a socket's peer is this machine (loopback, or one of its own addresses). */
export function isLocalPeer(address: string | undefined): boolean {
  if (!address) return false;
  const plain = plainAddress(address);
  return plain === '::1' || /^127(\.\d{1,3}){3}$/.test(plain) || ownAddresses().has(plain);
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end >= 0 ? raw.slice(0, end) : raw;
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}

/** Every refusal goes out here, in one shape: `{"error": code, "message": …}`. */
function sendError(res: ServerResponse, error: ClassroomError): void {
  sendJson(res, error.status, { error: error.code, message: error.message }, error.headers);
}

/** The server. `listen`, then `close` when the classroom stops. */
export class ClassroomServer {
  readonly http: http.Server;
  private readonly watchers = new Set<ServerResponse>();
  private readonly failures = new Map<string, { count: number; until: number }>();
  private readonly now: () => Date;
  private broadcastTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: ClassroomServerOptions) {
    this.now = options.now ?? (() => new Date());
    this.http = http.createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, error instanceof ClassroomError ? error : new ClassroomError('internal', 500, `The classroom server failed: ${(error as Error).message}`));
        else res.destroy();
      });
    });
    this.http.headersTimeout = 10_000;
    this.http.requestTimeout = 15_000;
    this.http.keepAliveTimeout = 30_000;
    this.unsubscribe = options.room.onChange(() => this.scheduleBroadcast());
  }

  async listen(port: number, host: string): Promise<number> {
    const taken = await listenOn(this.http, port, host);
    this.refreshTimer ??= setInterval(() => this.broadcast(), REFRESH_MS);
    this.refreshTimer.unref();
    return taken;
  }

  close(): Promise<void> {
    this.unsubscribe();
    clearTimeout(this.broadcastTimer);
    clearInterval(this.refreshTimer);
    return new Promise((resolve) => {
      this.http.close(() => resolve());
      for (const res of this.watchers) res.end();
      // Keep-alive connections and open boards would hold close() up.
      this.http.closeAllConnections();
    });
  }

  /** The board as it is now. */
  view(): BoardView {
    return boardView(this.options.room.state, this.options.steps, this.now(), { urls: this.options.urls(), ecr: this.options.ecr?.() });
  }

  /** Tells every open board about a change (the ECR look of an aws room, say). */
  scheduleBroadcast(): void {
    this.broadcastTimer ??= setTimeout(() => {
      this.broadcastTimer = undefined;
      this.broadcast();
    }, BROADCAST_DELAY_MS);
  }

  private broadcast(): void {
    if (this.watchers.size === 0) return;
    const event = `event: board\ndata: ${JSON.stringify(this.view())}\n\n`;
    for (const res of this.watchers) res.write(event);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = pathOf(req.url);
    if (path === '/health') {
      sendJson(res, 200, { service: 'ecr-workbook classroom', ok: true });
      return;
    }
    if (path === '/api/join' || path === '/api/report') {
      if (!this.learnerHostAllowed(req.headers.host)) throw classroomErrors.badHost(req.headers.host ?? '');
      if (method !== 'POST') throw classroomErrors.methodNotAllowed(method, path, ['POST']);
      await this.learnerRequest(req, res, path);
      return;
    }
    // Everything else is the instructor's, on this machine only.
    const host = req.headers.host ?? '';
    if (!this.instructorHostAllowed(host)) throw classroomErrors.badHost(host);
    if (!isLocalPeer(req.socket.remoteAddress)) throw classroomErrors.instructorOnly();
    if (method !== 'GET' && method !== 'HEAD') throw classroomErrors.methodNotAllowed(method, path, ['GET', 'HEAD']);
    if (path === '/') {
      const body = Buffer.from(renderBoardPage());
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Frame-Options': 'DENY' });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    if (path.startsWith('/assets/')) {
      const asset = this.options.assets().get(path.slice('/assets/'.length));
      if (!asset) throw classroomErrors.notFound(path);
      res.writeHead(200, { ...COMMON_HEADERS, 'Cache-Control': 'no-cache', 'Content-Type': asset.contentType, 'Content-Length': asset.body.length });
      res.end(method === 'HEAD' ? undefined : asset.body);
      return;
    }
    if (path === '/api/board') {
      sendJson(res, 200, this.view());
      return;
    }
    if (path.startsWith('/api/learners/')) {
      let name: string;
      try {
        name = decodeURIComponent(path.slice('/api/learners/'.length));
      } catch {
        throw classroomErrors.notFound(path);
      }
      const learner = this.options.room.learner(name);
      if (!learner) throw classroomErrors.notFound(path);
      sendJson(res, 200, learnerDetail(learner, this.options.steps, this.now(), this.options.ecr?.()));
      return;
    }
    if (path === '/api/events') {
      this.watch(res);
      return;
    }
    throw classroomErrors.notFound(path);
  }

  /**
   * The board answers only to this machine's own names (DNS-rebinding guard: a web page elsewhere
   * cannot read it under a name of its own): loopback names, its addresses, and --host.
   */
  private instructorHostAllowed(host: string): boolean {
    const name = hostName(host);
    if (isLoopbackName(name) || name === this.options.listenHost.toLowerCase()) return true;
    return ownAddresses().has(name.replace(/^\[|\]$/g, ''));
  }

  /** Learners may come from the network when the server listens beyond loopback. */
  private learnerHostAllowed(host: string | undefined): boolean {
    if (WILDCARD_HOSTS.has(this.options.listenHost)) return !!host;
    return hostAllowed(host, isLoopbackName(this.options.listenHost) ? undefined : this.options.listenHost);
  }

  private async learnerRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const address = req.socket.remoteAddress ?? '';
    this.refuseIfLimited(address);
    // Only a JSON body: a web page cannot send one across origins without a preflight we never answer.
    if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      res.setHeader('Connection', 'close');
      throw classroomErrors.needsJson();
    }
    let body: Record<string, unknown>;
    try {
      const raw = await readBody(req, MAX_BODY_BYTES);
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw classroomErrors.badJson();
      body = parsed as Record<string, unknown>;
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        if (!error.drained) res.setHeader('Connection', 'close');
        throw classroomErrors.tooLarge(MAX_BODY_BYTES);
      }
      if (error instanceof ClassroomError) throw error;
      throw classroomErrors.badJson();
    }
    const room = this.options.room;
    try {
      if (path === '/api/join') {
        const joined = room.join(body.code, body.name, body.token);
        sendJson(res, joined.again ? 200 : 201, {
          name: joined.learner.name,
          token: joined.token,
          again: joined.again,
          room: { id: room.state.id, target: room.state.target, region: room.state.region ?? null, accountId: room.state.accountId ?? null, steps: this.options.steps.length },
        });
      } else {
        const bearer = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
        const { code, ...report } = body;
        room.report(code, bearer, report);
        res.writeHead(204, COMMON_HEADERS);
        res.end();
      }
    } catch (error) {
      if (error instanceof ClassroomError && (error.code === 'wrong-code' || error.code === 'unknown-learner')) this.noteFailure(address);
      throw error;
    }
  }

  private refuseIfLimited(address: string): void {
    const entry = this.failures.get(address);
    if (!entry) return;
    const now = Date.now();
    if (entry.until <= now) this.failures.delete(address);
    else if (entry.count >= MAX_FAILURES) throw classroomErrors.tooManyAttempts(Math.ceil((entry.until - now) / 1000));
  }

  private noteFailure(address: string): void {
    const now = Date.now();
    const entry = this.failures.get(address);
    if (entry && entry.until > now) entry.count++;
    else {
      // Bounded: a flood of addresses cannot grow this without end.
      if (this.failures.size > 10_000) for (const [key, value] of this.failures) if (value.until <= now) this.failures.delete(key);
      this.failures.set(address, { count: 1, until: now + FAILURE_WINDOW_MS });
    }
  }

  private watch(res: ServerResponse): void {
    if (this.watchers.size >= MAX_WATCHERS) throw classroomErrors.tooManyWatchers(MAX_WATCHERS);
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`retry: 2000\nevent: board\ndata: ${JSON.stringify(this.view())}\n\n`);
    this.watchers.add(res);
    res.on('close', () => this.watchers.delete(res));
  }
}
