import type { EcrBackend } from '../backend/ecr.js';
import type { Identity } from '../iam/types.js';
import type { Input } from './validate.js';

/** What every operation handler gets besides its input. */
export interface ApiContext {
  backend: EcrBackend;
  /** The region the request was signed for: repositories are kept per region. */
  region: string;
  /** The operation being served (`CreateRepository`), for AccessDenied wording. */
  operation: string;
  /** Who is calling (already authorized): login tokens carry it. */
  identity: Identity;
  tokenTtlSeconds: number;
  /** `http://localhost:PORT`: GetAuthorizationToken's proxyEndpoint. */
  proxyEndpoint: string;
}

/** A thin handler: validate and shape parameters, call the backend, shape the output. No rules here. */
export type OperationHandler = (api: ApiContext, input: Input) => Promise<unknown>;
