/**
 * The sandbox console: a web page like the ECR console's private-repository pages, served on
 * the sandbox's one port. Pages and static files answer GET; the page reads and writes through
 * /console/api/, which calls the ECR API's own handlers (see api.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadCourse, type Course } from '../../course/load.js';
import { parseJsonBody, requestId, toAwsError } from '../api/protocol.js';
import { AwsError, errors } from '../api/errors.js';
import type { Input } from '../api/validate.js';
import type { EcrBackend } from '../backend/ecr.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { IamBackend } from '../iam/backend.js';
import { MAX_API_BODY_BYTES, TOKEN_TTL_SECONDS } from '../config.js';
import { readBody } from '../../util/http-body.js';
import type { ConsoleFrontend } from '../server.js';
import { consoleErrors, consoleRoutes, matchRoute, type Route } from './api.js';
import { loadAssets, type Asset } from './assets.js';
import { serverText } from './messages.js';
import { sameOriginRequest, SAFE_METHODS } from './origin.js';
import { CONTENT_SECURITY_POLICY } from '../../util/html.js';
import { consoleData, renderPage } from './page.js';

export interface ConsoleOptions {
  backend: EcrBackend;
  iam: IamBackend;
  authorizer: Authorizer;
  /** The sandbox's region: the console shows and creates repositories there. */
  region: string;
  tokenTtlSeconds?: number;
  /** Where the lessons are (tests); the package's lessons by default. */
  lessonsDir?: string;
  /** Where console.js and console.css are; found next to the module or in the package by default. */
  assetsDir?: string;
}

const API_PREFIX = '/console/api/';
const ASSET_PREFIX = '/console/assets/';

/** Headers every console answer carries: no sniffing, no referrer to other sites. */
const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

/** The page's paths: the repository list, the create form, one repository's details. */
export function isPagePath(pathname: string): boolean {
  return pathname === '/' || pathname === '/repositories' || pathname === '/create-repository' || pathname.startsWith('/repositories/');
}

/** Creates the console the sandbox server hands every request that is not API, STS or registry. */
export function createConsole(options: ConsoleOptions): ConsoleFrontend {
  let assets: Map<string, Asset> | undefined;
  let course: Promise<Course> | undefined;
  const routes: Route[] = consoleRoutes({
    backend: options.backend,
    iam: options.iam,
    authorizer: options.authorizer,
    region: options.region,
    tokenTtlSeconds: options.tokenTtlSeconds ?? TOKEN_TTL_SECONDS,
    course: () => {
      // Loaded once; a failed load is retried next time (the lesson may have been fixed).
      course ??= loadCourse(options.lessonsDir).catch((error: unknown) => {
        course = undefined;
        throw error;
      });
      return course;
    },
  });

  const page = () =>
    renderPage(
      consoleData({ region: options.region, accountId: options.backend.accountId, registryHost: options.backend.env.registryHost() }),
    );

  return {
    handle(req, res) {
      const method = req.method ?? 'GET';
      const pathname = pathOf(req.url);
      if (pathname.startsWith('/console/')) {
        if (!SAFE_METHODS.has(method) && !sameOriginRequest(req.headers)) {
          // Refused before the body is read or anything is routed: nothing can change.
          res.setHeader('Connection', 'close');
          sendError(res, consoleErrors.forbidden(serverText.crossOrigin(req.headers.origin ?? '')));
          return true;
        }
        if (pathname.startsWith(API_PREFIX)) {
          void handleApi(routes, req, res, method, pathname);
          return true;
        }
        if (pathname.startsWith(ASSET_PREFIX) && SAFE_METHODS.has(method)) {
          try {
            assets ??= loadAssets(options.assetsDir);
          } catch (error) {
            sendError(res, toAwsError(error));
            return true;
          }
          const asset = assets.get(pathname.slice(ASSET_PREFIX.length));
          if (asset) {
            send(res, 200, asset.contentType, asset.body, method, { 'Cache-Control': 'no-cache' });
            return true;
          }
        }
        sendError(res, consoleErrors.notFound(serverText.notFound(pathname)));
        return true;
      }
      if (SAFE_METHODS.has(method) && isPagePath(pathname)) {
        send(res, 200, 'text/html; charset=utf-8', Buffer.from(page()), method, {
          'Content-Security-Policy': CONTENT_SECURITY_POLICY,
          'X-Frame-Options': 'DENY',
          'Cache-Control': 'no-store',
        });
        return true;
      }
      return false;
    },
  };
}

/** The path of a request URL, without query or fragment. */
function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end >= 0 ? raw.slice(0, end) : raw;
}

async function handleApi(routes: Route[], req: IncomingMessage, res: ServerResponse, method: string, pathname: string): Promise<void> {
  try {
    let segments: string[];
    try {
      segments = pathname.slice(API_PREFIX.length).split('/').map(decodeURIComponent);
    } catch {
      throw consoleErrors.notFound(serverText.notFound(pathname));
    }
    const match = matchRoute(routes, method, segments);
    if (!match) throw consoleErrors.notFound(serverText.notFound(pathname));
    if ('allowed' in match) {
      res.setHeader('Allow', match.allowed.join(', '));
      throw consoleErrors.methodNotAllowed(serverText.methodNotAllowed(method, pathname));
    }
    const body = method === 'GET' ? {} : await readJson(req, res);
    sendJson(res, 200, await match.route.run({ params: match.params, body }));
  } catch (error) {
    const awsError = toAwsError(error);
    if (awsError.status >= 500) console.error(`[sandbox console] ${awsError.message}`, error);
    sendError(res, awsError);
  }
}

/** The request's JSON object body (empty counts as `{}`), with the API's limit and errors. */
async function readJson(req: IncomingMessage, res: ServerResponse): Promise<Input> {
  let body: Buffer;
  try {
    body = await readBody(req, MAX_API_BODY_BYTES);
  } catch {
    // Unread bytes would be taken for the next request.
    res.setHeader('Connection', 'close');
    throw errors.payloadTooLarge(MAX_API_BODY_BYTES);
  }
  return parseJsonBody(body);
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer,
  method = 'GET',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(value ?? {})), 'GET', {
    'Cache-Control': 'no-store',
    'x-amzn-RequestId': requestId(),
  });
}

/** An error as the API writes it: `{"__type", "message"}` with its status. */
function sendError(res: ServerResponse, error: AwsError): void {
  sendJson(res, error.status, { __type: error.code, message: error.message });
}
