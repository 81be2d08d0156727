import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StudyStore } from '../../src/tune/storage.js';
import { RandomSearch } from '../../src/tune/tuners.js';
import { threadsPerWorker } from '../../src/tune/worker-pool.js';
import { data } from './fixtures/tiny-space.js';
import '../../src/backends/index.js';

const root = mkdtempSync(join(tmpdir(), 'keel-tune-par-'));
after(() => rmSync(root, { recursive: true, force: true }));
const fixture = join(import.meta.dirname, 'fixtures');
const { x, y, validationData } = data();

function runSearch(directory: string): ChildProcess {
  return spawn(process.execPath, [...process.execArgv, join(fixture, 'search-run.ts'), directory], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, KEEL_NUM_THREADS: '1' },
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );

describe('parallel and resumable search', () => {
  it('two worker processes run the same trials as one process, with the cores split between them', async () => {
    assert.equal(threadsPerWorker(2, 16), 8);
    assert.equal(threadsPerWorker(4, 2), 1);
    const options = {
      build: { module: join(fixture, 'tiny-space.ts') },
      objective: 'val_accuracy',
      maxTrials: 4,
      seed: 5,
    };
    const serial = new RandomSearch({ ...options, directory: join(root, 'serial') });
    const parallel = new RandomSearch({
      ...options,
      maxConcurrentTrials: 2,
      directory: join(root, 'parallel'),
    });
    const args = { validationData, epochs: 2, verbose: 0 };
    await serial.search(x, y, args);
    await parallel.search(x, y, args);
    const a = serial.results();
    const b = parallel.results();
    assert.deepEqual(
      b.map((t) => [t.number, t.state]),
      a.map((t) => [t.number, 'complete']),
    );
    assert.deepEqual(
      b.map((t) => t.params),
      a.map((t) => t.params),
    );
    // the same seeds give the same training; only the threads' summation order may differ
    for (let i = 0; i < a.length; i++)
      assert.ok(Math.abs(a[i]!.values![0]! - b[i]!.values![0]!) <= 1 / 64 + 1e-9);
    const [model] = await parallel.getBestModels();
    assert.ok(model);
  });

  it('a search killed with SIGKILL and restarted ends with the same trials as one never stopped, none twice', async () => {
    const whole = join(root, 'whole');
    assert.equal(await exited(runSearch(whole)), 0);
    const killed = join(root, 'killed');
    const child = runSearch(killed);
    const store = () => new StudyStore(join(killed, 'tuning.db'));
    // kill once two trials are complete and a third is running
    for (let i = 0; ; i++) {
      await new Promise((r) => setTimeout(r, 50));
      let trials: ReturnType<StudyStore['listTrials']> = [];
      try {
        const s = store();
        trials = s.listStudies().length ? s.listTrials('resume') : [];
        s.close();
      } catch {}
      if (
        trials.filter((t) => t.state === 'complete').length >= 2 &&
        trials.some((t) => t.state === 'running')
      )
        break;
      assert.ok(i < 1200, 'the search did not get going');
    }
    child.kill('SIGKILL');
    assert.equal(await exited(child), 'SIGKILL');
    const before = store();
    const interrupted = before.listTrials('resume').filter((t) => t.state === 'running').length;
    before.close();
    assert.ok(interrupted >= 1);
    assert.equal(await exited(runSearch(killed)), 0);
    const done = store().listTrials('resume');
    const reference = new StudyStore(join(whole, 'tuning.db')).listTrials('resume');
    assert.equal(
      done.filter((t) => t.state === 'complete').length,
      reference.filter((t) => t.state === 'complete').length,
    );
    assert.deepEqual(
      done.map((t) => t.number),
      reference.map((t) => t.number),
    );
    assert.deepEqual(
      done.map((t) => [t.params, t.meta]),
      reference.map((t) => [t.params, t.meta]),
    );
    for (const t of done) {
      assert.equal(t.state, 'complete');
      assert.deepEqual(
        t.intermediate.map((v) => v.step),
        Array.from(
          { length: t.meta.epochs - t.meta.initialEpoch },
          (_, i) => t.meta.initialEpoch + i,
        ),
      );
    }
  });
});
