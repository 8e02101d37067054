/**
 * Every drill's mechanics, by drill id: each lessons/drills/<id>.md has its scenario here
 * (`course check` proves the two lists agree). Imported lazily: `drill list` needs none of them.
 */
import type { Scenario } from '../scenario.js';

type Load = () => Promise<{ default: Scenario }>;

export const SCENARIOS: Record<string, Load> = {
  'expired-token': () => import('./expired-token.js'),
  'wrong-region-login': () => import('./wrong-region-login.js'),
  'ci-cannot-login': () => import('./ci-cannot-login.js'),
  'push-missing-permission': () => import('./push-missing-permission.js'),
  'repository-policy-deny': () => import('./repository-policy-deny.js'),
  'immutable-latest': () => import('./immutable-latest.js'),
  'lifecycle-expired-tag': () => import('./lifecycle-expired-tag.js'),
  'pushed-to-docker-hub': () => import('./pushed-to-docker-hub.js'),
  'missing-credential-helper': () => import('./missing-credential-helper.js'),
  'uri-as-repository-name': () => import('./uri-as-repository-name.js'),
};

/** The scenario of a drill id (its module loaded now). */
export async function loadScenario(id: string): Promise<Scenario> {
  const load = Object.prototype.hasOwnProperty.call(SCENARIOS, id) ? SCENARIOS[id] : undefined;
  if (!load) throw new Error(`There is no scenario for the drill '${id}' (src/drills/scenarios/${id}.ts).`);
  return (await load()).default;
}
