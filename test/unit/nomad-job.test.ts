/** The parameterized job a task is dispatched to, and the Nomad settings read from the env. */
import { describe, expect, it } from 'vitest';
import { nomadSettingsFromEnv, NomadClient } from '../../src/executors/nomad/client.js';
import { jobId, jobSpec, type JobShape } from '../../src/executors/nomad/job.js';

const shape: JobShape = {
  image: 'local/busybox:test',
  argc: 3,
  envNames: ['MODE'],
  env: { FIXED: '1' },
  secretNames: ['API_TOKEN'],
  memoryMB: 64,
  sharedPaths: ['/shared'],
  datacenters: ['*'],
};

describe('the job of a shape', () => {
  it('has one id per shape, never a prefix of another', () => {
    expect(jobId(shape)).toBe(jobId({ ...shape }));
    const others = [
      { ...shape, argc: 4 },
      { ...shape, image: 'local/other:1' },
      { ...shape, memoryMB: 128 },
      { ...shape, envNames: [] },
      { ...shape, sharedPaths: [] },
    ].map(jobId);
    const ids = [jobId(shape), ...others];
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of ids) for (const b of ids) if (a !== b) expect(b.startsWith(a)).toBe(false);
    expect(jobId(shape)).toMatch(/^dagwright-[0-9a-f]{16}$/);
  });

  it('interpolates each argument and variable from its own meta key, and never retries', () => {
    const spec = jobSpec(shape) as {
      ParameterizedJob: { MetaRequired: string[] };
      TaskGroups: {
        RestartPolicy: unknown;
        ReschedulePolicy: unknown;
        Tasks: { Config: Record<string, unknown>; Env: Record<string, string> }[];
      }[];
    };
    const [group] = spec.TaskGroups;
    const [task] = group!.Tasks;
    expect(task!.Config.args).toEqual([
      '${NOMAD_META_dagwright_arg_0}',
      '${NOMAD_META_dagwright_arg_1}',
      '${NOMAD_META_dagwright_arg_2}',
    ]);
    // No command: the image's entrypoint is kept.
    expect(task!.Config.command).toBeUndefined();
    expect(task!.Config.volumes).toEqual(['/shared:/shared']);
    expect(task!.Env).toMatchObject({ FIXED: '1', MODE: '${NOMAD_META_dagwright_env_MODE}' });
    expect(spec.ParameterizedJob.MetaRequired).toEqual(
      expect.arrayContaining(['dagwright_hash', 'dagwright_arg_2', 'dagwright_env_MODE']),
    );
    // Secrets come from the job's Nomad Variable through a template, never from the spec.
    const [template] = (task as unknown as { Templates: Record<string, unknown>[] }).Templates;
    expect(template!.EmbeddedTmpl).toContain(`nomadVar "nomad/jobs/${jobId(shape)}"`);
    expect(template).toMatchObject({ Envvars: true, DestPath: 'secrets/dagwright.env' });
    expect(task!.Env).not.toHaveProperty('API_TOKEN');
    expect(group!.RestartPolicy).toEqual({ Attempts: 0, Mode: 'fail' });
    expect(group!.ReschedulePolicy).toEqual({ Attempts: 0, Unlimited: false });
  });
});

describe('Nomad settings', () => {
  it('come from the variables the nomad CLI reads', () => {
    const settings = nomadSettingsFromEnv({
      NOMAD_ADDR: 'https://nomad.example:4646',
      NOMAD_TOKEN: 'secret-token',
      NOMAD_NAMESPACE: 'ml',
      NOMAD_REGION: 'eu',
      NOMAD_SKIP_VERIFY: 'true',
    });
    expect(settings).toMatchObject({
      address: 'https://nomad.example:4646',
      token: 'secret-token',
      namespace: 'ml',
      region: 'eu',
      skipVerify: true,
    });
    expect(nomadSettingsFromEnv({}).address).toBe('http://127.0.0.1:4646');
  });

  it('a bad address or an unreadable CA file is a one-line error naming the variable', () => {
    expect(() => new NomadClient({ address: 'not a url' })).toThrow(
      'NOMAD_ADDR is not a URL: "not a url" (e.g. http://127.0.0.1:4646)',
    );
    expect(
      () => new NomadClient({ address: 'https://x:4646', caCert: '/nonexistent.pem' }),
    ).toThrow(/^NOMAD_CACERT: cannot read \/nonexistent.pem/);
  });

  it('an unreachable agent is one line that names the address, without the token', async () => {
    const client = new NomadClient({ address: 'http://127.0.0.1:1', token: 'secret-token' });
    const error = await client.get('/jobs').catch((e: Error) => e);
    client.close();
    expect((error as Error).message).toMatch(
      /^cannot reach Nomad at http:\/\/127.0.0.1:1 \(ECONNREFUSED\); set NOMAD_ADDR$/,
    );
    expect((error as Error).message).not.toContain('secret-token');
  });
});
