/** B: a chain of depth N (each task requires the previous one), all to run, in memory. */
import { MemoryTarget, Task, p, run } from '../../dist/index.js';
import { args, freshDir, report } from '../lib.mjs';

const { size = '1000' } = args();
const n = Number(size);
const dir = freshDir(`b-${n}`);

class Chain extends Task.with({ i: p.int() }) {
  requires() {
    return this.i > 0 ? new Chain({ i: this.i - 1 }) : undefined;
  }
  output() {
    return new MemoryTarget(`chain/${this.i}`);
  }
  async run() {
    await this.output().write('');
  }
}

const result = await run(new Chain({ i: n - 1 }), {
  lockDir: `${dir}/.locks`,
  logDir: `${dir}/.logs`,
});
report('B', n, result);
