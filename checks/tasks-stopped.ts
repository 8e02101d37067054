import { resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { clusterActive, familyTasks } from '../src/check/ecs.js';
import { fail, pass, type Check } from '../src/check/types.js';

/** Lesson 14's end: no task of the family runs any more (on AWS, a running Fargate task bills by the second). */
const check: Check = async (ctx, params) => {
  const family = String(params.family);
  const cluster = String(params.cluster);
  try {
    if (!(await clusterActive(ctx, cluster))) return pass(`no cluster ${cluster}, so nothing runs`, [`DescribeClusters ${cluster}: MISSING`]);
    const running = await familyTasks(ctx, cluster, family, 'RUNNING');
    if (running.length > 0) {
      return fail(`${running.length} task(s) of ${family} still run`, diagnoses.tasksStillRunning(family, cluster, running.length), running.map((t) => `${t.taskArn}: ${t.lastStatus}`));
    }
    const [last] = await familyTasks(ctx, cluster, family, 'STOPPED');
    return pass(`no task of ${family} runs in ${cluster}`, last ? [`Last task ${last.taskArn}: ${last.lastStatus}, ${last.stoppedReason ?? ''}`] : []);
  } catch (error) {
    return resultForError(error, 'ECS', ctx);
  }
};
export default check;
