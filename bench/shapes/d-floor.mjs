/**
 * D-floor: the system calls D cannot avoid, with no engine around them: per file, write a temp
 * file, hard-link it under the final name, drop the temp name; plus, for `--lease 1`, create and
 * remove a lease symlink. This is what the file system here charges; D cannot be faster.
 */
import { linkSync, symlinkSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { args, freshDir } from '../lib.mjs';

const { size = '1000', lease = '0' } = args();
const n = Number(size);
const dir = freshDir(`d-floor-${n}-${lease}`);
mkdirSync(`${dir}/w`);
mkdirSync(`${dir}/locks`);
const payload = 'x'.repeat(100);
const started = performance.now();
for (let i = 0; i < n; i++) {
  if (lease === '1') symlinkSync(`${process.pid}@host:${i}`, `${dir}/locks/${i}.lock`);
  const temp = `${dir}/w/.${i}.txt.tmp`;
  writeFileSync(temp, payload, { flag: 'wx' });
  linkSync(temp, `${dir}/w/${i}.txt`);
  unlinkSync(temp);
  if (lease === '1') unlinkSync(`${dir}/locks/${i}.lock`);
}
const total = performance.now() - started;
const line = {
  shape: lease === '1' ? 'D-floor+lease' : 'D-floor',
  size: n,
  workers: 1,
  decide_ms: 0,
  run_ms: Math.round(total * 10) / 10,
  total_ms: Math.round(total * 10) / 10,
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  per_task_us: Math.round((total * 1000) / n),
  status: 'success',
  node: process.version,
};
process.stdout.write(JSON.stringify(line) + '\n');
