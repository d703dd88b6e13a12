/** D: N tasks, each atomically writing a 100-byte local file, in process. */
import { LocalTarget, Task, WrapperTask, p, run } from '../../dist/index.js';
import { args, freshDir, report } from '../lib.mjs';

const { size = '1000', workers = '1' } = args();
const n = Number(size);
const dir = freshDir(`d-${n}-${workers}`);
const payload = 'x'.repeat(100);

class Write extends Task.with({ i: p.int() }) {
  output() {
    return new LocalTarget(`${dir}/w/${this.i}.txt`);
  }
  async run() {
    await this.output().write(payload);
  }
}
class Writes extends WrapperTask.with({ n: p.int() }) {
  requires() {
    return Array.from({ length: this.n }, (_, i) => new Write({ i }));
  }
}

const result = await run(new Writes({ n }), {
  workers: Number(workers),
  lockDir: `${dir}/.locks`,
  logDir: `${dir}/.logs`,
});
report('D', n, result, { workers: Number(workers) });
