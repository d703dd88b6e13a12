/**
 * A1: fan-in of N leaves whose outputs all exist, under a WrapperTask root: the time to decide
 * there is nothing to do. A2 (`--root-missing 1`): the same, with a root that must run.
 */
import { LocalTarget, Task, WrapperTask, p, run } from '../../dist/index.js';
import { args, freshDir, leafFixture, report } from '../lib.mjs';

const { size = '10000', 'root-missing': rootMissing = '0' } = args();
const n = Number(size);
const dir = leafFixture(n);
const work = freshDir(`a1-${n}-${rootMissing}`);

class Leaf extends Task.with({ i: p.int() }) {
  output() {
    return new LocalTarget(`${dir}/leaf_${this.i}.out`);
  }
}
const leaves = (count) => Array.from({ length: count }, (_, i) => new Leaf({ i }));
class Fan extends WrapperTask.with({ n: p.int() }) {
  requires() {
    return leaves(this.n);
  }
}
class FanRoot extends Task.with({ n: p.int() }) {
  requires() {
    return leaves(this.n);
  }
  output() {
    return new LocalTarget(`${work}/root_${this.n}.out`);
  }
  async run() {
    await this.output().write('');
  }
}

const missing = rootMissing === '1';
const root = missing ? new FanRoot({ n }) : new Fan({ n });
const result = await run(root, { lockDir: `${work}/.locks`, logDir: `${work}/.logs` });
report(missing ? 'A2' : 'A1', n, result);
