/**
 * `dag cron "<expr>" <Family>`: the pass a cron container makes on each tick. It runs the
 * partitions of the due ticks that are missing and exits with the usual codes; with `--watch`
 * it stays up, sleeping until the next tick, and exits 0 on SIGTERM between passes.
 */
import type { Command } from 'commander';
import type { Temporal } from 'temporal-polyfill';
import { ExitCode } from '../../errors.js';
import { runPartitions } from '../../time/backfill.js';
import { duePartitions, nextTick } from '../../time/ticks.js';
import { parseCron } from '../../time/partitions.js';
import type { Output } from '../main.js';
import {
  addPartitionOptions,
  clockFrom,
  partitionDocument,
  partitionSummary,
  partitionedFrom,
  zoneFrom,
} from '../partition-command.js';
import type { Prescan } from '../prescan.js';
import { prepareFamily } from '../task-command.js';
import { addRunOptions, runWithReporter } from './run.js';

/** A sleep is cut into pieces of at most this, so a clock change is noticed within a minute. */
const MAX_NAP_MS = 60_000;

function addCronOptions(command: Command): void {
  command
    .option(
      '--catch-up <n|duration>',
      'also run missed ticks: this many before the latest, or those within a duration like 2d (default 0)',
    )
    .option('--previous', "run the interval each tick closes (the previous tick's partition)")
    .option('--watch', 'stay up: sleep until the next tick, run it, repeat; exit 0 on SIGTERM');
  addPartitionOptions(command);
  addRunOptions(command);
}

export async function cronCommand(
  argv: readonly string[],
  pre: Prescan,
  cwd: string,
  out: Output,
): Promise<number> {
  const invocation = await prepareFamily(
    {
      name: 'cron',
      description: 'Run the partitions due on a schedule that are missing (one pass, or --watch).',
      leading: [{ name: 'schedule', description: "cron expression, e.g. '0 6 * * *'" }],
      addOptions: addCronOptions,
    },
    argv,
    pre,
    cwd,
  );
  const { options, command } = invocation;
  const schedule = command.args[0]!;
  const family = partitionedFrom(invocation);
  const tz = zoneFrom(options);
  const clock = clockFrom(options, tz, Boolean(options.watch));
  // Checked before the first pass, so a typo fails at once and not at the next tick.
  parseCron(schedule, { currentDate: new Date(clock().epochMilliseconds), tz });

  const pass = () => {
    const now = clock();
    const due = duePartitions({
      cron: schedule,
      now,
      tz,
      catchUp: options.catchUp as string | undefined,
      kind: family.kind,
      previous: (options.previous as boolean | undefined) ?? false,
    });
    return runWithReporter(invocation, out, async (runOptions) => {
      const result = await runPartitions(
        family,
        due.map((d) => d.value),
        { ...runOptions, limit: options.limit as number | undefined },
        due.map((d) => d.tick.toString()),
      );
      return {
        exitCode: result.run.exitCode,
        json: partitionDocument(result, { schedule, tz, now: now.toString() }),
        text: partitionSummary(result),
      };
    });
  };

  if (!options.watch) return pass();
  for (;;) {
    const code = await pass();
    if (code === ExitCode.interrupted || code === ExitCode.terminated) return code;
    const wake = nextTick(schedule, clock(), tz);
    process.stderr.write(`next pass at ${wake.toZonedDateTimeISO(tz).toString()}\n`);
    const signal = await sleepUntil(wake, clock);
    if (signal) {
      process.stderr.write(`${signal}: no pass running; exiting\n`);
      return ExitCode.ok;
    }
  }
}

/** Sleeps until the clock reaches `wake`; resolves early with the signal's name on SIGTERM/SIGINT. */
function sleepUntil(
  wake: Temporal.Instant,
  clock: () => Temporal.Instant,
): Promise<NodeJS.Signals | undefined> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (signal?: NodeJS.Signals) => {
      clearTimeout(timer);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve(signal);
    };
    const onTerm = () => finish('SIGTERM');
    const onInt = () => finish('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    const nap = () => {
      const left = wake.epochMilliseconds - clock().epochMilliseconds;
      if (left <= 0) return finish();
      timer = setTimeout(nap, Math.min(left, MAX_NAP_MS));
    };
    nap();
  });
}
