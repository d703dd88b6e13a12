/** dagwright's public API. Everything users import comes through here. */
export { Task, ExternalTask, WrapperTask, CommandTask } from './task.js';
export type {
  RunContext,
  Requirements,
  Outputs,
  InputOf,
  ParamArgs,
  ParamValues,
  StagedOf,
  StagedPath,
  TaskClassWith,
} from './task.js';
export { p, Param, ParamValueError } from './params/index.js';
export type {
  AnyParam,
  ParamOptions,
  ParamShape,
  StringOptions,
  NumberOptions,
} from './params/index.js';
export { DateInterval } from './time/date-interval.js';
export { partitions, windowFromNow, MAX_PARTITIONS } from './time/partitions.js';
export type {
  Every,
  PartitionKind,
  PartitionOptions,
  PartitionValue,
  PartitionValues,
  WindowOptions,
} from './time/partitions.js';
export { Range } from './time/range.js';
export type { RangeFamily, RangeOptions } from './time/range.js';
export { backfill } from './time/backfill.js';
export type {
  BackfillOptions,
  BackfillResult,
  PartitionCounts,
  PartitionReport,
  PartitionRunOptions,
} from './time/backfill.js';
export { cronPass } from './time/cron.js';
export type { CronPassOptions } from './time/cron.js';
export { dueTicks, duePartitions, nextTick } from './time/ticks.js';
export type { DueOptions, DuePartition, DuePartitionsOptions } from './time/ticks.js';
export { Temporal } from 'temporal-polyfill';

export { LocalTarget } from './targets/local.js';
export { MemoryTarget } from './targets/memory.js';
export { S3Target } from './targets/s3/target.js';
export {
  S3AccessError,
  S3BucketMissingError,
  S3ConnectionError,
  S3RequestError,
} from './targets/s3/errors.js';
export { HdfsTarget } from './targets/hdfs/target.js';
export { WebHdfsError } from './targets/hdfs/errors.js';
export { artifact, targetFromUri } from './targets/artifact.js';
export { configureStorage } from './targets/settings.js';
export type { StorageSettings, S3Settings, HdfsSettings } from './targets/settings.js';
export type { Target, Store, Staging, RemoteStaging } from './targets/target.js';
export type { LockStore, Lease, AcquireResult, LockStoreOptions } from './scheduler/lock-store.js';

export { plan } from './graph/plan.js';
export type { Plan, PlanNode, PlanStatus } from './graph/plan.js';
export { run, execute } from './scheduler/run.js';
export type { RunOptions } from './scheduler/run.js';
export type { RunEvent, RunEventType, TaskRef, EventListener } from './scheduler/events.js';
export type { RunResult, RunStatus, TaskReport, TaskStatus, Counts } from './scheduler/result.js';
export type { Executor, ExecutionContext } from './executors/executor.js';
export { routeExecutors } from './executors/route.js';
export { DockerExecutor, ContainerError } from './executors/docker/executor.js';
export type { DockerExecutorOptions } from './executors/docker/executor.js';
export { NomadExecutor, NomadTaskError } from './executors/nomad/executor.js';
export type { NomadExecutorOptions } from './executors/nomad/executor.js';
export type { NomadSettings } from './executors/nomad/client.js';
export type { Routes } from './executors/route.js';
export { defineConfig } from './config.js';
export type { DagConfig } from './config.js';

export {
  DagwrightError,
  UsageError,
  ParameterError,
  MissingParameterError,
  UnsafePathError,
  ArtifactExistsError,
  SchedulingError,
  ExitCode,
} from './errors.js';
