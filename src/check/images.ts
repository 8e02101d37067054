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
