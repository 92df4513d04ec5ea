/**
 * Campaign probes through the real CLI: kill -9 at random times (resuming after each kill) with
 * every stored finding replayed at the end; a pause of the whole process (SIGSTOP/SIGCONT) longer
 * than the watchdog; two campaigns on one directory (a second one, a --resume of a live one, two
 * started at once, a resume after the owner was killed); corrupt
 * state.json and finding files. "Data lost": a finding that was on disk (or printed) before and is
 * gone after, or a finding file another probe step left changed.
 * Leaves out: a full disk (disk.ts).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, cleanCampaignExit, cleanExit, cli, collect, findingsOnDisk, judge, pool, type Row, row, rng, show, sleep, startCli, tempDir } from './harness.js';

const MODELS = 'litmus/*';

function account(r: Row, known: Map<string, string>, now: Map<string, string>, when: string): void {
  for (const sig of known.keys()) {
    if (!now.has(sig)) {
      r.lost++;
      if (r.examples.length < 5) r.examples.push(`${sig} lost ${when}`);
    }
  }
  for (const [s, t] of now) known.set(s, t);
}

async function waitFor(path: string, ms: number): Promise<boolean> {
  for (let t = 0; t < ms; t += 100) {
    if (existsSync(path)) return true;
    await sleep(100);
  }
  return false;
}

export async function killProbe(kills: number): Promise<Row> {
  const r = row('kill -9 at random times + replay of every finding');
  const dir = join(tempDir('kill'), 'c');
  const rnd = rng(11);
  const known = new Map<string, string>();
  for (let i = 0; i < kills; i++) {
    // A kill before the first checkpoint leaves no campaign: the next run starts it again.
    const started = existsSync(join(dir, 'state.json'));
    const args = started ? ['fuzz', '--resume', dir, '--time', '60s', '--workers', '2'] : ['fuzz', '--models', MODELS, '--time', '60s', '--workers', '2', '--out', dir];
    const c = startCli(args);
    const done = collect(c, 120_000);
    await waitFor(join(dir, 'state.json'), 60_000);
    await sleep(rnd() * 6000);
    c.kill('SIGKILL');
    const res = await done;
    judge(r, res.signal === 'SIGKILL' || cleanCampaignExit(res, [0, 1]), show(args, res));
    account(r, known, findingsOnDisk(dir), `after kill ${i + 1}`);
  }
  const last = existsSync(join(dir, 'state.json')) ? ['fuzz', '--resume', dir, '--time', '5s', '--workers', '2', '--report-time', '20s']
    : ['fuzz', '--models', MODELS, '--time', '5s', '--workers', '2', '--report-time', '20s', '--out', dir];
  const fin = await cli(last, 180_000);
  judge(r, cleanCampaignExit(fin, [0, 1]), show(last, fin));
  account(r, known, findingsOnDisk(dir), 'after the last resume');
  const tokens = [...findingsOnDisk(dir).entries()].filter(([, t]) => t !== '');
  await pool(tokens.map(([sig, token]) => async () => {
    const res = await cli(['replay', token]);
    judge(r, res.code === 1, `replay of ${sig}: ${show(['replay', token], res)}`);
  }));
  r.notes.push(`${kills} kills, ${known.size} findings, ${tokens.length} replayed`);
  return r;
}

/** Run the CLI with `args`, stopping the whole process (SIGSTOP) for 6 s after `afterMs`. */
async function pausedRun(args: readonly string[], afterMs: number): Promise<CliResult> {
  const c = startCli(args);
  const done = collect(c, 120_000);
  await sleep(afterMs);
  c.kill('SIGSTOP');
  await sleep(6000);
  c.kill('SIGCONT');
  return done;
}

export async function pauseProbe(trials: number): Promise<Row> {
  const r = row('pause (SIGSTOP) 6 s > watchdog 2 s');
  // A single check in the sandbox first: the pause must not read as "exceeded 2 s of CPU time".
  const check = ['check', 'litmus/readers', '--scenario', 'n4', '--strategy', 'random', '--time', '8s', '--watchdog', '2s', '--no-report'];
  const cres = await pausedRun(check, 2500);
  judge(r, cleanExit(cres, [0]), show(check, cres));
  for (let i = 0; i < trials; i++) {
    const dir = join(tempDir('pause'), 'c');
    const args = ['fuzz', '--models', 'litmus/lost-update,litmus/readers,litmus/lastzero', '--strategies', 'random,dpor', '--time', '10s', '--workers', '2', '--watchdog', '2s', '--out', dir, '--report-time', '5s'];
    const res = await pausedRun(args, 3000);
    const hangs = [...findingsOnDisk(dir).keys()].filter((s) => s.startsWith('hang-'));
    const suspected = /of CPU in one execution|made no progress/.test(res.stderr);
    judge(r, cleanCampaignExit(res, [1]) && hangs.length === 0 && !suspected, `${show(args, res)}; hangs filed: ${hangs.length}; suspected: ${suspected}`);
  }
  return r;
}

export async function lockProbe(): Promise<Row> {
  const r = row('two campaigns on one directory');
  const base = tempDir('lock');
  const dir = join(base, 'c');
  const known = new Map<string, string>();
  const a = startCli(['fuzz', '--models', MODELS, '--time', '60s', '--workers', '1', '--out', dir]);
  const aDone = collect(a, 120_000);
  await waitFor(join(dir, 'state.json'), 30_000);
  const refused = async (args: string[], re: RegExp): Promise<void> => {
    const res = await cli(args);
    judge(r, cleanExit(res, [2]) && re.test(res.stderr), show(args, res));
  };
  await refused(['fuzz', '--models', MODELS, '--time', '5s', '--out', dir], /in use by another campaign/);
  await refused(['fuzz', '--resume', dir, '--time', '5s'], /in use by another campaign.*--resume refused/);
  await sleep(2000);
  account(r, known, findingsOnDisk(dir), 'while live');
  a.kill('SIGKILL');
  await aDone;
  const resume = ['fuzz', '--resume', dir, '--time', '3s', '--workers', '1', '--report-time', '5s'];
  const res = await cli(resume, 120_000);
  judge(r, cleanCampaignExit(res, [0, 1]), show(resume, res));
  account(r, known, findingsOnDisk(dir), 'after the takeover');
  judge(r, !existsSync(join(dir, 'lock')), 'the lock is left behind after a finished campaign');
  // Two new campaigns at once on one fresh directory: exactly one runs.
  for (let i = 0; i < 3; i++) {
    const d = join(base, `race${i}`);
    const args = ['fuzz', '--models', 'litmus/lost-update', '--time', '3s', '--workers', '1', '--out', d, '--report-time', '3s'];
    const [x, y] = await Promise.all([cli(args, 120_000), cli(args, 120_000)]);
    const ran = [x, y].filter((q) => q.code !== 2).length;
    const refusedOne = [x, y].find((q) => q.code === 2);
    judge(r, cleanCampaignExit(x) && cleanCampaignExit(y) && ran === 1 && refusedOne !== undefined && cleanExit(refusedOne, [2]), `race: ${show(args, x)} | ${show(args, y)}`);
  }
  return r;
}

/** Mutations of a state.json text. */
function stateMutants(text: string): [string, (dir: string) => void][] {
  const st = JSON.parse(text) as Record<string, unknown>;
  const put = (k: string, v: unknown) => (dir: string): void => writeFileSync(join(dir, 'state.json'), JSON.stringify({ ...st, [k]: v }));
  const raw = (t: string) => (dir: string): void => writeFileSync(join(dir, 'state.json'), t);
  const out: [string, (dir: string) => void][] = [];
  for (const [k, vs] of Object.entries({
    executions: ['1', -1, 1.5, 1e300, null, [], {}], next_chunk: ['0', -5, 2 ** 60], seed: ['x', -1, null], elapsed_s: ['1', -3],
    strategies: ['random', [], [1], [null], ['bogus']], shard: [{ index: 3, count: 2 }, { index: -1, count: 1 }, '0/1', null],
    models: [5, ['litmus/*'], 'no-such/*'], hung: ['x', [1]], exhausted: [null, [{}]], finished: ['yes'], version: [2, '1'], format: ['x', null],
    sessions: [-1], coverage: ['many'], created: [7],
  })) for (const v of vs) out.push([`${k} = ${JSON.stringify(v)}`, put(k, v)]);
  out.push(['truncated', raw(text.slice(0, text.length / 2))], ['empty', raw('')], ['not JSON', raw('\u0000\u0001garbage')], ['an array', raw('[1,2]')],
    ['deep nesting', raw(`${'['.repeat(5000)}${']'.repeat(5000)}`)], ['null', raw('null')]);
  out.push(['a directory', (dir) => { rmSync(join(dir, 'state.json')); mkdirSync(join(dir, 'state.json')); }]);
  out.push(['a symlink to /dev/zero', (dir) => { rmSync(join(dir, 'state.json')); symlinkSync('/dev/zero', join(dir, 'state.json')); }]);
  out.push(['a FIFO', (dir) => { rmSync(join(dir, 'state.json')); execFileSync('mkfifo', [join(dir, 'state.json')]); }]);
  return out;
}

function findingMutants(dir: string): [string, (d: string) => void][] {
  const files = readdirSync(join(dir, 'findings')).filter((f) => f.endsWith('.json'));
  const f = files[0] as string;
  const rec = JSON.parse(readFileSync(join(dir, 'findings', f), 'utf8')) as Record<string, unknown>;
  const put = (k: string, v: unknown) => (d: string): void => writeFileSync(join(d, 'findings', f), JSON.stringify({ ...rec, [k]: v }));
  return [
    ['finding signature != file name', put('signature', 'invariant-00000000')], ['finding report = ../../../etc/passwd', put('report', '../../../etc/passwd')],
    ['finding count = "x"', put('count', 'x')], ['finding token = 5', put('token', 5)], ['finding title = {}', put('title', {})],
    ['finding sites = "a"', put('sites', 'a')], ['finding signature = ../x', put('signature', '../x')],
    ['finding truncated', (d) => writeFileSync(join(d, 'findings', f), '{"signature": ')],
  ];
}

export async function corruptStateProbe(): Promise<Row> {
  const r = row('corrupt state.json / finding files');
  const base = tempDir('state');
  const good = join(base, 'good');
  const made = await cli(['fuzz', '--models', 'litmus/lost-update,litmus/abba', '--strategies', 'random', '--executions', '2000', '--workers', '1', '--out', good, '--report-time', '5s'], 120_000);
  if (!cleanCampaignExit(made, [1])) {
    judge(r, false, `could not make a campaign to corrupt: ${show(['fuzz'], made)}`);
    return r;
  }
  const text = readFileSync(join(good, 'state.json'), 'utf8');
  const mutants = [...stateMutants(text), ...findingMutants(good)];
  await pool(mutants.map(([what, apply], i) => async () => {
    const d = join(base, `m${i}`);
    cpSync(good, d, { recursive: true });
    apply(d);
    const before = readdirSync(join(d, 'findings')).map((f) => readFileSync(join(d, 'findings', f), 'utf8')).join('\n');
    const args = ['fuzz', '--resume', d, '--time', '1s', '--workers', '1'];
    const res = await cli(args, 60_000);
    judge(r, cleanExit(res, [2]), `${what}: ${show(args, res)}`);
    const after = readdirSync(join(d, 'findings')).map((f) => readFileSync(join(d, 'findings', f), 'utf8')).join('\n');
    if (after !== before) {
      r.lost++;
      if (r.examples.length < 5) r.examples.push(`${what}: a finding file was changed by the refused resume`);
    }
  }));
  return r;
}
