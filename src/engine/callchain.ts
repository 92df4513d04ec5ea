/**
 * Call chains of ops, for reports: which generator functions were on the stack when a thread
 * produced each op (`kfree <- __vunmap <- iounmap <- dev1-owner`), the way KASAN prints the
 * "Allocated by task / Freed by task" stacks and lockdep the stack of each lock acquisition.
 *
 * Trace-only, and free when not used. `CallChains.record(run)` swaps the two places every op of the
 * public API comes from -- the factories of the `op` table (ops.ts) and `OpStep.next` (op-step.ts,
 * the single-op primitives, whose first `next()` is called by the `yield*` of the generator that
 * uses it) -- for versions that also capture the JavaScript stack, runs `run` (one replayed
 * execution), and puts the originals back. The step loop is never touched: outside `record` no
 * extra instruction runs anywhere. While a thread's generator chain is running, its frames are on
 * the stack (V8 keeps the delegating generators' frames between `gen.next()` frames), so each
 * capture holds the chain from the primitive's caller up to the thread body. A capture is tied to
 * the step that ran its op afterwards by (thread, op identity) and by time: it must have been taken
 * after that thread's previous step, i.e. while the thread was running towards this op.
 * Leaves out: ops a model yields as object literals, bypassing both factories (their step gets no
 * chain; reports fall back to the function named in the op's label), line numbers and files (names
 * only, so a report reads the same whether the model ran from dist/ or under vitest), and anything
 * while `record` is not running.
 */
import { Execution } from './execution.js';
import { OpStep } from './op-step.js';
import { type Op, op } from './ops.js';

/** Function names, innermost first (the function that produced the op comes first). */
export type CallChain = readonly string[];

interface Capture {
  readonly thread: number;
  /** `Execution.stepIndex` when captured: the op runs at this step or later. */
  readonly at: number;
  readonly op: Op;
  readonly chain: CallChain;
}

/**
 * Frames skipped at the inner end of a stack: the engine itself (the capture, the op factories,
 * `fail`) and the kernel API's reporting helpers (`kfail`, `deref`, `WARN_ON`), so a chain starts at
 * the function that did the thing.
 */
const MACHINERY = /[/\\]src[/\\](engine[/\\][\w-]+|linux[/\\](kernel|deref|bug|lockdep))\.[jt]s(\?|$)/;
/** The engine frame that resumes a thread: the outer end of a thread's chain. */
const ENGINE_RESUME = /[/\\]src[/\\]engine[/\\]execution\.[jt]s(\?|$)/;
const MAX_FRAMES = 64;

type Frames = readonly NodeJS.CallSite[];

function stackHere(): Frames {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = MAX_FRAMES;
  Error.prepareStackTrace = (_e, cs): Frames => cs;
  const holder: { stack?: Frames } = {};
  try {
    Error.captureStackTrace(holder);
    return holder.stack ?? [];
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/** The generator chain of a stack: named frames between the machinery and the engine's resume. */
export function chainOf(frames: Frames): string[] {
  const out: string[] = [];
  let inner = true;
  for (const f of frames) {
    const file = f.getFileName() ?? '';
    if (inner && (file === '' || MACHINERY.test(file))) continue;
    inner = false;
    if (ENGINE_RESUME.test(file)) break;
    // `gen.next` frames between two generators are native (no file): not part of the chain.
    if (file === '' || f.isNative()) continue;
    const name = f.getFunctionName();
    const type = f.getTypeName();
    out.push(!name ? '<anonymous>' : type && type !== 'Object' && type !== 'Generator' && !f.isToplevel() ? `${type}.${name}` : name);
  }
  return out;
}

type OpTable = Record<string, (...args: never[]) => Op>;
interface StepProto { next(this: { started: boolean; value: unknown }, r?: unknown): unknown }

let active: CallChains | null = null;

export class CallChains {
  private readonly captures: Capture[] = [];
  /** Where the thread was when the model reported the violation itself (kfail, assert, WARN_ON). */
  failed: { readonly thread: number; readonly chain: CallChain } | null = null;

  private capture(o: unknown): void {
    const e = Execution.current;
    if (!e || e.running < 0 || o === null || typeof o !== 'object') return;
    this.captures.push({ thread: e.running, at: e.stepIndex, op: o as Op, chain: chainOf(stackHere()) });
  }

  /**
   * Run `run` (typically one traced execution) with call-chain capture on, then turn it off again.
   * Not reentrant: a nested call records into the outer one.
   */
  static record<T>(run: () => T): { result: T; chains: CallChains } {
    if (active) return { result: run(), chains: active };
    const me = new CallChains();
    const table = op as unknown as OpTable;
    const saved = Object.entries(table);
    const proto = OpStep.prototype as unknown as StepProto;
    const next = proto.next;
    const exec = Execution.prototype;
    const fail = exec.fail;
    active = me;
    try {
      for (const [k, f] of saved) {
        table[k] = (...args: never[]): Op => {
          const o = f(...args);
          me.capture(o);
          return o;
        };
      }
      proto.next = function (this: { started: boolean; value: unknown }, r?: unknown): unknown {
        if (!this.started) me.capture(this.value);
        return next.call(this, r);
      };
      exec.fail = function (this: Execution, v): never {
        if (!me.failed && this.running >= 0) me.failed = { thread: this.running, chain: chainOf(stackHere()) };
        return fail.call(this, v);
      };
      return { result: run(), chains: me };
    } finally {
      for (const [k, f] of saved) table[k] = f;
      proto.next = next;
      exec.fail = fail;
      active = null;
    }
  }

  /**
   * The chain of every step of a trace (`threads[i]` ran `ops[i]`), null where none was captured.
   * A capture counts for step i when it is of the same thread and op, was taken after that thread's
   * previous step and no later than step i; the last such capture wins.
   */
  forTrace(threads: readonly number[], ops: readonly Op[]): (CallChain | null)[] {
    const byThread = new Map<number, Capture[]>();
    for (const c of this.captures) {
      const l = byThread.get(c.thread);
      if (l) l.push(c);
      else byThread.set(c.thread, [c]);
    }
    const prevStep = new Map<number, number>();
    const out: (CallChain | null)[] = [];
    for (let i = 0; i < ops.length; i++) {
      const t = threads[i] as number;
      const after = prevStep.get(t) ?? -1;
      let found: CallChain | null = null;
      for (const c of byThread.get(t) ?? []) {
        if (c.at > i) break;
        if (c.at > after && c.op === ops[i]) found = c.chain;
      }
      out.push(found);
      prevStep.set(t, i);
    }
    return out;
  }

  /** Chains captured for ops that never ran: what each thread was about to do when the run ended. */
  pending(thread: number, fromStep: number): CallChain | null {
    let found: CallChain | null = null;
    for (const c of this.captures) if (c.thread === thread && c.at >= fromStep) found = c.chain;
    return found;
  }
}
