/**
 * A fuzz campaign (issue 7): many runs over every (model, scenario) target, on every core, for a
 * time or execution budget, with deduplicated findings, coverage of interleavings, a corpus,
 * checkpoints for `--resume`, shards for batch systems, minimized reports and a summary.
 *
 * Stages: setup.ts resolves the options (new or resumed directory, targets, shard, corpus); this
 * file hands out deterministic chunks (plan.ts) and minimize jobs (report-stage.ts) to the worker
 * pool (pool.ts), folds the workers' messages into the findings store (store.ts), the coverage set
 * and the counters, checkpoints every two seconds, and writes the summary (summary.ts) at the end.
 * `--time` is the whole campaign's wall time, reports included: once every target has had a chunk,
 * fuzzing stops when the time left is what the queued reports still need (at most half the budget),
 * the workers then minimize what is left, and every job's budget ends with the campaign. On SIGINT fuzzing stops and
 * the queued reports are rendered as found. Exit code 1 when any bug is known, else 0; a failed
 * write (disk full, permissions) stops the campaign with exit code 2 after printing every known
 * token, so nothing found is lost.
 * Leaves out: option parsing (commands/fuzz.ts) and running under c8 (coverage.ts).
 */
import { join } from 'node:path';
import type { CliIO } from '../command.js';
import { EXIT_FOUND, EXIT_OK, EXIT_USAGE } from '../command.js';
import { entryPath } from './corpus.js';
import { writeAtomicAsync } from './files.js';
import type { ChunkMsg, FromWorker, Job } from './messages.js';
import { knownBugs } from './known.js';
import { pinFindings } from './pin.js';
import { chunkSpec } from './plan.js';
import { WorkerPool } from './pool.js';
import { Progress, type Snapshot } from './progress.js';
import { ReportStage } from './report-stage.js';
import { type Setup } from './setup.js';
import { thrownText } from '../../engine/thrown.js';
import { recheckHang } from './recheck.js';
import { hangSignature } from './signature.js';
import { appendCoverage, writeState } from './state.js';
import { FindingsStore } from './store.js';
import { summaryOf, writeSummary } from './summary.js';

/** Time budget of one chunk when the campaign is time-bound. */
const CHUNK_MS = 400;
/** Executions of one chunk when the campaign is execution-bound. */
const CHUNK_EXECUTIONS = 2000;
/** Coverage entries written to the campaign corpus per target. */
const COVER_CORPUS_PER_TARGET = 64;
/** Most coverage keys kept in memory (about 40 MB); beyond it new keys are not counted. */
const MAX_COVERAGE = 1_000_000;

export interface CampaignResult {
  readonly exit: number;
  readonly dir: string;
  readonly executions: number;
  readonly bugs: number;
}

/** Run the campaign set up by setup.ts; its directory's lock is released however it ends. */
export async function runCampaign(s: Setup, io: CliIO, handleSignals: boolean): Promise<CampaignResult> {
  const release = (): void => s.lock.release();
  process.on('exit', release); // a second Ctrl-C exits at once
  try {
    return await runLocked(s, io, handleSignals);
  } finally {
    process.off('exit', release);
    release();
  }
}

async function runLocked(s: Setup, io: CliIO, handleSignals: boolean): Promise<CampaignResult> {
  const st = s.state;
  const t0 = Date.now();
  const elapsedBefore = st.elapsed_s;
  const elapsed = (): number => elapsedBefore + (Date.now() - t0) / 1000;
  const store = new FindingsStore(s.dir, join(s.dir, 'corpus'), elapsed);
  store.load(s.findings);
  const coverage = s.coverage;
  const coverSaved = s.targets.map(() => 0);
  const log = (l: string): void => io.err(l);
  const until = s.timeMs !== undefined ? t0 + s.timeMs : Infinity;
  const reports = new ReportStage(s.dir, store, { perBugMs: s.reportBudgetMs, workers: s.workers, watchdogMs: s.watchdogMs }, log);
  reports.start(store.records());
  /**
   * When fuzzing ends: early enough for the queued reports, and for two more found at the last
   * moment (at most a tenth of the budget for those), never more than half the budget before the end.
   */
  const fuzzUntil = (): number => {
    if (s.timeMs === undefined) return Infinity;
    const late = Math.min(0.1 * s.timeMs, 1000 + 2 * reports.estimateMs());
    // Until every target had a chunk, reports wait: the first pass finds most bugs.
    const tail = firstPass() ? late : Math.min(0.5 * s.timeMs, Math.max(late, 1000 + reports.neededMs()));
    return until - tail;
  };
  /** Set when the plan has nothing left to run (every target exhausted or retired). */
  let planDone = false;
  const firstChunk = st.next_chunk;
  /** Some target has not had a chunk yet this session (reports wait for that, at most half the time budget). */
  const firstPass = (): boolean => st.next_chunk - firstChunk < s.targets.length && !planDone
    && (s.timeMs === undefined || Date.now() < t0 + 0.5 * s.timeMs);
  const startExec = st.executions;
  let allocated = 0;
  // An execution budget is spread so every target x strategy gets about four chunks of it.
  const chunkExecutions = s.executions === undefined ? CHUNK_EXECUTIONS
    : Math.max(50, Math.min(CHUNK_EXECUTIONS, Math.floor(s.executions / (4 * s.targets.length * s.strategies.length))));
  let stopping = false;
  let interrupted = false;
  let fatal: string | null = null;
  let crashes = 0;
  let nonEssentialFailed = false;
  const nonEssential = (e: unknown): void => {
    if (nonEssentialFailed) return;
    nonEssentialFailed = true;
    log(`mapcheck fuzz: ${thrownText(e)} (coverage data only: the campaign goes on; findings are still written)`);
  };
  const targetName = (i: number): string => `${s.targets[i]?.model ?? '?'} [${s.targets[i]?.scenario ?? '?'}]`;
  const fuzzing = (): boolean => !stopping && !planDone && Date.now() < fuzzUntil() && (s.executions === undefined || allocated < s.executions);

  const nextChunk = (): ChunkMsg | null => {
    if (!fuzzing()) return null;
    const end = fuzzUntil();
    for (let tries = 0; tries < s.targets.length * s.strategies.length; tries++) {
      const c = chunkSpec(st.next_chunk++, s.targets.length, s.strategies, s.shard, st.seed);
      const name = targetName(c.target);
      if (st.hung.includes(name) || recheck.has(name) || st.exhausted.includes(name) || st.exhausted.includes(`${name}/${c.strategy}`)) continue;
      const maxExecutions = s.executions !== undefined ? Math.min(chunkExecutions, s.executions - allocated) : 1e12;
      allocated += s.executions !== undefined ? maxExecutions : 0;
      return { type: 'chunk', n: c.n, target: c.target, strategy: c.strategy, seed: c.seed, maxExecutions, timeMs: s.executions !== undefined ? Infinity : CHUNK_MS, until: end };
    }
    planDone = true;
    return null;
  };
  const chunkTarget = new Map<number, ChunkMsg>();
  /** A minimize job when one is due (reports first), else a fuzz chunk while fuzzing lasts. */
  const next = (): Job | null => {
    if (fatal !== null || store.failure) return null;
    const fuzzingNow = fuzzing();
    const job = fuzzingNow && firstPass() ? null : reports.next({ fuzzing: fuzzingNow, interrupted, deadline: until });
    if (job) return job;
    const c = nextChunk();
    if (c) chunkTarget.set(c.n, c);
    return c;
  };

  const onMessage = (m: FromWorker): void => {
    if (m.type === 'progress') {
      st.executions += m.executions;
      for (const c of m.cover) {
        if (coverage.has(c.key) || coverage.size >= MAX_COVERAGE) continue;
        coverage.add(c.key);
        newKeys.push(c.key);
        const t = s.targets[c.target];
        if (c.token && t && (coverSaved[c.target] as number) < COVER_CORPUS_PER_TARGET) {
          coverSaved[c.target] = (coverSaved[c.target] as number) + 1;
          const e = { token: c.token, model: t.model, scenario: t.scenario, reason: 'coverage' as const, kind: null, pinned: false, found: new Date().toISOString() };
          // Coverage entries are a convenience (not findings): written without fsync, off the event
          // loop, and a failed write (a full disk) is noted once, never fatal.
          void writeAtomicAsync(entryPath(join(s.dir, 'corpus'), e, c.key.toString(16).padStart(8, '0')), `${JSON.stringify(e, null, 2)}\n`, false)
            .catch(nonEssential);
        }
      }
      for (const [sig, n] of m.repeats) void store.addRepeats(sig, n);
    } else if (m.type === 'finding') {
      void store.add(m).then((o) => { if (o === 'new' || o === 'smaller') reports.changed(m.signature); });
    } else if (m.type === 'report') {
      void reports.apply(m);
    } else if (m.type === 'chunk-done') {
      const c = chunkTarget.get(m.n);
      chunkTarget.delete(m.n);
      // Plain DFS and delay bounding (both unbounded in campaigns) ran every schedule: the target is
      // done for every strategy. DPOR's (and the portfolio's) exhaustion rests on its dependency
      // relation, so only that strategy retires there; the randomized ones keep looking.
      if (c && m.exhaustive) {
        const k = c.strategy === 'dfs' || c.strategy === 'delay' ? targetName(c.target) : `${targetName(c.target)}/${c.strategy}`;
        if (!st.exhausted.includes(k)) st.exhausted.push(k);
      }
    } else if (m.type === 'error') {
      if (m.n < 0) {
        fatal = m.message;
        stopping = true;
        return;
      }
      if (!chunkTarget.has(m.n)) {
        void reports.failed(m.n, `the report could not be made: ${m.message.split('\n')[0] ?? ''}`);
        return;
      }
      const c = chunkTarget.get(m.n);
      chunkTarget.delete(m.n);
      log(`mapcheck fuzz: chunk ${m.n}${c ? ` (${targetName(c.target)}, ${c.strategy})` : ''} failed: ${m.message.split('\n')[0] ?? ''}; target skipped from now on`);
      if (c && !st.hung.includes(targetName(c.target))) st.hung.push(targetName(c.target));
    }
  };

  const recheck = new Set<string>();
  const rechecks: Promise<void>[] = [];
  const heapKills = new Map<string, number>();
  const secs = (ms: number): string => `${Math.round(ms / 1000)} s`;
  const pool = new WorkerPool(new URL('./worker.js', import.meta.url), (w) => ({
    worker: w, targets: s.targets, seeds: s.seeds, progressMs: 200,
    ...(s.depth !== undefined ? { depth: s.depth } : {}), ...(s.maxSteps !== undefined ? { maxSteps: s.maxSteps } : {}),
  }), {
    next,
    message: onMessage,
    hang: (job, execution, cpuMs, schedule) => {
      if (job.type === 'minimize') {
        log(`mapcheck fuzz: minimizing ${job.signature} used ${secs(cpuMs)} of CPU in one execution: worker restarted`);
        void reports.failed(job.n, 'the model hung while it was being minimized (watchdog)');
        return;
      }
      const c = job;
      const t = s.targets[c.target];
      const m = t ? s.models.find((x) => x.name === t.model) : undefined;
      if (!t || !m) return;
      const name = targetName(c.target);
      if (recheck.has(name) || st.hung.includes(name)) return;
      // A suspected hang is re-checked in a fresh worker before anything is filed (recheck.ts);
      // meanwhile no worker gets the target.
      recheck.add(name);
      log(`mapcheck fuzz: ${name} used ${secs(cpuMs)} of CPU in one execution (${c.strategy}, seed ${c.seed}, around execution ${execution + 1}): worker restarted; re-checking the execution in a fresh worker`);
      rechecks.push(recheckHang({ model: m.name, hash: m.hash, scenario: t.scenario, strategy: c.strategy, seed: c.seed, steps: schedule }, { watchdogMs: s.watchdogMs }).then((r) => {
        recheck.delete(name);
        if (!r.confirmed || !r.token) {
          log(`mapcheck fuzz: ${name}: not a hang, nothing filed: ${r.note}`);
          return;
        }
        if (!st.hung.includes(name)) st.hung.push(name);
        log(`mapcheck fuzz: ${name}: the re-check hangs too: filed as a hang, target skipped for the rest of this session`);
        void store.addHang(t.model, t.scenario, hangSignature(t.model, t.scenario),
          `a thread of ${t.model} [${t.scenario}] ran ${secs(s.watchdogMs)} of CPU time in one execution without yielding an op (strategy ${c.strategy}, seed ${c.seed}, around execution ${execution + 1}; it hung again when replayed in a fresh worker): it loops without a scheduling point; add yieldNow() in the loop so the step bound can catch a livelock`,
          `npx mapcheck replay ${r.token}`, c.strategy, c.seed);
      }));
    },
    stall: (job, silentMs) => {
      const on = job.type === 'minimize' ? `minimizing ${job.signature}` : `on ${targetName(job.target)}`;
      log(`mapcheck fuzz: a worker ${on} made no progress for ${secs(silentMs)} while using no CPU (blocked, or the machine is overloaded): restarted, nothing filed`);
      if (job.type === 'minimize') void reports.failed(job.n, 'the worker stalled while minimizing');
    },
    crash: (w, message, job) => {
      if (job?.type === 'minimize') void reports.failed(job.n, `the worker died while minimizing (${message.split('\n')[0] ?? ''})`);
      const running = job?.type === 'chunk' ? job : undefined;
      // A worker at its heap limit (pool.ts) lost only its in-memory state; it is not a crash loop.
      // A target that sends workers over it twice is skipped for the rest of this session.
      const oom = /memory limit/i.test(message);
      if (!oom) crashes++;
      log(`mapcheck fuzz: worker ${w} died (${message.split('\n')[0] ?? ''}); ${crashes > 3 * s.workers ? 'too many crashes, stopping' : 'restarted'}`);
      if (oom && running) {
        const name = targetName(running.target);
        const n = (heapKills.get(name) ?? 0) + 1;
        heapKills.set(name, n);
        if (n >= 2 && !st.hung.includes(name)) {
          st.hung.push(name);
          log(`mapcheck fuzz: ${name} exceeded the workers' ${s.heapMb} MB heap limit ${n} times: target skipped for the rest of this session (raise --max-heap if its scenario really needs more)`);
        }
      }
      if (crashes > 3 * s.workers) {
        fatal = `workers keep dying: ${message.split('\n')[0] ?? ''}`;
        stopping = true;
      }
    },
  }, s.watchdogMs, s.heapMb);

  const progress = new Progress({ line: (t) => void process.stderr.write(`\r${t}\x1b[K`), log }, io.isTTY && process.stderr.isTTY === true, s.logEveryS);
  const snapshot = (): Snapshot => ({
    elapsedS: elapsed(), executions: st.executions, bugs: store.size, coverage: coverage.size, workers: pool.size,
    reports: { done: reports.done, pending: reports.pending },
  });
  let newKeys: number[] = [];
  const checkpoint = async (): Promise<void> => {
    if (!s.lock.stillOurs()) {
      // Someone removed or replaced the lock (lock.ts): two campaigns must never write one directory.
      fatal ??= `lost the lock of ${s.dir} (another process took it): stopping without writing more`;
      stopping = true;
      return;
    }
    await store.flush();
    st.elapsed_s = Math.round(elapsed() * 10) / 10;
    st.coverage = coverage.size;
    const keys = newKeys;
    newKeys = [];
    try {
      appendCoverage(s.dir, keys);
    } catch (e) {
      nonEssential(e);
      newKeys = keys.concat(newKeys); // kept for the next checkpoint
    }
    try {
      writeState(s.dir, st);
    } catch (e) {
      if (!store.failure) store.failure = e instanceof Error ? e : new Error(String(e));
    }
  };

  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((r) => { wake = r; });
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    stopping = true;
    log('\nmapcheck fuzz: interrupted; writing the reports as found and the summary (Ctrl-C again to quit at once: findings are already on disk)');
    pool.kick();
  };
  if (handleSignals) {
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
  }

  st.sessions++;
  st.finished = false;
  await checkpoint();
  log(`mapcheck fuzz: ${s.targets.length} target(s) of ${s.models.length} model(s), strategies ${s.strategies.join(',')}, ${s.workers} worker(s), shard ${s.shard.index}/${s.shard.count}${s.resumed ? ', resumed' : ''}, out ${s.dir}`);
  for (const note of s.notes) log(`mapcheck fuzz: ${note}`);
  progress.begin(snapshot());
  pool.start(s.workers);
  const ticker = setInterval(() => {
    progress.update(snapshot());
    if (store.failure || fatal) {
      stopping = true;
      wake();
    }
  }, 500);
  const saver = setInterval(() => void checkpoint(), 2000);
  // Run until no job is left: fuzzing ends by itself (time, executions, every target retired),
  // then the report queue drains. A finding may still be on its way into the store when the pool
  // goes idle: drain the store, let its callbacks queue reports, and feed the pool again if they did.
  for (;;) {
    await Promise.race([pool.idle(), stopped]);
    if (fatal !== null || store.failure) break;
    await store.flush();
    await new Promise<void>((r) => setImmediate(r));
    if (reports.pending === 0 || pool.kick() === 0) break;
  }
  if (planDone && !stopping) log('mapcheck fuzz: every target is exhausted or retired: nothing left to explore');
  stopping = true;
  clearInterval(ticker);
  clearInterval(saver);
  await pool.stop(fatal !== null || store.failure ? 0 : interrupted ? 1000 : 3000);
  await Promise.all(rechecks);
  progress.done(snapshot());
  await checkpoint();
  if (handleSignals) {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }

  const failure = store.failure as Error | null;
  if (failure || fatal) {
    io.err(`mapcheck fuzz: ${failure ? failure.message : fatal ?? ''}`);
    for (const r of store.records()) io.out(`${r.signature} ${r.model} ${r.kind} ${r.token || r.reproduce || ''}`);
    return { exit: EXIT_USAGE, dir: s.dir, executions: st.executions, bugs: store.size };
  }
  if (s.pin) for (const l of pinFindings(s.pinDir, s.models, store.records(), join(s.dir, 'corpus'))) log(`mapcheck fuzz: ${l}`);
  st.finished = !interrupted;
  await checkpoint();
  const known = knownBugs(s.models, store.records());
  const rc = reports.countsNow;
  const sum = summaryOf(st.executions, elapsed(), coverage.size, s.models.map((m) => m.name), store.records(), known);
  writeSummary(s.dir, sum);
  const session = st.executions - startExec;
  io.out(`mapcheck fuzz: ${session} executions this session (${st.executions} in all) in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${store.size} distinct bug(s), ${store.fresh.size} new; ${coverage.size} interleaving fingerprints`);
  io.out(`reports: ${rc.written + rc.failed} written this session: ${rc.fixedPoint} minimized to the fixed point, ${rc.partly} minimized until the budget ran out, ${rc.notMinimized + rc.failed} not minimized${rc.duplicates ? `; ${rc.duplicates} identical to another bug's refused` : ''}${rc.kept ? `; ${rc.kept} re-minimized no better than before (kept)` : ''}`);
  for (const b of sum.bugs) io.out(`  ${b.signature.padEnd(26)} ${b.model.padEnd(28)} x${b.count} ${b.report ? join(s.dir, b.report) : b.reproduce ?? ''}`);
  const missing = known.filter((k) => k.found === null);
  if (known.length) io.out(`known bugs found: ${known.length - missing.length}/${known.length}${missing.length ? ` (missing: ${missing.map((k) => `${k.model}:${k.id}`).join(', ')})` : ''}`);
  io.out(`summary: ${join(s.dir, 'summary.md')}`);
  return { exit: store.size > 0 ? EXIT_FOUND : EXIT_OK, dir: s.dir, executions: st.executions, bugs: store.size };
}
