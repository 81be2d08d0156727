export type { CommBuffer, ReduceOp } from './binding.js';
export {
  Communicator,
  communicator,
  type InitArgs,
  type PendingCollective,
} from './communicator.js';
export { type CommStats, DataParallel, type DataParallelArgs } from './data-parallel.js';
export { init } from './init.js';
export {
  checkMpirun,
  describeFailure,
  type LaunchArgs,
  type LaunchResult,
  launch,
  rankEnvironment,
} from './launch.js';
export { isLaunched, LAUNCHER_VARIABLES } from './launcher-env.js';
