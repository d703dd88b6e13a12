/**
 * The parameterized batch job a task is dispatched to. Tasks that differ only in their argv
 * values, environment values and identity share one job: its shape is the image, resources,
 * mounts, network, the number of arguments and the names of the task's variables. Each argument
 * and variable is a meta key the job interpolates, so a dispatch carries the argv unchanged.
 */
import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';

export interface JobShape {
  readonly image: string;
  readonly argc: number;
  /** Names of the task's own variables, passed per dispatch. */
  readonly envNames: readonly string[];
  /** Fixed variables for every task (config `nomad.env`). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Names of secret variables (config `nomad.passEnv`): their values live in the Nomad Variable
   * of the job (`nomad/jobs/<id>`), never in the job spec, and reach the task by a template.
   */
  readonly secretNames: readonly string[];
  /** MHz; Nomad's default (100) when absent. */
  readonly cpuMHz?: number;
  /** Nomad's default (300) when absent. */
  readonly memoryMB?: number;
  readonly network?: string;
  /** Host folders mounted at the same path (a shared file system declared in config). */
  readonly sharedPaths: readonly string[];
  readonly datacenters: readonly string[];
  readonly workdir?: string;
}

/** Meta keys every dispatch carries, besides one per argument and per variable. */
export const META = {
  task: 'dagwright_task',
  hash: 'dagwright_hash',
  family: 'dagwright_family',
  params: 'dagwright_params',
  run: 'dagwright_run',
  /** JSON array: where each output was staged, so a later run can publish them (adoption). */
  stagings: 'dagwright_stagings',
} as const;

export const argKey = (i: number): string => `dagwright_arg_${i}`;
export const envKey = (name: string): string => `dagwright_env_${name}`;

export const JOB_PREFIX = 'dagwright-';
export const GROUP = 'main';
export const TASK = 'run';

/**
 * `dagwright-<16 hex of the shape's hash>`: the same shape always gets the same job, and ids of
 * one length are never a prefix of one another (Nomad matches evaluations by id prefix).
 */
export function jobId(shape: JobShape): string {
  return `${JOB_PREFIX}${createHash('sha256').update(stringify(shape)).digest('hex').slice(0, 16)}`;
}

/** The Nomad Variable a job's tasks may read (Nomad's implicit workload-identity policy). */
export const variablePath = (id: string): string => `nomad/jobs/${id}`;

export function jobSpec(shape: JobShape): Record<string, unknown> {
  const id = jobId(shape);
  // Each item as NAME="json string": the env file parser reads the quoted value back exactly.
  const secrets =
    shape.secretNames.length === 0
      ? []
      : [
          {
            EmbeddedTmpl: `{{ with nomadVar "${variablePath(id)}" }}{{ range .Tuples }}{{ .K }}={{ .V | toJSON }}\n{{ end }}{{ end }}`,
            DestPath: 'secrets/dagwright.env',
            Envvars: true,
            ChangeMode: 'noop',
          },
        ];
  const args = Array.from({ length: shape.argc }, (_, i) => `\${NOMAD_META_${argKey(i)}}`);
  const env: Record<string, string> = {
    ...shape.env,
    DAGWRIGHT_TASK_ID: `\${NOMAD_META_${META.task}}`,
    DAGWRIGHT_TASK_HASH: `\${NOMAD_META_${META.hash}}`,
  };
  for (const name of shape.envNames) env[name] = `\${NOMAD_META_${envKey(name)}}`;
  return {
    ID: id,
    Name: id,
    Type: 'batch',
    Datacenters: shape.datacenters,
    Meta: { dagwright_image: shape.image },
    ParameterizedJob: {
      Payload: 'forbidden',
      MetaRequired: [
        ...Object.values(META),
        ...args.map((_, i) => argKey(i)),
        ...shape.envNames.map(envKey),
      ],
    },
    TaskGroups: [
      {
        Name: GROUP,
        Count: 1,
        // dagwright owns retries: Nomad must neither restart nor reschedule an attempt.
        RestartPolicy: { Attempts: 0, Mode: 'fail' },
        ReschedulePolicy: { Attempts: 0, Unlimited: false },
        Tasks: [
          {
            Name: TASK,
            Driver: 'docker',
            Config: {
              image: shape.image,
              // No `command`: the image's entrypoint is kept, as with `docker run IMAGE argv...`.
              args,
              init: true,
              force_pull: false,
              ...(shape.network ? { network_mode: shape.network } : {}),
              ...(shape.workdir ? { work_dir: shape.workdir } : {}),
              ...(shape.sharedPaths.length > 0
                ? { volumes: shape.sharedPaths.map((path) => `${path}:${path}`) }
                : {}),
            },
            Env: env,
            ...(secrets.length > 0 ? { Templates: secrets } : {}),
            Resources: {
              ...(shape.cpuMHz !== undefined ? { CPU: shape.cpuMHz } : {}),
              ...(shape.memoryMB !== undefined ? { MemoryMB: shape.memoryMB } : {}),
            },
            KillTimeout: 5e9,
            LogConfig: { MaxFiles: 2, MaxFileSizeMB: 10 },
          },
        ],
      },
    ],
  };
}
