import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CommandTask,
  LocalTarget,
  p,
  run,
  type RunEvent,
  type StagedPath,
} from '../../src/index.js';
import { useWorkdir } from '../helpers/workdir.js';

const work = useWorkdir();

/** Runs `node -e <script> <args...>`: a real child process, no shell. */
const node = (script: string, ...args: string[]) => [process.execPath, '-e', script, ...args];

class WriteFile extends CommandTask.with({ text: p.string(), code: p.int({ default: 0 }) }) {
  override output() {
    return new LocalTarget(`out/${this.paramPath()}/file.txt`);
  }
  override env() {
    return { GREETING_SECRET: 'hunter2' };
  }
  command(staged: StagedPath) {
    return node(
      `const fs = require('fs');
       console.log('writing ' + process.argv[1]);
       fs.writeFileSync(process.argv[2], process.argv[1] + ':' + process.env.GREETING_SECRET.length);
       if (Number(process.argv[3])) { console.error('something broke'); process.exit(Number(process.argv[3])); }`,
      this.text,
      staged.path,
      String(this.code),
    );
  }
}

function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
    : [];
}

describe('CommandTask', () => {
  it('runs the program as a child process and publishes its output after exit 0', async () => {
    const result = await run(new WriteFile({ text: 'hello' }));
    expect(result.status).toBe('success');
    expect(readFileSync('out/text=hello/code=0/file.txt', 'utf8')).toBe('hello:7');
    const log = readFileSync(`.dagwright/logs/WriteFile/${result.tasks[0]!.hash}.log`, 'utf8');
    expect(log).toContain('writing hello');
    // The environment reaches the program but is never written to the log.
    expect(log).not.toContain('hunter2');
  });

  it('publishes nothing when the program fails, and shows the tail of its log', async () => {
    const events: RunEvent[] = [];
    const result = await run(new WriteFile({ text: 'bad', code: 3 }), {
      onEvent: (e) => events.push(e),
    });
    expect(result.tasks[0]!.status).toBe('failed');
    expect(result.tasks[0]!.reason).toBe(`command exited with code 3: ${process.execPath}`);
    const failed = events.find((e) => e.type === 'failed');
    expect(failed?.type === 'failed' && failed.logTail).toContain('something broke');
    expect(filesUnder(`${work.dir}/out`)).toEqual([]);
  });

  it('fails a program that exits 0 without writing its output', async () => {
    class Forgetful extends CommandTask.with({ n: p.int() }) {
      override output() {
        return new LocalTarget('out/forgotten.txt');
      }
      command() {
        return node('0');
      }
    }
    const result = await run(new Forgetful({ n: 1 }));
    expect(result.tasks[0]!.reason).toMatch(
      /^command exited 0 but did not write out\/forgotten.txt/,
    );
  });

  it('refuses a shell string', async () => {
    class Shelly extends CommandTask.with({ n: p.int() }) {
      override output() {
        return new LocalTarget('out/shell.txt');
      }
      command() {
        return 'echo hi > out/shell.txt' as unknown as string[];
      }
    }
    const result = await run(new Shelly({ n: 1 }));
    expect(result.tasks[0]!.reason).toContain(
      'command() must return a non-empty array of strings (an argv, never a shell string)',
    );
    expect(existsSync('out/shell.txt')).toBe(false);
  });

  it('names a program that does not exist', async () => {
    class Missing extends CommandTask.with({ n: p.int() }) {
      override output() {
        return new LocalTarget('out/missing.txt');
      }
      command() {
        return ['definitely-not-a-program-dagwright', 'x'];
      }
    }
    const result = await run(new Missing({ n: 1 }));
    expect(result.tasks[0]!.reason).toBe('command not found: definitely-not-a-program-dagwright');
  });

  it('publishes a folder output atomically', async () => {
    class Shards extends CommandTask.with({ n: p.int() }) {
      override output() {
        return new LocalTarget(`out/shards-${this.n}`);
      }
      command(staged: StagedPath) {
        return node(
          `const fs = require('fs'); fs.mkdirSync(process.argv[1]);
           for (let i = 0; i < Number(process.argv[2]); i++) fs.writeFileSync(process.argv[1] + '/part-' + i, String(i));`,
          staged.path,
          String(this.n),
        );
      }
    }
    expect((await run(new Shards({ n: 3 }))).status).toBe('success');
    expect(readdirSync('out/shards-3').sort()).toEqual(['part-0', 'part-1', 'part-2']);
    expect(readdirSync('out').filter((name) => name.includes('dagwright-tmp'))).toEqual([]);
  });

  it('kills a program that exceeds its timeout', async () => {
    class Sleeper extends CommandTask.with({ n: p.int() }) {
      override timeoutMs = 200;
      override output() {
        return new LocalTarget('out/sleep.txt');
      }
      command(staged: StagedPath) {
        return node(
          `require('fs').writeFileSync(process.argv[1], 'partial'); setTimeout(() => {}, 30000)`,
          staged.path,
        );
      }
    }
    const started = Date.now();
    const result = await run(new Sleeper({ n: 1 }));
    expect(result.tasks[0]!.reason).toBe('timed out after 200ms');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(filesUnder(`${work.dir}/out`)).toEqual([]);
  });
});
