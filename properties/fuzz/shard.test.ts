/**
 * Scale-out through the real CLI: two shards given by `--shard i/N`, by a Kubernetes Indexed Job's
 * environment and by a Slurm array's run disjoint seeds; `mapcheck merge` folds their directories
 * into one with deduplicated findings (counts added, one record per signature), summed executions
 * and exit code 1; merging a directory that is not a campaign is a usage error (exit 2).
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeToken } from '../../src/index.js';
import { mapcheck, tempDir } from './cli.js';

interface Rec { signature: string; count: number; seed: number; token: string }
const dir = tempDir('shard');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const records = (d: string): Rec[] => readdirSync(join(d, 'findings')).map((f) => JSON.parse(readFileSync(join(d, 'findings', f), 'utf8')) as Rec);
const state = (d: string): { executions: number; shard: { index: number; count: number } } => JSON.parse(readFileSync(join(d, 'state.json'), 'utf8')) as { executions: number; shard: { index: number; count: number } };

describe('shards and merge', () => {
  it('shards from the flag, Kubernetes and Slurm run disjoint seeds and merge with deduplication', async () => {
    const common = ['fuzz', '--models', 'litmus/lost-update,litmus/abba', '--strategies', 'random', '--executions', '4000', '--workers', '1', '--report-time', '5s'];
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const c = join(dir, 'c');
    const [ra, rb, rc] = await Promise.all([
      mapcheck([...common, '--shard', '0/3', '--out', a]),
      mapcheck([...common, '--out', b], { JOB_COMPLETION_INDEX: '1', MAPCHECK_SHARD_COUNT: '3' }),
      mapcheck([...common, '--out', c], { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' }),
    ]);
    expect([ra.code, rb.code, rc.code]).toEqual([1, 1, 1]);
    expect([a, b, c].map((d) => state(d).shard)).toEqual([{ index: 0, count: 3 }, { index: 1, count: 3 }, { index: 2, count: 3 }]);
    // Seeds of shard i are congruent to base + i modulo 3 (base 1).
    for (const [i, d] of [a, b, c].entries()) {
      for (const r of records(d)) expect((decodeToken(r.token).seed - 1 - i) % 3).toBe(0);
    }
    const m = join(dir, 'merged');
    const r = await mapcheck(['merge', a, b, c, '--out', m, '--json']);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as { executions: number; bugs: { signature: string; count: number }[]; shards: number };
    expect(s.shards).toBe(3);
    expect(s.executions).toBe(state(a).executions + state(b).executions + state(c).executions);
    const all = [a, b, c].flatMap(records);
    const sigs = [...new Set(all.map((x) => x.signature))].sort();
    expect(s.bugs.map((x) => x.signature).sort()).toEqual(sigs);
    for (const sig of sigs) {
      expect(s.bugs.find((x) => x.signature === sig)?.count).toBe(all.filter((x) => x.signature === sig).reduce((t, x) => t + x.count, 0));
    }
    expect(records(m).length).toBe(sigs.length);
  });

  it('refuses to merge a directory that is not a campaign', async () => {
    const r = await mapcheck(['merge', dir, '--out', join(dir, 'm2')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not a campaign directory/);
  });
});
