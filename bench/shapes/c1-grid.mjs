/** C1: an r x r grid; each cell requires its left and upper neighbour. All to run, in memory. */
import { MemoryTarget, Task, p, run } from '../../dist/index.js';
import { args, freshDir, report } from '../lib.mjs';

const { size = '32' } = args();
const side = Number(size);
const dir = freshDir(`c1-${side}`);

class Grid extends Task.with({ r: p.int(), c: p.int() }) {
  requires() {
    const deps = [];
    if (this.r > 0) deps.push(new Grid({ r: this.r - 1, c: this.c }));
    if (this.c > 0) deps.push(new Grid({ r: this.r, c: this.c - 1 }));
    return deps;
  }
  output() {
    return new MemoryTarget(`grid/${this.r}/${this.c}`);
  }
  async run() {
    await this.output().write('');
  }
}

const result = await run(new Grid({ r: side - 1, c: side - 1 }), {
  lockDir: `${dir}/.locks`,
  logDir: `${dir}/.logs`,
});
report('C1', side, result, { tasks: side * side, edges: 2 * side * (side - 1) });
