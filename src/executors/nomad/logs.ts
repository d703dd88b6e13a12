/**
 * A finished allocation's stdout and stderr, copied into the task log at once: the client
 * garbage-collects old allocations (and their logs) after about 50 more.
 */
import { appendFile } from 'node:fs/promises';
import { messageOf } from '../../errors.js';
import type { ExecutionContext } from '../executor.js';
import type { NomadClient } from './client.js';
import { TASK } from './job.js';

export async function copyAllocLogs(
  client: NomadClient,
  allocId: string,
  context: ExecutionContext,
): Promise<void> {
  for (const type of ['stdout', 'stderr'] as const) {
    try {
      const text = await client.text(`/client/fs/logs/${encodeURIComponent(allocId)}`, {
        task: TASK,
        type,
        plain: 'true',
        origin: 'start',
      });
      if (text) await appendFile(context.logPath, text.endsWith('\n') ? text : `${text}\n`);
    } catch (error) {
      context.log(`could not read the task's ${type} from Nomad: ${messageOf(error)}`);
    }
  }
}
