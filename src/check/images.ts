/** ECR image look-ups the checks share. */
import type { ECRClient, ImageDetail } from '@aws-sdk/client-ecr';

/** The image a tag names in a repository, or undefined. */
export async function findImageByTag(client: ECRClient, repositoryName: string, tag: string): Promise<ImageDetail | undefined> {
  const { DescribeImagesCommand } = await import('@aws-sdk/client-ecr');
  try {
    const out = await client.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
    return out.imageDetails?.[0];
  } catch (error) {
    if ((error as Error).name === 'ImageNotFoundException') return undefined;
    throw error;
  }
}

/** Every image in a repository (all pages). */
export async function listImageDetails(client: ECRClient, repositoryName: string): Promise<ImageDetail[]> {
  const { DescribeImagesCommand } = await import('@aws-sdk/client-ecr');
  const details: ImageDetail[] = [];
  let nextToken: string | undefined;
  do {
    const out = await client.send(new DescribeImagesCommand({ repositoryName, nextToken, maxResults: 1000 }));
    details.push(...(out.imageDetails ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return details;
}

/**
 * The image id of a pushed image: the digest of the config its manifest names, which is what
 * `docker image inspect` and `podman image inspect` call the image's id. Undefined for an index
 * (a multi-platform image has one config per platform) or a manifest ECR cannot return.
 */
export async function pushedImageId(client: ECRClient, repositoryName: string, imageDigest: string): Promise<string | undefined> {
  const { BatchGetImageCommand } = await import('@aws-sdk/client-ecr');
  const out = await client.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageDigest }] }));
  try {
    const manifest = JSON.parse(out.images?.[0]?.imageManifest ?? '') as { config?: { digest?: string } };
    return manifest.config?.digest;
  } catch {
    return undefined;
  }
}
