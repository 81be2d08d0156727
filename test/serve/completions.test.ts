/** OpenAI-compatible /v1/completions over generate, with a plain server-sent-events client. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from '../../src/models/generate.js';
import { GPT } from '../../src/models/gpt.js';
import type { KeelServer } from '../../src/serve/server.js';
import { bearer, call, tempDir, testServer } from './helpers.js';

const { dir, cleanup } = tempDir();
const vocabulary = [...'abcdefgh .'];
let server: KeelServer;
let key: string;
let gpt: GPT;

before(async () => {
  gpt = new GPT({
    vocabularySize: vocabulary.length,
    sequenceLength: 16,
    numLayers: 1,
    numHeads: 2,
    hiddenDim: 8,
  });
  const folder = join(dir, 'models', 'chars', '1');
  mkdirSync(folder, { recursive: true });
  gpt.save(join(folder, 'model.keel'), { inputShapes: [[null, 16]] });
  writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify({ vocabulary }));
  server = await testServer(dir);
  key = server.store.createKey('acme').key;
});
after(async () => {
  await server.close();
  cleanup();
});

const decode = (ids: number[]) => ids.map((i) => vocabulary[i]).join('');

/** A plain SSE client: the `data:` payloads of the event stream, in order. */
function sse(
  url: string,
  body: unknown,
): Promise<{ status: number; type: string; events: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(key) } },
      (res) => {
        let buffer = '';
        const events: string[] = [];
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let at: number;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            const event = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            for (const line of event.split('\n'))
              if (line.startsWith('data: ')) events.push(line.slice(6));
          }
        });
        res.on('end', () =>
          resolve({ status: res.statusCode!, type: String(res.headers['content-type']), events }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('POST /v1/completions', () => {
  it('completes a text prompt greedily, as generate does, with OpenAI fields and usage', async () => {
    const r = await call(
      server.url,
      'POST',
      '/v1/completions',
      { model: 'chars', prompt: 'abc', max_tokens: 6, temperature: 0 },
      bearer(key),
    );
    assert.equal(r.status, 200, r.text);
    const body = r.body as {
      id: string;
      object: string;
      model: string;
      choices: { text: string; index: number; finish_reason: string }[];
      usage: Record<string, number>;
    };
    assert.match(body.id, /^cmpl-/);
    assert.equal(body.object, 'text_completion');
    assert.equal(body.model, 'chars');
    const want = generate(gpt, [0, 1, 2], { maxNewTokens: 6, temperature: 0 })[0]!.slice(3);
    assert.equal(body.choices[0]!.text, decode(want));
    assert.equal(body.choices[0]!.finish_reason, 'length');
    assert.deepEqual(body.usage, { prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 });
  });

  it('streams the same text as server-sent events ending with [DONE]', async () => {
    const { status, type, events } = await sse(`${server.url}/v1/completions`, {
      model: 'chars',
      prompt: 'abc',
      max_tokens: 6,
      temperature: 0,
      stream: true,
    });
    assert.equal(status, 200);
    assert.match(type, /^text\/event-stream/);
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    assert.ok(chunks.length >= 2);
    const text = chunks.map((c) => c.choices[0].text).join('');
    const want = generate(gpt, [0, 1, 2], { maxNewTokens: 6, temperature: 0 })[0]!.slice(3);
    assert.equal(text, decode(want));
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'length');
    assert.equal(chunks.at(-1).usage.completion_tokens, 6);
  });

  it('stops at a stop sequence, seeds sampling, and rejects bad parameters with 400', async () => {
    const full = generate(gpt, [0], { maxNewTokens: 12, temperature: 0 })[0]!.slice(1);
    const text = decode(full);
    const stop = text.slice(3, 5);
    const cut = text.indexOf(stop);
    const r = await call(
      server.url,
      'POST',
      '/v1/completions',
      { model: 'chars', prompt: 'a', max_tokens: 12, temperature: 0, stop },
      bearer(key),
    );
    const choice = (r.body as { choices: { text: string; finish_reason: string }[] }).choices[0]!;
    assert.equal(choice.text, text.slice(0, cut));
    assert.equal(choice.finish_reason, 'stop');
    const sampled = async () =>
      (
        (
          await call(
            server.url,
            'POST',
            '/v1/completions',
            {
              model: 'chars',
              prompt: [1, 2],
              max_tokens: 8,
              temperature: 1,
              top_k: 4,
              top_p: 0.9,
              seed: 7,
            },
            bearer(key),
          )
        ).body as { choices: { text: string }[] }
      ).choices[0]!.text;
    assert.equal(await sampled(), await sampled());
    for (const [body, message] of [
      [{ model: 'chars', prompt: 'xyz' }, /not in the model's vocabulary/],
      [{ model: 'chars', prompt: 'a', temperature: 3 }, /temperature must be a number in \[0, 2\]/],
      [{ model: 'chars', prompt: 'a', max_tokens: 0 }, /max_tokens/],
      [{ model: 'chars', prompt: [99] }, /prompt token 99/],
      [{ model: 'nope', prompt: 'a' }, /Servable not found/],
    ] as const) {
      const bad = await call(server.url, 'POST', '/v1/completions', body, bearer(key));
      assert.ok(bad.status === 400 || bad.status === 404, `${bad.status} ${bad.text}`);
      assert.match((bad.body as { error: { message: string } }).error.message, message);
    }
  });

  it('meters prompt + completion tokens per request', async () => {
    const { key: k, id } = server.store.createKey('tokens-co');
    await call(
      server.url,
      'POST',
      '/v1/completions',
      { model: 'chars', prompt: 'ab', max_tokens: 5, temperature: 0 },
      bearer(k),
    );
    server.usage.flush();
    const row = server.store.db
      .prepare('SELECT SUM(tokens) AS t FROM usage WHERE key_id = ?')
      .get(id) as { t: number };
    assert.equal(row.t, 7);
  });
});
