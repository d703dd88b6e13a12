/**
 * Containers whose dagwright process died (SIGKILL, a crash, a lost machine reboot of the
 * client only) keep running: nobody waits for them, and their stagings are gone. Each container
 * carries `dagwright.owner=<pid>@<hostname>`; on this host, a dead pid means an orphan.
 */
import { hostname } from 'node:os';
import type { DockerEngine } from './engine.js';
import { LABEL } from './spec.js';
import { isAlive } from '../../process-alive.js';

/** Kills and removes the orphans of dead dagwright processes on this host; returns their names. */
export async function sweepOrphans(engine: DockerEngine): Promise<string[]> {
  const here = hostname();
  const containers = await engine.listContainers([LABEL.owner]);
  const orphans = containers.filter((container) => {
    const match = /^(\d+)@(.+)$/.exec(container.Labels[LABEL.owner] ?? '');
    return match !== null && match[2] === here && !isAlive(Number(match[1]));
  });
  await Promise.all(
    orphans.map(async (container) => {
      await engine.kill(container.Id);
      await engine.remove(container.Id);
    }),
  );
  return orphans.map((container) => (container.Names[0] ?? container.Id).replace(/^\//, ''));
}
