/**
 * `dag exec-task <Family> [--param value]...`: runs exactly that one task, nothing upstream. Used
 * inside containers, where the orchestrating `dag run` already holds the lease.
 */
import { DagwrightError, ExitCode } from '../../errors.js';
import { localExecutor } from '../../executors/local.js';
import { plan } from '../../graph/plan.js';
import { attempt, type AttemptOutcome } from '../../scheduler/attempts.js';
import { buildResult } from '../../scheduler/report.js';
import type { TaskStatus } from '../../scheduler/result.js';
import { flatten } from '../../shape.js';
import { isTask } from '../../task.js';
import { nonNegativeInt } from '../command.js';
import type { Prescan } from '../prescan.js';
import { createReporter, type LogFormat } from '../render/reporter.js';
import { runDocument, summaryText } from '../render/summary.js';
import { prepareTask } from '../task-command.js';
import type { Output } from '../main.js';
import { runOptionsFrom } from './run.js';
import { Option } from 'commander';

export async function execTaskCommand(
  argv: readonly string[],
  pre: Prescan,
  cwd: string,
  out: Output,
): Promise<number> {
  const { root, options, command, context } = await prepareTask(
    {
      name: 'exec-task',
      description:
        'Run exactly one task (its requirements must be complete). Used inside containers.',
      addOptions: (c) =>
        void c
          .option('--retries <n>', 'extra attempts (default 0)', nonNegativeInt('--retries'))
          .option('--json', 'print a JSON report on stdout at the end')
          .addOption(
            new Option('--log-format <format>', 'progress output on stderr').choices([
              'text',
              'json',
            ]),
          ),
    },
    argv,
    pre,
    cwd,
  );
  const settings = runOptionsFrom(options, command, context);
  const thePlan = await plan([root]);
  const node = thePlan.nodes[thePlan.roots[0]!]!;
  let status: TaskStatus = 'complete';
  let reason = node.reason;
  let outcome: AttemptOutcome | undefined;
  if (node.status !== 'complete') {
    const unmet = flatten(root.requires(), isTask).filter(
      (dep) => thePlan.nodes[thePlan.byId.get(dep.id)!]!.status !== 'complete',
    );
    if (unmet.length > 0) {
      throw new DagwrightError(
        `${root.id}: requirements not complete: ${unmet.map((dep) => dep.id).join(', ')}`,
        ExitCode.missingExternal,
      );
    }
    const reporter = await createReporter(
      (options.logFormat as LogFormat | undefined) ?? 'text',
      process.stderr,
    );
    outcome = await attempt(root, node.outputs, {
      executor: localExecutor,
      retries: settings.retries ?? 0,
      retryDelayMs: settings.retryDelayMs ?? 1000,
      maxRetryDelayMs: 60_000,
      timeoutMs: settings.timeoutMs,
      logDir: settings.logDir!,
      cancelSignal: undefined,
      stopping: () => false,
      emit: (event) => reporter.onEvent(event),
    });
    if (outcome.kind === 'failed') {
      const { logTail, logPath } = outcome;
      reporter.onEvent({
        type: 'failed',
        task: root,
        attempts: outcome.attempts,
        error: outcome.error,
        ...(logTail ? { logTail, logPath } : {}),
      });
    }
    reporter.close();
    status = outcome.kind;
    reason = outcome.kind === 'failed' ? outcome.error : 'ran';
  }
  // The report holds this one task: the others were looked at, not run.
  const single = { ...thePlan, nodes: [{ ...node, index: 0 }], order: [0] };
  const result = buildResult(
    single,
    [status],
    [reason],
    Uint32Array.of(outcome?.attempts ?? 0),
    Float64Array.of(outcome?.durationMs ?? 0),
    {
      interrupted: undefined,
      runMs: outcome?.durationMs ?? 0,
    },
  );
  out.stdout(
    options.json ? JSON.stringify(runDocument(result)) + '\n' : summaryText(result) + '\n',
  );
  return result.exitCode;
}
