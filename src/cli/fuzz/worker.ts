/**
 * Worker-thread body of a fuzz campaign: runs the chunks the main thread hands it (one target,
 * one strategy, one seed, an execution and time budget) with `explore`, fingerprinting every
 * execution. It reports each bug signature once per target (again only when it finds a shorter
 * counterexample), counts repeats locally, and sends progress in batches. New coverage keys feed the
 * worker's mutation strategy and, for the first few per target, go to the main thread with their
 * tokens for the corpus. A violation's signature needs the names of the execution's threads: the
 * first violation of each shape (signature.ts quickKey) is replayed once to learn them, the rest
 * hit the cache; a finding sent to the main thread is signed from a replay of its own token.
 * It also runs `minimize` jobs: minimize a bug's token and render its report (report-job.ts).
 * For the watchdog it first posts its OS thread id, counts executions into the shared heartbeat,
 * and mirrors each execution's decisions into the shared tap (schedule-tap.ts), so a thread stuck in
 * a loop that never yields, which cannot report anything itself, is still told from a pause and
 * leaves the schedule that reproduces it.
 * Leaves out: files (the main thread owns the store) and the verdicts (the main thread's job).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { countExecutionsInto } from '../../engine/heartbeat.js';
import { thrownText } from '../../engine/thrown.js';
import { resolveModel } from '../resolve.js';
import { replay } from '../../check.js';
import { ScheduleTap } from '../schedule-tap.js';
import { ownThreadId } from '../watchdog.js';
import { explore } from '../../engine/explore.js';
import { fnv1a, fnvMix } from '../../engine/hash.js';
import type { AnyModel } from '../../engine/model.js';
import type { Scheduler } from '../../engine/scheduler.js';
import { encodeToken } from '../../engine/token.js';
import { UsageError } from '../../engine/violation.js';
import { makeStrategy } from '../../strategies/index.js';
import { MutateScheduler } from '../../strategies/mutate.js';
import { matchKnown } from './known.js';
import type { ChunkMsg, CoverItem, FromWorker, ToWorker, WorkerInit } from './messages.js';
import { SYSTEMATIC } from './plan.js';
import { runReportJob } from './report-job.js';
import { type SignatureParts, bugName, quickKey, signatureOf, signatureParts } from './signature.js';
import type { Violation } from '../../engine/violation.js';

const TOKENS_PER_TARGET = 64;
const MAX_LOCAL_KEYS = 1 << 18;
/** Signatures cached per violation shape; cleared when it grows past this. */
const MAX_SIGNATURES = 1 << 14;

/** Coverage key of fingerprint `fp` in target `t`: the same on every worker and machine. */
export function coverKey(targetHash: number, fp: number): number {
  return fnvMix(targetHash, fp);
}

export function targetHash(model: string, scenario: string): number {
  return fnv1a(`${model}\u0001${scenario}`);
}

class WorkerState {
  private readonly models: AnyModel[];
  private readonly thash: number[];
  private readonly mutators: MutateScheduler[];
  private readonly systematic = new Map<string, Scheduler>();
  private readonly seen = new Set<number>();
  private readonly tokensSent: number[];
  private readonly best = new Map<string, number>();
  private repeats = new Map<string, number>();
  private readonly signatures = new Map<string, { sig: string; parts: SignatureParts }>();
  private cover: CoverItem[] = [];
  private executions = 0;
  private last = Date.now();

  constructor(private readonly init: WorkerInit, private readonly post: (m: FromWorker) => void) {
    this.models = init.targets.map((t) => resolveModel(t.model));
    this.thash = init.targets.map((t) => targetHash(t.model, t.scenario));
    this.mutators = init.targets.map((_, i) => new MutateScheduler(init.worker, init.seeds[i] ?? []));
    this.tokensSent = init.targets.map(() => 0);
  }

  private scheduler(c: ChunkMsg): Scheduler {
    if (c.strategy === 'mutate') {
      // One mutator per target keeps its seed schedules; each chunk starts its own stream.
      const m = this.mutators[c.target] as MutateScheduler;
      m.reseed(c.seed);
      return m;
    }
    const opts = { seed: c.seed, ...(this.init.depth !== undefined ? { depth: this.init.depth } : {}) };
    if (!SYSTEMATIC.has(c.strategy)) return makeStrategy(c.strategy, opts);
    const k = `${c.target}/${c.strategy}`;
    let s = this.systematic.get(k);
    if (!s) {
      s = makeStrategy(c.strategy, opts);
      this.systematic.set(k, s);
    }
    return s;
  }

  flush(chunk: number, execution: number): void {
    this.post({ type: 'progress', executions: this.executions, cover: this.cover, repeats: [...this.repeats], chunk, execution });
    this.executions = 0;
    this.cover = [];
    this.repeats = new Map();
    this.last = Date.now();
  }

  run(c: ChunkMsg): void {
    const model = this.models[c.target] as AnyModel;
    const target = this.init.targets[c.target];
    if (!target) throw new UsageError(`worker: no target ${c.target}`);
    const inner = this.scheduler(c);
    const sched = this.init.tap ? new ScheduleTap(inner, this.init.tap) : inner;
    const mut = this.mutators[c.target] as MutateScheduler;
    const th = this.thash[c.target] as number;
    const r = explore(model, sched, {
      scenario: target.scenario, maxExecutions: c.maxExecutions,
      ...(Number.isFinite(c.timeMs) || Number.isFinite(c.until) ? { deadline: Math.min(Date.now() + c.timeMs, c.until) } : {}), fingerprint: true,
      continueAfterViolation: true, ...(this.init.maxSteps !== undefined ? { maxSteps: this.init.maxSteps } : {}),
      onExecution: (x, i) => {
        this.executions++;
        const key = coverKey(th, x.fingerprint);
        if (!this.seen.has(key)) {
          if (this.seen.size >= MAX_LOCAL_KEYS) this.seen.clear();
          this.seen.add(key);
          mut.addSeed(x.schedule);
          const tok = (this.tokensSent[c.target] as number) < TOKENS_PER_TARGET;
          if (tok) this.tokensSent[c.target] = (this.tokensSent[c.target] as number) + 1;
          this.cover.push(tok ? { target: c.target, key, token: this.token(model, target.scenario, sched, x.schedule) } : { target: c.target, key });
        }
        // Executions run in keep-going mode (continueAfterViolation): each distinct violation of
        // one execution is a finding of its own.
        for (const v of x.violations) {
          const qk = quickKey(c.target, v);
          let signed = this.signatures.get(qk);
          if (!signed) {
            signed = this.sign(model, target.scenario, sched, x.schedule, v);
            if (this.signatures.size >= MAX_SIGNATURES) this.signatures.clear();
            this.signatures.set(qk, signed);
          }
          const sig = signed.sig;
          // Keyed by target too, so the main thread learns every scenario a bug shows up in.
          const known = matchKnown(model, target.scenario, v);
          const k = `${sig}/${c.target}/${known.join(',')}`;
          const prev = this.best.get(k);
          if (prev === undefined || x.steps < prev) {
            this.best.set(k, x.steps);
            // The record describes its token: sign it from that token's own replay.
            const own = this.sign(model, target.scenario, sched, x.schedule, v);
            this.post({
              type: 'finding', signature: own.sig, model: model.name, scenario: target.scenario, strategy: sched.name, seed: sched.seed,
              kind: v.kind, title: v.title, message: v.message, parts: own.parts, bug: bugName(own.parts),
              token: this.token(model, target.scenario, sched, x.schedule), steps: x.steps, preemptions: x.preemptions, known,
            });
          } else {
            this.repeats.set(sig, (this.repeats.get(sig) ?? 0) + 1);
          }
        }
        if (Date.now() - this.last >= this.init.progressMs) this.flush(c.n, i);
      },
    });
    this.flush(c.n, r.executions);
    this.post({ type: 'chunk-done', n: c.n, exhaustive: r.exhaustive });
  }

  /** Signature of a violating execution: replayed once for its threads' names. */
  private sign(model: AnyModel, scenario: string, sched: Scheduler, steps: readonly number[], v: Violation): { sig: string; parts: SignatureParts } {
    const r = replay(model, { model: model.name, hash: model.hash, scenario, strategy: sched.name, seed: sched.seed, steps, mode: { keepGoing: true } });
    // The execution may show several violations (keep-going): sign the one this finding is about.
    const shown = r.exec.violations.find((x) => x.kind === v.kind && x.title === v.title) ?? v;
    const parts = signatureParts(model, shown, r.threadNames);
    return { sig: signatureOf(parts), parts };
  }

  private token(model: AnyModel, scenario: string, sched: Scheduler, steps: readonly number[]): string {
    return encodeToken({ model: model.name, hash: model.hash, scenario, strategy: sched.name, seed: sched.seed, steps, mode: { keepGoing: true } });
  }
}

function start(): void {
  const port = parentPort;
  if (!port) return;
  const post = (m: FromWorker): void => port.postMessage(m);
  post({ type: 'tid', tid: ownThreadId() });
  const init = workerData as WorkerInit;
  countExecutionsInto(init.heartbeat ?? null);
  let state: WorkerState;
  try {
    state = new WorkerState(init, post);
  } catch (e) {
    post({ type: 'error', usage: e instanceof UsageError, message: thrownText(e), n: -1 });
    return;
  }
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') {
      port.close();
      return;
    }
    try {
      if (m.type === 'minimize') post(runReportJob(m));
      else state.run(m);
    } catch (e) {
      post({ type: 'error', usage: e instanceof UsageError, message: thrownText(e), n: m.n });
    }
  });
}

start();
