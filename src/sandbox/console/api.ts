/**
 * The console's JSON endpoints under /console/api/. Each one calls the ECR operation handler the
 * API uses (api/handlers/*), with the API's input shape, so validation, rules, error codes and
 * messages are the API's own, and what the page changes the CLI sees. Errors go out as the API's
 * `{"__type", "message"}`.
 */
import { AwsError, errors } from '../api/errors.js';
import { operations, type ApiContext } from '../api/operations.js';
import type { Input } from '../api/validate.js';
import type { EcrBackend } from '../backend/ecr.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { IamBackend } from '../iam/backend.js';
import { renderPushCommands, type PushCommands } from './push-commands.js';
import type { Course } from '../../course/load.js';

/** What the endpoints act with: the sandbox's learner (authorized as the API would), in the sandbox's region. */
export interface ConsoleApiOptions {
  backend: EcrBackend;
  iam: IamBackend;
  authorizer: Authorizer;
  region: string;
  tokenTtlSeconds: number;
  /** The course, loaded on first use (push commands only). */
  course: () => Promise<Course>;
}

/** One call: the decoded path parameters and the JSON body (`{}` for GET). */
interface Call {
  params: string[];
  body: Input;
}

/** An endpoint: method, path segments after /console/api/ (`*` is one parameter), what it does. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string[];
  run: (call: Call) => Promise<unknown>;
}

/** The console's error codes for requests the console itself refuses (ECR's own errors pass through). */
export const consoleErrors = {
  forbidden: (message: string) => new AwsError('AccessDeniedException', message, 403),
  notFound: (message: string) => new AwsError('NotFoundException', message, 404),
  methodNotAllowed: (message: string) => new AwsError('MethodNotAllowedException', message, 405),
};

/** The endpoints, as data. Repository names travel as one URL-encoded path segment (they hold `/`). */
export function consoleRoutes(options: ConsoleApiOptions): Route[] {
  const { backend, region } = options;
  const call = async (operation: string, input: Input): Promise<Record<string, unknown>> => {
    const handler = operations[operation];
    if (!handler) throw errors.notImplemented(operation);
    // The page is the learner at the console: their policies apply as to their CLI calls.
    const identity = options.iam.identityForKey(backend.store.state.credentials.accessKeyId);
    if (!identity) throw errors.unrecognizedClient();
    const denial = options.authorizer.ecr(identity, region, operation, input);
    if (denial) throw errors.accessDenied(denial.message);
    const api: ApiContext = {
      backend,
      region,
      operation,
      identity,
      tokenTtlSeconds: options.tokenTtlSeconds,
      proxyEndpoint: `http://${backend.env.registryHost()}`,
    };
    return (await handler(api, input)) as Record<string, unknown>;
  };
  /** Every page of a paged Describe call, so the page shows all of them (as the console does). */
  const allPages = async (operation: string, input: Input, member: string): Promise<unknown[]> => {
    const items: unknown[] = [];
    let nextToken: unknown;
    do {
      const out = await call(operation, { ...input, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
      items.push(...((out[member] as unknown[] | undefined) ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    return items;
  };
  const name = (c: Call) => c.params[0] ?? '';

  return [
    {
      method: 'GET',
      path: ['repositories'],
      run: async () => ({ repositories: await allPages('DescribeRepositories', {}, 'repositories') }),
    },
    // The body is CreateRepository's own input, so the API validates exactly what the page sent.
    { method: 'POST', path: ['repositories'], run: (c) => call('CreateRepository', c.body) },
    {
      method: 'GET',
      path: ['repositories', '*'],
      run: async (c) => {
        const out = await call('DescribeRepositories', { repositoryNames: [name(c)] });
        return { repository: (out.repositories as unknown[])[0] };
      },
    },
    { method: 'DELETE', path: ['repositories', '*'], run: (c) => call('DeleteRepository', { ...c.body, repositoryName: name(c) }) },
    {
      method: 'GET',
      path: ['repositories', '*', 'images'],
      run: async (c) => ({ imageDetails: await allPages('DescribeImages', { repositoryName: name(c) }, 'imageDetails') }),
    },
    {
      method: 'POST',
      path: ['repositories', '*', 'images', 'batch-delete'],
      run: (c) => call('BatchDeleteImage', { ...c.body, repositoryName: name(c) }),
    },
    {
      method: 'GET',
      path: ['repositories', '*', 'push-commands'],
      run: async (c): Promise<PushCommands> => {
        // The repository must exist, with the API's error if not (or if the name is invalid).
        await call('DescribeRepositories', { repositoryNames: [name(c)] });
        return renderPushCommands(await options.course(), {
          region,
          accountId: backend.accountId,
          registryHost: backend.env.registryHost(),
          // The endpoint the lessons give (`http://localhost:PORT`), whichever loopback name the page is on.
          endpoint: `http://${backend.env.registryHost()}`,
          repositoryName: name(c),
        });
      },
    },
  ];
}

/** The route a request names: a match, a known path with another method, or nothing. */
export function matchRoute(
  routes: Route[],
  method: string,
  segments: string[],
): { route: Route; params: string[] } | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const route of routes) {
    if (route.path.length !== segments.length) continue;
    const params: string[] = [];
    const matches = route.path.every((part, i) => {
      if (part === '*') {
        params.push(segments[i] ?? '');
        return true;
      }
      return part === segments[i];
    });
    if (!matches) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : undefined;
}
