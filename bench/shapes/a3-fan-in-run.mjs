/** A3: fan-in of N in-memory no-op tasks that must all run: pure scheduler overhead. */
import { MemoryTarget, Task, WrapperTask, p, run } from '../../dist/index.js';
import { args, freshDir, report } from '../lib.mjs';

const { size = '10000' } = args();
const n = Number(size);
const dir = freshDir(`a3-${n}`);

class MemLeaf extends Task.with({ i: p.int() }) {
  output() {
    return new MemoryTarget(`a3/${this.i}`);
  }
  async run() {
    await this.output().write('');
  }
}
class Fan extends WrapperTask.with({ n: p.int() }) {
  requires() {
    return Array.from({ length: this.n }, (_, i) => new MemLeaf({ i }));
  }
}

const result = await run(new Fan({ n }), { lockDir: `${dir}/.locks`, logDir: `${dir}/.logs` });
report('A3', n, result);
