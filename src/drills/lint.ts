/**
 * The drills' cross-checks for `course check`: every drill file has its scenario and every
 * scenario its file, and every drill practises a topic of the question bank (status counts drills
 * solved per topic). Each drill's setup, diagnosis and reference fix are proven by test/drills.
 */
import * as messages from './messages.js';
import type { Drill } from './types.js';

export function lintDrills(drills: readonly Drill[], topics: readonly string[] | undefined, scenarioIds: readonly string[]): string[] {
  const problems: string[] = [];
  const ids = new Set(drills.map((d) => d.id));
  for (const drill of drills) {
    const where = `lessons/drills/${drill.id}.md`;
    if (!scenarioIds.includes(drill.id)) problems.push(`${where}: ${messages.noScenario(drill.id)}`);
    if (topics && !topics.includes(drill.topic)) problems.push(`${where}: topic: ${messages.unknownTopic(drill.topic, topics)}`);
  }
  for (const id of scenarioIds) if (!ids.has(id)) problems.push(messages.scenarioWithoutDrill(id));
  return problems;
}
