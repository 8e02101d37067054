import { resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, unable, type Check } from '../src/check/types.js';
import { normalizeRegistryKey, storedCredential } from '../src/docker/config.js';
import { probeRegistryLogin } from '../src/docker/registry.js';

/** Lesson 04: docker (or podman) holds a login for the registry host, as user AWS, and the registry accepts it now. */
const check: Check = async (ctx) => {
  const host = ctx.registryHost;
  const stored = await storedCredential(host, ctx);
  if (stored.kind === 'helper-error') {
    return fail(`the credential helper failed`, diagnoses.credentialHelperBroken(ctx, stored.helper, stored.message, stored), [`${stored.source}: ${stored.message}`]);
  }
  if (stored.kind === 'none') {
    // Another ECR or local registry login is the tell-tale of a region, account or port mix-up.
    const related = stored.otherHosts.filter((h) => /\.dkr\.ecr\.|^localhost:|^127\./.test(h) && h !== normalizeRegistryKey(host));
    if (related.length > 0) return fail(`no login for ${host}`, diagnoses.loggedInOtherHost(ctx, related), [`Logins in ${stored.source}: ${stored.otherHosts.join(', ')}`]);
    return fail(`no login for ${host}`, diagnoses.notLoggedIn(ctx), [`Looked in ${stored.source}`]);
  }
  const evidence = [`Login for ${host} stored in ${stored.source}`, `Username: ${stored.username}`];
  if (stored.username !== 'AWS') return fail(`the login uses username '${stored.username}'`, diagnoses.usernameNotAws(ctx, stored.username), evidence);
  let probe;
  try {
    probe = await probeRegistryLogin(host, stored.username, stored.secret);
  } catch (error) {
    return resultForError(error, `the registry at ${host}`, ctx);
  }
  evidence.push(`GET /v2/ with that login: HTTP ${probe.status}${probe.code ? ` ${probe.code}` : ''}${probe.message ? `: ${probe.message}` : ''}`);
  if (probe.status === 200) return pass(`${ctx.client} is logged in to ${host} as AWS`, evidence);
  if (probe.status === 403 && /expired/i.test(probe.message ?? '')) return fail('the login has expired', diagnoses.tokenExpired(ctx), evidence);
  if (probe.status === 401 || probe.status === 400 || probe.status === 403) return fail('the registry rejects the login', diagnoses.loginRejected(ctx, `HTTP ${probe.status}`), evidence);
  return unable(`the registry answered HTTP ${probe.status}`, diagnoses.unreachable(host, `HTTP ${probe.status}`), evidence);
};
export default check;
