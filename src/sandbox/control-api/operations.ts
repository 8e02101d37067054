/**
 * The sandbox control API: what the workbook itself asks of a running sandbox (its clock, running
 * lifecycle policies now, what it recorded about pushes and refused calls), for the CLI's
 * `sandbox clock` and `sandbox lifecycle run` and for checks that need more than ECR shows.
 *
 * Wire format: AWS JSON 1.1, `POST /` with `X-Amz-Target: EcrWorkbookSandbox_20261201.<Operation>`,
 * SigV4-signed for the service `ecr-workbook` with the sandbox's own access key (the one
 * `ecr-workbook sandbox env` prints): any other key, a wrong secret, or a request signed for
 * another service is refused as ECR refuses it. Errors are `{"__type","message"}` (api/errors.ts).
 * Client: control-api/client.ts.
 *
 * Adding an operation: add an entry below (its name is the X-Amz-Target suffix) with a one-line
 * summary and a thin handler that validates its input with api/validate.ts and calls the backend;
 * rules and state stay in the backend. The README's control API table lists the operations.
 */
import type { EcrBackend, LifecycleRun, Refusal, RegistryEvent } from '../backend/ecr.js';
import { errors } from '../api/errors.js';
import { checkRepositoryName, optionalInteger, optionalString, requiredInteger, requiredString, type Input } from '../api/validate.js';
import { issueTokenFor, verifyToken } from '../auth/token.js';
import type { IamBackend } from '../iam/backend.js';

/** What a control operation gets besides its input. */
export interface ControlContext {
  backend: EcrBackend;
  /** The sandbox's IAM: whose access key a token is for. */
  iam: IamBackend;
  /** The region the request was signed for: the default for operations about one repository. */
  region: string;
}

export interface ControlOperation {
  /** One line for the README's table and for `UnknownOperationException`. */
  summary: string;
  handler: (ctx: ControlContext, input: Input) => Promise<unknown>;
}

/** The clock as DescribeClock, AdvanceClock and ResetClock answer it (epoch seconds). */
export interface ClockOutput {
  now: number;
  realNow: number;
  offsetSeconds: number;
}

export interface RunLifecycleOutput {
  runs: LifecycleRun[];
}

export interface TagArrivalsOutput {
  repositoryName: string;
  /** `pushedBy`: the principal (user or assumed-role session ARN) whose push or put-image brought the tag. */
  tags: Array<{ imageTag: string; imageDigest: string; via: 'registry' | 'put-image' | 'unknown'; arrivedAt?: number; pushedBy?: string }>;
}

export interface AuthorizationTokenOutput {
  /** base64 of `AWS:<password>`, as GetAuthorizationToken's authorizationToken. */
  authorizationToken: string;
  /** The password alone: what `docker login --username AWS --password-stdin` reads. */
  password: string;
  /** Epoch seconds, on the sandbox's clock. */
  expiresAt: number;
}

export interface RefusalsOutput {
  repositoryName: string;
  refusals: Refusal[];
}

export interface RegistryActivityOutput {
  repositoryName: string;
  events: RegistryEvent[];
}

export interface RegistryLoginOutput {
  /** The identity the token was issued to, while its key (or session) still exists and is active. */
  principalArn?: string;
  accountId: string;
  accessKeyId: string;
  /** The region whose GetAuthorizationToken issued it. */
  region: string;
  issuedAt: number;
  expiresAt: number;
  /** `valid`, `expired`, or `revoked` (its access key deleted or Inactive, its session over). */
  status: 'valid' | 'expired' | 'revoked';
}

/** Ten years: further than any lesson needs, short of overflowing a date. */
const MAX_ADVANCE_SECONDS = 10 * 365 * 86_400;
/** ECR's login tokens last 12 hours; a control-issued one never lasts longer. */
const MAX_TOKEN_SECONDS = 12 * 3600;

function clock(ctx: ControlContext): ClockOutput {
  const { store } = ctx.backend;
  return { now: store.now(), realNow: store.now() - store.clock.offsetSeconds(), offsetSeconds: store.clock.offsetSeconds() };
}

/** The repository an operation is about: its name (validated) and region (default: the signing region). */
function repositoryOf(ctx: ControlContext, input: Input): { region: string; repositoryName: string } {
  const repositoryName = checkRepositoryName(requiredString(input, 'repositoryName'));
  const region = optionalString(input, 'region') ?? ctx.region;
  ctx.backend.requireRepository(region, repositoryName);
  return { region, repositoryName };
}

export const controlOperations: Record<string, ControlOperation> = {
  DescribeClock: {
    summary: "The sandbox's now, real time, and how far ahead the sandbox is (seconds).",
    handler: async (ctx) => clock(ctx),
  },
  AdvanceClock: {
    summary: 'Moves the sandbox clock forward by `seconds` (1 to 10 years): image ages, token expiry and new timestamps follow.',
    handler: async (ctx, input) => {
      const seconds = requiredInteger(input, 'seconds', 1, MAX_ADVANCE_SECONDS);
      await ctx.backend.store.advanceClock(seconds);
      return clock(ctx);
    },
  },
  ResetClock: {
    summary: 'Puts the sandbox clock back on real time.',
    handler: async (ctx) => {
      await ctx.backend.store.resetClock();
      return clock(ctx);
    },
  },
  RunLifecycle: {
    summary: 'Applies lifecycle policies now (all repositories, or `repositoryName` in `region`), as the every-minute schedule does.',
    handler: async (ctx, input): Promise<RunLifecycleOutput> => {
      const filter = input.repositoryName === undefined ? {} : repositoryOf(ctx, input);
      return { runs: await ctx.backend.applyLifecyclePolicies(filter) };
    },
  },
  DescribeTagArrivals: {
    summary: 'How each tag of a repository arrived: pushed through the registry (docker push) or put with the PutImage API, and by whom (a user or role session ARN).',
    handler: async (ctx, input): Promise<TagArrivalsOutput> => {
      const { region, repositoryName } = repositoryOf(ctx, input);
      const repo = ctx.backend.requireRepository(region, repositoryName);
      const tags = ctx.backend.listImages(repo).flatMap((image) =>
        image.tags.map((imageTag) => {
          const arrival = image.tagArrivals?.[imageTag];
          return {
            imageTag,
            imageDigest: image.digest,
            via: arrival?.via ?? ('unknown' as const),
            ...(arrival ? { arrivedAt: arrival.at } : {}),
            ...(arrival?.by ? { pushedBy: arrival.by } : {}),
          };
        }),
      );
      return { repositoryName, tags };
    },
  },
  DescribeRegistryActivity: {
    summary: "The latest registry pulls and IAM denials for a repository, each with the identity whose login made it (ECR keeps only the last pull's time).",
    handler: async (ctx, input): Promise<RegistryActivityOutput> => {
      const { region, repositoryName } = repositoryOf(ctx, input);
      return { repositoryName, events: ctx.backend.registryActivity(region, repositoryName) };
    },
  },
  DescribeRegistryLogin: {
    summary: 'Who a registry password (what `docker login` stored) was issued to, when, and whether it still works.',
    handler: async (ctx, input): Promise<RegistryLoginOutput> => {
      const password = requiredString(input, 'password');
      const { store } = ctx.backend;
      const checked = verifyToken(store.state.tokenSecret, password, store.now());
      if (!checked.ok && checked.reason !== 'expired') throw errors.notASandboxLogin();
      const { claims } = checked;
      const identity = ctx.iam.identityForKey(claims.accessKeyId);
      const status = !checked.ok ? 'expired' : identity ? 'valid' : 'revoked';
      return {
        ...(identity ? { principalArn: identity.arn } : {}),
        accountId: claims.accountId,
        accessKeyId: claims.accessKeyId,
        region: claims.region,
        issuedAt: claims.issuedAt,
        expiresAt: claims.expiresAt,
        status,
      };
      },
    },
  IssueAuthorizationToken: {
    summary:
      'A registry login token for one of the sandbox\'s access keys (`accessKeyId`) that lasts `validForSeconds` (1 s to 12 h, default 12 h): what GetAuthorizationToken gives that key, with a shorter life, so a login can expire while you watch.',
    handler: async (ctx, input): Promise<AuthorizationTokenOutput> => {
      const accessKeyId = requiredString(input, 'accessKeyId', { min: 16, max: 128 });
      const validFor = optionalInteger(input, 'validForSeconds', 1, MAX_TOKEN_SECONDS) ?? MAX_TOKEN_SECONDS;
      const identity = ctx.iam.identityForKey(accessKeyId);
      if (!identity) throw errors.unknownAccessKey(accessKeyId);
      const now = ctx.backend.store.now();
      const token = issueTokenFor(ctx.backend.store.state.tokenSecret, identity, ctx.region, validFor, now);
      return { authorizationToken: token.authorizationToken, password: token.password, expiresAt: token.expiresAt };
    },
  },
  DescribeRecentRefusals: {
    summary: "ECR calls the sandbox refused for a repository since the same operation last succeeded there (the learner's latest mistakes).",
    handler: async (ctx, input): Promise<RefusalsOutput> => {
      const { region, repositoryName } = repositoryOf(ctx, input);
      return { repositoryName, refusals: ctx.backend.recentRefusals(region, repositoryName) };
    },
  },
};

/** The handler for an operation name, or UnknownOperationException naming the ones that exist. */
export function controlOperation(name: string): ControlOperation {
  const operation = Object.prototype.hasOwnProperty.call(controlOperations, name) ? controlOperations[name] : undefined;
  if (!operation) throw errors.unknownControlOperation(name, Object.keys(controlOperations));
  return operation;
}
