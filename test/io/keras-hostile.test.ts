import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { writeH5Weights } from '../../src/io/keras/h5-store.js';
import { loadKerasModel, loadKerasModelFromBytes } from '../../src/io/keras/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'keras3');
const dir = mkdtempSync(join(tmpdir(), 'keel-keras-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const mlp = () => unzipSync(readFileSync(join(fixtures, 'mlp.keras')));
const enc = new TextEncoder();
const dec = new TextDecoder();

/** The MLP fixture with its config.json passed through `edit`. */
function editedConfig(edit: (text: string) => string): Uint8Array {
  const files = mlp();
  files['config.json'] = enc.encode(edit(dec.decode(files['config.json'])));
  return zipSync(files);
}

const load = (bytes: Uint8Array) => loadKerasModelFromBytes(bytes, 'bad.keras');

describe('.keras files that are broken or hostile', () => {
  it('refuses bytes that are not a zip archive', async () => {
    await assert.rejects(
      load(enc.encode('not a zip at all')),
      /bad\.keras: not a readable \.keras \(zip\) archive/,
    );
    const path = join(dir, 'text.keras');
    writeFileSync(path, 'hello');
    await assert.rejects(
      loadKerasModel(path),
      /text\.keras: not a readable \.keras \(zip\) archive/,
    );
  });

  it('refuses a zip without config.json', async () => {
    const files = mlp();
    delete files['config.json'];
    await assert.rejects(load(zipSync(files)), /bad\.keras: the archive has no config\.json/);
  });

  it('names a layer class Keel does not have, and the layer', async () => {
    const bytes = editedConfig((t) => t.replace('"class_name": "Dense"', '"class_name": "Dunce"'));
    await assert.rejects(
      load(bytes),
      /layer 'mlp\/dense' has class 'Dunce', which Keel does not have/,
    );
  });

  it('names the layer and both shapes when a weight has the wrong shape', async () => {
    const bytes = editedConfig((t) => t.replace('"units": 16', '"units": 15'));
    await assert.rejects(
      load(bytes),
      /layer 'dense' \(Dense\): variable 'layers\/dense\/vars\/0' has shape \[8,16\], the layer needs \[8,15\]/,
    );
  });

  it('names the layer when the file has another number of variables for it', async () => {
    const bytes = editedConfig((t) => t.replace('"use_bias": true', '"use_bias": false'));
    await assert.rejects(
      load(bytes),
      /layer 'dense' \(Dense\) has 1 variables in Keel, the file has 2 in 'layers\/dense\/vars'/,
    );
  });

  it("refuses an entry path with '..' or an absolute path, and writes nothing", async () => {
    const outside = join(dir, 'evil.txt');
    for (const name of ['../evil.txt', 'assets/../../evil.txt', '/tmp/evil.txt']) {
      const files = mlp();
      files[name] = enc.encode('x');
      await assert.rejects(
        load(zipSync(files)),
        /a path outside the archive's root; refusing the file/,
      );
    }
    assert.equal(existsSync(outside), false);
  });

  it('refuses a declared size above the limit before inflating anything', async () => {
    const zip = zipSync(mlp(), { level: 0 });
    // Patch config.json's uncompressed size in its central directory record to 2 GiB - 1.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const name = enc.encode('config.json');
    let patched = 0;
    for (let at = 0; at + 46 < zip.byteLength; at++) {
      if (view.getUint32(at, true) !== 0x02014b50) continue;
      const nameLength = view.getUint16(at + 28, true);
      const entry = zip.subarray(at + 46, at + 46 + nameLength);
      if (Buffer.from(entry).equals(Buffer.from(name))) {
        view.setUint32(at + 24, 0x7fffffff, true);
        patched++;
      }
    }
    assert.equal(patched, 1);
    await assert.rejects(
      load(zip),
      /'config\.json' declares 2147483647 bytes, more than the limit of 67108864/,
    );
    await assert.rejects(
      loadKerasModelFromBytes(zipSync(mlp()), 'small.keras', { maxWeightsBytes: 1000 }),
      /'model\.weights\.h5' declares \d+ bytes, more than the limit of 1000/,
    );
  });

  it('refuses weights that are not HDF5, and a model whose weights file is missing', async () => {
    const files = mlp();
    files['model.weights.h5'] = enc.encode('definitely not hdf5'.repeat(100));
    await assert.rejects(
      load(zipSync(files)),
      /bad\.keras: model\.weights\.h5 is not a readable HDF5 file/,
    );
    delete files['model.weights.h5'];
    await assert.rejects(
      load(zipSync(files)),
      /has 4 weights but the archive has no model\.weights\.h5/,
    );
  });

  it('refuses config.json that is not JSON or not a model', async () => {
    await assert.rejects(load(editedConfig(() => '{"class_name": ')), /config\.json/);
    await assert.rejects(
      load(editedConfig(() => '[1, 2]')),
      /config\.json must be a serialized Keras model/,
    );
  });

  it('does not follow an HDF5 external link out of the file', async () => {
    // The link's target exists and holds a tensor of the right shape: it must still be refused.
    const secret = new Tensor(new Float32Array(128).fill(42), [8, 16], 'float32');
    writeFileSync(
      '/tmp/keel-keras-secret.h5',
      await writeH5Weights([{ group: '', index: 0, value: secret }], new Map(), 'test'),
    );
    try {
      await assert.rejects(
        loadKerasModel(join(fixtures, 'hostile_external_link.keras')),
        /'layers\/dense\/vars\/0' is not a dataset in model\.weights\.h5/,
      );
    } finally {
      rmSync('/tmp/keel-keras-secret.h5', { force: true });
    }
  });

  it("does not read a dataset's external raw storage from the host's files", async () => {
    writeFileSync('/tmp/keel-keras-secret.bin', Buffer.from(new Float32Array(128).fill(42).buffer));
    try {
      let model: Awaited<ReturnType<typeof loadKerasModel>>;
      try {
        model = await loadKerasModel(join(fixtures, 'hostile_external_storage.keras'));
      } catch {
        return; // refusing the file is as good as not reading the host's file
      }
      assert.ok(![...model.weights[0]!.data].every((v) => v === 42), 'read the host file');
    } finally {
      rmSync('/tmp/keel-keras-secret.bin', { force: true });
    }
  });

  it('refuses a directory and a FIFO-like non-regular path without hanging', async () => {
    const folder = join(dir, 'folder.keras');
    mkdirSync(folder);
    await assert.rejects(loadKerasModel(folder), /folder\.keras/);
  });
});

describe('the Keel-format entry points and .keras paths', () => {
  it('model.save and loadModel point to the .keras functions instead of writing a Keel file', async () => {
    const { Sequential } = await import('../../src/models/sequential.js');
    const { Dense } = await import('../../src/nn/layers/dense.js');
    const { loadModel } = await import('../../src/io/keel-format/model-file.js');
    const model = new Sequential([new Dense(2, { inputShape: [3] })]);
    const path = join(dir, 'plain.keras');
    assert.throws(() => model.save(path), /await saveKerasModel\(model, '.*plain\.keras'\)/);
    assert.equal(existsSync(path), false);
    assert.throws(
      () => loadModel(join(fixtures, 'mlp.keras')),
      /await loadKerasModel\('.*mlp\.keras'\)/,
    );
  });
});
