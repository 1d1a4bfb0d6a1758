import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.js');

function ppfm(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ppfm simulate --task zero-shot', function () {
  this.timeout(120_000);

  it('exits 2 with one line on bad zero-shot flags', async () => {
    const base = ['simulate', '--task', 'zero-shot', '--dataset', 'mnist', '--peers', '4', '--rounds', '1'];
    const cases: [string[], RegExp][] = [
      [[...base, '--partition', 'iid'], /--partition: --task zero-shot needs zeroshot:<unseen>/],
      [
        [...base, '--partition', 'zeroshot:3', '--semantic', 'clip'],
        /--semantic: expected a list of name, name\+wordnet/,
      ],
      [[...base, '--partition', 'zeroshot:3', '--settings', 'solo'], /--settings: expected a list of alone/],
      [[...base, '--partition', 'zeroshot:3', '--zs-model', 'gan'], /Allowed choices are generator, compat/],
      [[...base, '--partition', 'zeroshot:x'], /--partition: .*unseen must be an integer/],
    ];
    for (const [args, re] of cases) {
      const r = await ppfm(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    }
  });

  it('simulates a tiny zero-shot federation and prints JSON', async () => {
    const r = await ppfm([
      'simulate',
      '--task',
      'zero-shot',
      '--dataset',
      'mnist',
      '--partition',
      'zeroshot:3',
      '--peers',
      '3',
      '--rounds',
      '1',
      '--max-samples',
      '600',
      '--zs-steps',
      '2',
      '--semantic',
      'name',
      '--settings',
      'alone,federated',
      '--backend',
      'wasm',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      rows: { setting: string; variant: string; raw: { zsl: number } }[];
    };
    assert.deepEqual(
      out.rows.map((x) => `${x.variant}/${x.setting}`),
      ['name/alone', 'name/federated'],
    );
    assert.ok(out.rows.every((x) => x.raw.zsl >= 0 && x.raw.zsl <= 1));
  });
});
