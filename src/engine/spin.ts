/**
 * Fair spin loops: a thread that polls (`while (!READ_ONCE(x)) cpu_relax();`, a `cond_resched()`
 * loop, or a bare read-only loop) is descheduled until something it read changes, instead of
 * spinning into the step bound and a false livelock report. This is the fairness assumption of
 * Musuvathi & Qadeer, "Fair stateless model checking" (PLDI 2008): a thread that yields or
 * repeats itself without effect will not be scheduled forever while another thread could make
 * progress.
 *
 * Each thread keeps a window of the ops it ran since its last op with an effect (a write, an RMW,
 * a lock or unlock, an allocation, a spawn, a choose): reads (with the version of the object they
 * read) and pure scheduling points (yields, fences). When the window ends in three identical
 * iterations of the same ops (same kind, object and label: the same program points), the next op
 * starts a fourth, and no object read in them was written since, the thread is polling: its op is
 * preceded by a synthetic Wait on those objects (a recorded scheduling step, so tokens and every strategy see
 * it; DPOR sees a wait that reads them). The Wait ends when one of them is written; when nothing
 * else can run, every spin wait is released (the poll may be bounded and time out, or it spins
 * into the step bound: a real livelock, reported with its cycle).
 * Leaves out: loops whose only input is state outside ops (invisible to the engine: the step bound
 * still catches them), and loops whose ops differ in every iteration. A poll with a timeout of more
 * than three iterations times out only when nothing else can run (the fairness assumption).
 */
import { Access, OP_KIND_NAMES, type Op, OpKind, accessOf, op } from './ops.js';

/** Longest window kept per thread (older entries are dropped). */
const WINDOW = 48;
/**
 * Identical iterations a thread must already have run before the next is taken for a spin: two
 * reads of one field in a row are straight-line code as often as a loop (CoRR reads x twice, and
 * both may see the old value), so only a pattern seen three times running is a loop.
 */
const ITERATIONS = 3;

/** Can an op of kind `k` start a poll's next iteration? (Reads, yields and fences: `check` looks at no other.) */
export function startsPoll(k: OpKind): boolean {
  return k === OpKind.Read || k === OpKind.PlainRead || k === OpKind.Yield || k === OpKind.Fence;
}

/** Op kinds with an effect (a write, an RMW, a lock op, an allocation, a spawn, a join, a choose): they end a window. */
const HAS_EFFECT = new Uint8Array(OP_KIND_NAMES.length);
for (let k = 0; k < OP_KIND_NAMES.length; k++) {
  const acc = accessOf(k as OpKind);
  HAS_EFFECT[k] = acc === Access.Write || acc === Access.Lock || k === OpKind.Spawn || k === OpKind.Join || k === OpKind.Choose ? 1 : 0;
}

/** The marker synthetic spin waits carry (wait-check.ts and reports recognise them). */
export const SPIN_WAIT = 'spin-wait';

export class SpinDetector {
  /** Write version of each object. */
  private ver = new Int32Array(256);
  /**
   * Each thread's window, kept across executions (reset empties it): the ops, and for a read the
   * object's write version when it was read (-1 for yields and fences). No object per entry: this
   * runs on every step of every execution.
   */
  private readonly wOps: Op[][] = [];
  private readonly wVer: number[][] = [];
  private wLen = new Int32Array(8);
  /** Threads whose window may be non-empty (reset empties only those). */
  private used = 0;
  /**
   * Threads whose window is non-empty now. While there is none, a write needs no version: no read
   * kept in a window (nor a spin wait, whose thread's window stays full) compares with it. The
   * litmus workloads' atomic increments then cost this detector one test per step.
   */
  private open = 0;
  /** A version was bumped in this execution (reset clears them only then). */
  private bumped = false;
  /** Threads in a spin wait, and whether a release let them go. */
  private waiting = new Set<number>();
  private released = new Set<number>();

  reset(): void {
    if (this.ver.length > 256) this.ver = new Int32Array(256);
    else if (this.bumped) this.ver.fill(0);
    this.bumped = false;
    this.wLen.fill(0, 0, this.used);
    this.used = 0;
    this.open = 0;
    if (this.waiting.size !== 0) this.waiting.clear();
    if (this.released.size !== 0) this.released.clear();
  }

  private bump(obj: number): void {
    if (obj >= this.ver.length) {
      const n = new Int32Array(Math.max(obj + 1, this.ver.length * 2));
      n.set(this.ver);
      this.ver = n;
    }
    this.ver[obj] = (this.ver[obj] as number) + 1;
    this.bumped = true;
  }

  /** Empty thread `tid`'s window. */
  private empty(tid: number): void {
    if (tid < this.used && this.wLen[tid] !== 0) {
      this.wLen[tid] = 0;
      this.open--;
    }
  }

  /** Thread `tid` ran `o` (every step; the synthetic wait itself clears the window). */
  after(tid: number, o: Op): void {
    const k = o.kind;
    if (HAS_EFFECT[k] === 1) {
      if (this.open === 0) return;
      if (o.obj >= 0 && accessOf(k) !== Access.None) this.bump(o.obj);
      this.empty(tid);
      return;
    }
    if (o.detail === SPIN_WAIT) {
      this.waiting.delete(tid);
      this.released.delete(tid);
      this.empty(tid);
      return;
    }
    if (tid >= this.wLen.length) {
      const n = new Int32Array(Math.max(tid + 1, this.wLen.length * 2));
      n.set(this.wLen);
      this.wLen = n;
    }
    if (tid >= this.used) this.used = tid + 1;
    let ops = this.wOps[tid];
    let vers = this.wVer[tid];
    if (ops === undefined || vers === undefined) {
      this.wOps[tid] = ops = [];
      this.wVer[tid] = vers = [];
    }
    let len = this.wLen[tid] as number;
    if (len >= WINDOW) {
      ops.copyWithin(0, 1, len);
      vers.copyWithin(0, 1, len);
      len--;
    }
    ops[len] = o;
    vers[len] = accessOf(k) === Access.Read && o.obj >= 0 ? (this.ver[o.obj] ?? 0) : -1;
    if (len === 0) this.open++;
    this.wLen[tid] = len + 1;
  }

  /**
   * Thread `tid`'s next op is `next`: when it starts an iteration identical to one it just ran, the
   * spin wait to run instead (null otherwise).
   */
  check(tid: number, next: Op): Op | null {
    const k = next.kind;
    if (!startsPoll(k)) return null;
    const n = tid < this.used ? (this.wLen[tid] as number) : 0;
    if (n === 0) return null;
    const w = this.wOps[tid] as Op[];
    const wv = this.wVer[tid] as number[];
    // The period p: the distance back to the last op like `next`; the window must end in
    // ITERATIONS copies of the same p ops.
    let p = -1;
    for (let i = n - 1; i >= 0; i--) {
      const e = w[i] as Op;
      if (e.kind === k && e.obj === next.obj && e.label === next.label) {
        p = n - i;
        break;
      }
    }
    if (p < 0 || p * ITERATIONS > n) return null;
    const from = n - p * ITERATIONS;
    for (let i = from + p; i < n; i++) {
      const a = w[i] as Op;
      const b = w[i - p] as Op;
      if (a.kind !== b.kind || a.obj !== b.obj || a.label !== b.label) return null;
    }
    const objs: number[] = [];
    for (let i = from; i < n; i++) {
      const v = wv[i] as number;
      if (v < 0) continue;
      const obj = (w[i] as Op).obj;
      if ((this.ver[obj] ?? 0) !== v) return null;
      if (!objs.includes(obj)) objs.push(obj);
    }
    // A loop that reads nothing (only yields) cannot be woken by a write: the step bound decides.
    if (objs.length === 0) return null;
    const vers = objs.map((x) => this.ver[x] ?? 0);
    this.waiting.add(tid);
    const changed = (): boolean => this.released.has(tid) || objs.some((x, i) => (this.ver[x] ?? 0) !== vers[i]);
    // No `reads`: besides a write to what it polls, a release (nothing else can run) wakes it,
    // which depends on every other thread: DPOR must treat it as dependent with every op.
    return op.wait(objs[0] as number,
      `${next.label}: spins (descheduled until ${objs.length === 1 ? 'the object it polls' : 'an object it polls'} changes)`, changed, undefined, SPIN_WAIT);
  }

  /** Nothing can run: let every spinning thread go (true when there was one). */
  releaseAll(): boolean {
    if (this.waiting.size === 0) return false;
    for (const t of this.waiting) this.released.add(t);
    return true;
  }
}
