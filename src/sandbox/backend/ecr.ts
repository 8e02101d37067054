import { errors } from '../api/errors.js';
import type { SandboxStore } from './store.js';
import type { RepositoryRecord, Tag, TagMutability } from './types.js';

/** Where the backend learns the registry host that repository URIs name. */
export interface BackendEnvironment {
  /** `localhost:PORT`: the host docker pushes to. */
  registryHost(): string;
}

/** Called when images leave the sandbox's books, so the registry can drop their content too. */
export type ImagesRemovedHook = (region: string, repositoryName: string, digests: string[]) => void;

/** The per-request context every operation gets: the region the request was signed for. */
export interface RequestContext {
  region: string;
}

/**
 * ECR's state and every rule, with no HTTP inside: the API handlers and the registry proxy
 * both call into it. Methods mutate the store and await its save before answering.
 */
export class EcrBackend {
  onImagesRemoved: ImagesRemovedHook = () => {};

  constructor(
    readonly store: SandboxStore,
    readonly env: BackendEnvironment,
  ) {}

  get accountId(): string {
    return this.store.state.accountId;
  }

  repositoryArn(region: string, name: string): string {
    return `arn:aws:ecr:${region}:${this.accountId}:repository/${name}`;
  }

  repositoryUri(name: string): string {
    return `${this.env.registryHost()}/${name}`;
  }

  /** The repository, or undefined: no error, for callers that decide what missing means. */
  findRepository(region: string, name: string): RepositoryRecord | undefined {
    return this.store.state.regions[region]?.repositories[name];
  }

  /** The repository, or RepositoryNotFoundException. */
  requireRepository(region: string, name: string): RepositoryRecord {
    const repo = this.findRepository(region, name);
    if (!repo) throw errors.repositoryNotFound(name, this.accountId);
    return repo;
  }

  /** The API's view of a repository record. */
  describeRepository(region: string, repo: RepositoryRecord): Record<string, unknown> {
    return {
      repositoryArn: this.repositoryArn(region, repo.name),
      registryId: this.accountId,
      repositoryName: repo.name,
      repositoryUri: this.repositoryUri(repo.name),
      createdAt: repo.createdAt,
      imageTagMutability: repo.imageTagMutability,
      ...(repo.imageTagMutabilityExclusionFilters
        ? { imageTagMutabilityExclusionFilters: repo.imageTagMutabilityExclusionFilters }
        : {}),
      imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
      encryptionConfiguration: repo.encryption,
    };
  }

  async createRepository(
    ctx: RequestContext,
    input: {
      repositoryName: string;
      imageTagMutability?: TagMutability;
      scanOnPush?: boolean;
      tags?: Tag[];
      encryption?: RepositoryRecord['encryption'];
    },
  ): Promise<RepositoryRecord> {
    const region = this.store.region(ctx.region);
    if (region.repositories[input.repositoryName]) {
      throw errors.repositoryAlreadyExists(input.repositoryName, this.accountId);
    }
    const repo: RepositoryRecord = {
      name: input.repositoryName,
      createdAt: Date.now() / 1000,
      imageTagMutability: input.imageTagMutability ?? 'MUTABLE',
      scanOnPush: input.scanOnPush ?? false,
      encryption: input.encryption ?? { encryptionType: 'AES256' },
      tags: input.tags ?? [],
      images: {},
    };
    region.repositories[repo.name] = repo;
    await this.store.save();
    return repo;
  }

  /** Repositories of a region in creation order (the order pagination walks). */
  listRepositories(region: string): RepositoryRecord[] {
    const repos = Object.values(this.store.state.regions[region]?.repositories ?? {});
    return repos.sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1));
  }
}
