/** ECS look-ups lesson 14's checks share: a family's task definition, its tasks, and the page a task serves. */
import http from 'node:http';
import type { ContainerDefinition, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { diagnoses } from './diagnoses.js';
import { listImageDetails } from './images.js';
import { fail, type CheckContext, type CheckResult } from './types.js';

/** The latest ACTIVE revision of a family, or undefined. */
export async function latestTaskDefinition(ctx: CheckContext, family: string): Promise<TaskDefinition | undefined> {
  const { DescribeTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
  try {
    return (await (await ctx.ecs()).send(new DescribeTaskDefinitionCommand({ taskDefinition: family }))).taskDefinition;
  } catch (error) {
    // ECS's answer for a family with no active revision: ClientException "Unable to describe task definition."
    if ((error as Error).name === 'ClientException') return undefined;
    throw error;
  }
}

/** Whether the cluster exists and is active. */
export async function clusterActive(ctx: CheckContext, cluster: string): Promise<boolean> {
  const { DescribeClustersCommand } = await import('@aws-sdk/client-ecs');
  const out = await (await ctx.ecs()).send(new DescribeClustersCommand({ clusters: [cluster] }));
  return (out.clusters ?? []).some((c) => c.status === 'ACTIVE');
}

/** A family's tasks in a cluster whose desired status is RUNNING or STOPPED, newest first. */
export async function familyTasks(ctx: CheckContext, cluster: string, family: string, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<Task[]> {
  const { ListTasksCommand, DescribeTasksCommand } = await import('@aws-sdk/client-ecs');
  const client = await ctx.ecs();
  const arns = (await client.send(new ListTasksCommand({ cluster, family, desiredStatus }))).taskArns ?? [];
  if (arns.length === 0) return [];
  const tasks = (await client.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 100) }))).tasks ?? [];
  return tasks.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
}

/** `host:port` of a container's port as the task's network bindings publish it, or undefined. */
export function boundAddress(task: Task, containerPort: number): { host: string; port: number } | undefined {
  for (const container of task.containers ?? []) {
    const binding = (container.networkBindings ?? []).find((b) => b.containerPort === containerPort && b.hostPort);
    if (binding) return { host: !binding.bindIP || binding.bindIP === '0.0.0.0' ? '127.0.0.1' : binding.bindIP, port: binding.hostPort! };
  }
  return undefined;
}

/** GET / of a task's address: its status and the start of its body, or the error. */
export function httpGet(host: string, port: number, timeoutMs = 3000): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 4096) body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ error: error.message }));
  });
}

/** The repository path and the tag (or digest) of an image reference under a registry host, or undefined when it is not under it. */
export function imageInRegistry(image: string, registryHost: string): { repository: string; tag?: string; digest?: string } | undefined {
  if (!image.startsWith(`${registryHost}/`)) return undefined;
  const rest = image.slice(registryHost.length + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { repository: rest.slice(0, at), digest: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return colon >= 0 ? { repository: rest.slice(0, colon), tag: rest.slice(colon + 1) } : { repository: rest, tag: 'latest' };
}

/** What is wrong with a container's image reference for this course, or undefined when it names a pushed image of the repository. */
export async function imageProblem(ctx: CheckContext, image: string): Promise<CheckResult | undefined> {
  const uri = `${ctx.repositoryUri}:${ctx.tag}`;
  const ref = imageInRegistry(image, ctx.registryHost);
  // `demo-app:v1`: no host at all (the first part has no dot, colon or localhost), so Docker Hub.
  const first = image.split('/')[0]!;
  const hasHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!ref) return fail(`the image is ${image}`, hasHost ? diagnoses.imageOtherRepository(image, uri) : diagnoses.imageUriWithoutHost(image, uri), [`Image: ${image}`]);
  if (ref.repository !== ctx.repositoryName) return fail(`the image is ${image}`, diagnoses.imageOtherRepository(image, uri), [`Image: ${image}`]);
  const images = await listImageDetails(await ctx.ecr(), ctx.repositoryName);
  const tags = images.flatMap((i) => i.imageTags ?? []);
  const found = ref.digest ? images.some((i) => i.imageDigest === ref.digest) : tags.includes(ref.tag!);
  if (!found) return fail(`${image} is not in the repository`, diagnoses.imageTagNotPushed(image, tags), [`Image: ${image}`, `Tags in '${ctx.repositoryName}': ${tags.join(', ') || 'none'}`]);
  return undefined;
}

/** The container whose image the task runs from the course's registry (else the first essential one). */
export function mainContainer(def: TaskDefinition, registryHost: string): ContainerDefinition | undefined {
  const containers = def.containerDefinitions ?? [];
  return containers.find((c) => c.image?.startsWith(`${registryHost}/`)) ?? containers.find((c) => c.essential !== false) ?? containers[0];
}
