/**
 * The classroom server as a background process, started by `ecr-workbook classroom start`
 * (see util/daemon.ts for how it is started, found and stopped).
 */
import { runDaemon } from '../util/daemon.js';
import { startClassroom } from './index.js';
import { displayCode } from './room.js';
import type { ClassroomDaemonOptions, ClassroomRuntime } from './runtime.js';

runDaemon<ClassroomDaemonOptions, ClassroomRuntime>(async (options, hooks) => {
  const classroom = await startClassroom({ ...options, onWarning: hooks.onWarning });
  const state = classroom.room.state;
  hooks.log(`classroom ${displayCode(state.code)} (${state.target}) serving ${classroom.urls.join(', ')}`);
  return {
    runtime: {
      pid: process.pid,
      port: classroom.port,
      startedAt: new Date().toISOString(),
      host: options.host ?? '127.0.0.1',
      urls: classroom.urls,
      boardUrl: classroom.boardUrl,
      code: displayCode(state.code),
      roomId: state.id,
      target: state.target,
      ...(state.region ? { region: state.region } : {}),
      ...(state.accountId ? { accountId: state.accountId } : {}),
      learners: state.learners.length,
      resumed: classroom.resumed,
      ...(classroom.archivedTo ? { archivedTo: classroom.archivedTo } : {}),
    },
    stop: () => classroom.stop(),
  };
});
