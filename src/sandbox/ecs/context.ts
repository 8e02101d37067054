import type { Input } from '../api/validate.js';
import type { EcsBackend, EcsRequestContext } from './backend.js';

/** What every ECS handler gets besides its input: the backend, and who asks where. */
export interface EcsApi extends EcsRequestContext {
  ecs: EcsBackend;
}

/** A thin handler: read and shape parameters, call the backend, shape the output. No rules here. */
export type EcsHandler = (api: EcsApi, input: Input) => Promise<unknown>;
