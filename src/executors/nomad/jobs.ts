/**
 * The job endpoints the executor uses, with the traps of reference/services-nomad.md §4 handled:
 * a dispatch that loses an idempotency race can answer with a child that does not exist (asked
 * again with the same token, Nomad names the real one); deleting an unknown job is not an error.
 */
import { NomadApiError, type NomadClient } from './client.js';
import { JOB_PREFIX, META, variablePath } from './job.js';

const enc = encodeURIComponent;

export async function registerJob(client: NomadClient, job: Record<string, unknown>) {
  await client.call('PUT', '/jobs', { body: { Job: job } });
}

/** Writes the secrets a job's tasks read by their template (job.ts); values never logged. */
export async function putJobSecrets(
  client: NomadClient,
  jobId: string,
  items: Readonly<Record<string, string>>,
): Promise<void> {
  const path = variablePath(jobId);
  try {
    await client.call('PUT', `/var/${path}`, {
      body: { Namespace: client.settings.namespace ?? 'default', Path: path, Items: items },
    });
  } catch (error) {
    // Nomad's answer could quote what was sent: keep only the status.
    const status = error instanceof NomadApiError ? (error.status ?? 'no answer') : 'no answer';
    throw new NomadApiError(
      `could not store the secret variables of job ${jobId} in Nomad (${status}); check NOMAD_TOKEN's variables policy`,
      error instanceof NomadApiError ? error.status : undefined,
    );
  }
}

export interface Dispatched {
  readonly jobId: string;
  /** Empty when Nomad reused an earlier child of the same token. */
  readonly evalId: string;
}

export async function dispatchJob(
  client: NomadClient,
  parentId: string,
  meta: Readonly<Record<string, string>>,
  token: string,
): Promise<Dispatched> {
  for (let tries = 0; ; tries++) {
    const { body } = await client.call<{ DispatchedJobID: string; EvalID: string }>(
      'POST',
      `/job/${enc(parentId)}/dispatch`,
      { body: { Meta: meta, IdempotencyToken: token } },
    );
    const child = { jobId: body.DispatchedJobID, evalId: body.EvalID };
    if ((await getJob(client, child.jobId)) !== undefined || tries >= 3) return child;
  }
}

export interface ChildJob {
  readonly ID: string;
  readonly Status: string;
  readonly SubmitTime: number;
  readonly Meta?: Readonly<Record<string, string>> | null;
}

/** The job, or `undefined` once Nomad no longer knows it. */
export async function getJob(client: NomadClient, id: string): Promise<ChildJob | undefined> {
  try {
    return (await client.get<ChildJob>(`/job/${enc(id)}`)).body;
  } catch (error) {
    if (error instanceof NomadApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** Children of dagwright's jobs dispatched for the task `hash`, newest first. */
export async function childrenOf(client: NomadClient, hash: string): Promise<ChildJob[]> {
  const { body } = await client.get<ChildJob[]>('/jobs', {
    query: {
      prefix: JOB_PREFIX,
      meta: true,
      filter: `Meta.${META.hash} == ${JSON.stringify(hash)}`,
    },
  });
  return (body ?? []).sort((a, b) => b.SubmitTime - a.SubmitTime);
}

/** Stops the job (its task gets the kill signal at once) and forgets it. */
export async function purgeJob(client: NomadClient, id: string): Promise<void> {
  await client.call('DELETE', `/job/${enc(id)}`, { query: { purge: true } });
}
