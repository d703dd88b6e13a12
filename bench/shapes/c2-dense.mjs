/** C2: W layers of W tasks; each task requires the whole previous layer (about W^3 edges). */
import { MemoryTarget, Task, WrapperTask, p, run } from '../../dist/index.js';
import { args, freshDir, report } from '../lib.mjs';

const { size = '10' } = args();
const width = Number(size);
const dir = freshDir(`c2-${width}`);

class Layer extends Task.with({ layer: p.int(), k: p.int(), width: p.int() }) {
  requires() {
    if (this.layer === 0) return [];
    return Array.from(
      { length: this.width },
      (_, j) => new Layer({ layer: this.layer - 1, k: j, width: this.width }),
    );
  }
  output() {
    return new MemoryTarget(`layer/${this.width}/${this.layer}/${this.k}`);
  }
  async run() {
    await this.output().write('');
  }
}
class Top extends WrapperTask.with({ width: p.int() }) {
  requires() {
    return Array.from(
      { length: this.width },
      (_, k) => new Layer({ layer: this.width - 1, k, width: this.width }),
    );
  }
}

const result = await run(new Top({ width }), { lockDir: `${dir}/.locks`, logDir: `${dir}/.logs` });
report('C2', width, result, { tasks: width * width, edges: width * width * (width - 1) + width });
