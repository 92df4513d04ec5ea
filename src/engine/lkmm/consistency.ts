/**
 * The axioms of the Linux-kernel memory model (tools/memory-model/linux-kernel.cat with
 * linux-kernel.bell and lock.cat; Alglave, Maranget, McKenney, Parri, Stern, ASPLOS 2018) checked
 * on an execution graph (graph.ts): coherence, atomicity, happens-before, propagation, rcu and
 * plain-coherence, and the data-race flag. Each relation is computed as the cat file defines it,
 * over bitsets (relation.ts): po, rf, co, fr, rmw, addr/data/ctrl (with carry-dep), the fences,
 * ppo, cumul-fence, prop, hb, pb, rcu-link, rcu-order, rcu-fence, rb, and the visibility
 * relations of plain accesses.
 * Locks follow lock.cat as the graph records them (memory.ts): spin_lock is an LKR (acquire) /
 * LKW pair, spin_unlock an UL (release) write, the lock word's coherence order is the order the
 * engine handed the lock over in.
 * Leaves out: SRCU (no events), the lock-nest/unmatched-locks axioms (the engine's locks cannot
 * break them) and the mixed-accesses flag.
 */
import { Ann, EvKind, type Graph, MARKED } from './graph.js';
import { type EventSet, Rel, has, setAnd, setMinus, setOf, setOr } from './relation.js';

/** Every relation of the model that consistency, races and reports use. */
export interface Relations {
  readonly n: number;
  readonly po: Rel;
  readonly rf: Rel;
  readonly co: Rel;
  readonly fr: Rel;
  readonly hb: Rel;
  readonly pb: Rel;
  readonly rb: Rel;
  readonly ppo: Rel;
  readonly M: EventSet;
  readonly Plain: EventSet;
  readonly Marked: EventSet;
  readonly IW: EventSet;
  readonly W: EventSet;
  readonly ext: Rel;
}

/** Which axiom fails (its cat name), or null. */
export type Axiom = 'coherence' | 'atomic' | 'happens-before' | 'propagation' | 'rcu' | 'plain-coherence';

export interface Verdict {
  readonly failed: Axiom | null;
  readonly rel: Relations | null;
  /** Racing pairs (event ids) when asked for and consistent. */
  readonly races: readonly [number, number][];
}

export function checkGraph(g: Graph, withRaces = false): Verdict {
  const evs = g.events;
  const n = evs.length;
  const is = (k: number): EventSet => setOf(n, (i) => ((evs[i]?.kind ?? 0) & k) !== 0);
  const ann = (a: number): EventSet => setOf(n, (i) => ((evs[i]?.ann ?? 0) & a) !== 0);
  const R = is(EvKind.R);
  const W = is(EvKind.W);
  const M = setOr(R, W);
  const FAILED = ann(Ann.FAILED);
  const IW = ann(Ann.IW);
  const Marked = setOr(setMinus(setOf(n, () => true), M), ann(MARKED));
  const Plain = setMinus(M, Marked);
  const Acquire = setMinus(setMinus(setOr(ann(Ann.ACQUIRE), ann(Ann.LKR)), W), FAILED);
  const Release = setMinus(setMinus(setOr(ann(Ann.RELEASE), ann(Ann.UL)), R), FAILED);
  const Mb = setMinus(ann(Ann.MB), FAILED);
  const Noreturn = setMinus(ann(Ann.NORETURN), W);
  const RMW = ann(Ann.RMW);
  const LKR = ann(Ann.LKR);
  const LKW = ann(Ann.LKW);
  const UL = ann(Ann.UL);

  // Base relations.
  const po = new Rel(n);
  const int = new Rel(n);
  const loc = new Rel(n);
  for (let i = 0; i < n; i++) {
    const a = evs[i];
    if (a === undefined) continue;
    for (let j = 0; j < n; j++) {
      const b = evs[j];
      if (b === undefined) continue;
      if (a.tid >= 0 && a.tid === b.tid) {
        int.add(i, j);
        if (i < j) po.add(i, j);
      }
      if (a.loc >= 0 && a.loc === b.loc && (a.kind & (EvKind.R | EvKind.W)) !== 0 && (b.kind & (EvKind.R | EvKind.W)) !== 0) loc.add(i, j);
    }
  }
  const ext = Rel.cross(n, setOf(n, () => true), setOf(n, () => true)).minus(int);
  const rf = new Rel(n);
  for (let i = 0; i < n; i++) {
    const e = evs[i];
    if (e !== undefined && e.kind === EvKind.R && e.rf >= 0) rf.add(e.rf, i);
  }
  const co = new Rel(n);
  for (const c of g.co.values()) for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++) co.add(c[i] as number, c[j] as number);
  const fr = rf.inv().seq(co);
  const rmw = Rel.fromPairs(n, g.rmw.entries());
  const poLoc = po.and(loc);
  const rfe = rf.and(ext);
  const rfi = rf.and(int);

  // Coherence and atomicity first: cheap, and most pruned choices fail here.
  if (!poLoc.or(rf, co, fr).acyclic()) return { failed: 'coherence', rel: null, races: [] };
  if (!rmw.and(fr.and(ext).seq(co.and(ext))).isEmpty()) return { failed: 'atomic', rel: null, races: [] };

  // Dependencies, with carry-dep = (data ; rfi)*.
  const depOf = (k: 'addr' | 'data' | 'ctrl'): Rel => {
    const r = new Rel(n);
    for (let j = 0; j < n; j++) for (const i of (evs[j] as { addr: readonly number[]; data: readonly number[]; ctrl: readonly number[] })[k]) if (i >= 0 && i < n) r.add(i, j);
    return r;
  };
  const data0 = depOf('data');
  const carry = data0.seq(rfi).star();
  const addr = carry.seq(depOf('addr'));
  const data = carry.seq(data0);
  const ctrl = carry.seq(depOf('ctrl'));

  const fencerel = (a: number): Rel => po.rng(ann(a)).seq(po);
  const id = (s: EventSet): Rel => Rel.id(n, s);
  const all = setOf(n, () => true);

  const acqPo = po.between(Acquire, M);
  const poRel = po.between(M, Release);
  const poUnlockLockPo = po.rng(UL).seq(po.or(rf)).rng(LKR).seq(po);
  const R4rmb = setMinus(R, Noreturn);
  const rmb = fencerel(Ann.F_RMB).between(R4rmb, R4rmb);
  const wmb = fencerel(Ann.F_WMB).between(W, W);
  const mb = fencerel(Ann.F_MB).between(M, M)
    .or(po.between(M, setAnd(Mb, R)))
    .or(po.between(setAnd(Mb, W), M))
    .or(fencerel(Ann.F_BEFORE_ATOMIC).dom(M).rng(RMW).seq(po.opt()).rng(M))
    .or(po.opt().dom(M).rng(RMW).seq(fencerel(Ann.F_AFTER_ATOMIC)).rng(M))
    .or(po.opt().dom(M).rng(LKW).seq(fencerel(Ann.F_AFTER_SPINLOCK)).rng(M))
    .or(poUnlockLockPo.dom(M).rng(ann(Ann.F_AFTER_UNLOCK_LOCK)).seq(po).rng(M));
  const gp = po.rng(ann(Ann.SYNC_RCU)).seq(po.opt());
  const strong0 = mb.or(gp);
  const nonrw = strong0.or(poRel, acqPo);
  const fence0 = nonrw.or(wmb, rmb);

  const dep = addr.or(data);
  const rwdep = dep.or(ctrl).rng(W);
  const overwrite = co.or(fr);
  const toW = rwdep.or(overwrite.and(int), addr.rng(Plain).seq(wmb));
  const toR = addr.rng(R).or(dep.rng(Marked).seq(rfi));
  const ppo = toR.or(toW, fence0.and(int), poUnlockLockPo.and(int));

  const rfeM = rfe.rng(Marked).opt();
  const rmwSeq = rf.seq(rmw).star();
  const cumulFence = rfeM.seq(strong0.or(poRel)).or(wmb, poUnlockLockPo).between(Marked, Marked).seq(rmwSeq);
  const prop = overwrite.and(ext).opt().dom(Marked).seq(cumulFence.star()).rng(Marked).seq(rfe.opt()).rng(Marked);
  const hb = ppo.or(rfe, prop.minus(Rel.id(n)).and(int)).between(Marked, Marked);
  if (!hb.acyclic()) return { failed: 'happens-before', rel: null, races: [] };
  const hbStar = hb.star();
  const pb = prop.seq(strong0).seq(hbStar).rng(Marked);
  if (!pb.acyclic()) return { failed: 'propagation', rel: null, races: [] };

  // RCU: read-side critical sections (outermost lock/unlock pairs per thread) and grace periods.
  // Nested sections count as their outermost pair (the bell's balancing of Rcu-lock / Rcu-unlock).
  const rscs = new Rel(n);
  const open = new Map<number, number>();
  const depth = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const e = evs[i] as (typeof evs)[number];
    const d = depth.get(e.tid) ?? 0;
    if ((e.ann & Ann.RCU_LOCK) !== 0) {
      if (d === 0) open.set(e.tid, i);
      depth.set(e.tid, d + 1);
    } else if ((e.ann & Ann.RCU_UNLOCK) !== 0 && d > 0) {
      depth.set(e.tid, d - 1);
      if (d === 1) rscs.add(open.get(e.tid) as number, i);
    }
  }
  const rcuGp = id(ann(Ann.SYNC_RCU));
  let rb = new Rel(n);
  let strong = strong0;
  let fence = fence0;
  if (!rcuGp.isEmpty()) {
    const rscsi = rscs.inv();
    const link = po.opt().seq(hbStar).seq(pb.star()).seq(prop).seq(po);
    let order = rcuGp.or(rcuGp.then(link, rscsi), rscsi.then(link, rcuGp));
    for (;;) {
      const next = order.or(rcuGp.then(link, order, link, rscsi), rscsi.then(link, order, link, rcuGp), order.then(link, order));
      if (next.minus(order).isEmpty()) break;
      order = next;
    }
    const rcuFence = po.seq(order).seq(po.opt());
    strong = strong0.or(rcuFence);
    fence = fence0.or(rcuFence);
    rb = prop.seq(rcuFence).seq(hbStar).seq(pb.star()).rng(Marked);
    if (!rb.irreflexive()) return { failed: 'rcu', rel: null, races: [] };
  }

  // Plain accesses: coherence requirements and races.
  const rel: Relations = { n, po, rf, co, fr, hb, pb, rb, ppo, M, Plain, Marked, IW, W, ext };
  if (!has(Plain, 0) && Plain.every((x) => x === 0)) return { failed: null, rel, races: [] };
  const xb = hb.or(pb, rb).star();
  const vis = cumulFence.star().seq(rfe.opt()).rng(Marked).seq(strong.rng(Marked).seq(xb).or(xb.and(int)));
  const wPre = addr.or(fence).opt().dom(Marked);
  const rPre = addr.or(nonrw, fencerel(Ann.F_RMB).dom(R4rmb).rng(setMinus(all, Noreturn))).opt().dom(Marked);
  const wPost = fence.opt().rng(Marked).seq(rmwSeq);
  const rPost = nonrw.or(fencerel(Ann.F_RMB).dom(setMinus(all, Noreturn)).rng(R4rmb)).opt().rng(Marked);
  const wwVis = fence.or(strong.then(xb, wPre), wPost.then(vis, wPre));
  const wrVis = fence.or(strong.then(xb, rPre), wPost.then(vis, rPre));
  const rwXb = fence.or(rPost.then(xb, wPre));
  const preRace = ext.and(Rel.cross(n, Plain, M).or(Rel.cross(n, setMinus(M, IW), Plain)));
  const incoh = preRace.and(rf).and(rwXb.inv())
    .or(preRace.and(fr).and(wrVis.inv()), preRace.and(co).and(wwVis.inv()));
  if (!incoh.isEmpty()) return { failed: 'plain-coherence', rel: null, races: [] };
  if (!withRaces) return { failed: null, rel, races: [] };
  const wwNon = wwVis.and(Rel.cross(n, Marked, W).or(rwXb)).and(Rel.cross(n, W, Marked).or(wrVis));
  const race = preRace.and(co).minus(wwNon)
    .or(preRace.and(co.opt().seq(rf)).minus(wrVis).minus(rwXb.inv()), preRace.and(fr).minus(rwXb));
  const quiet = setOf(n, (i) => ((evs[i]?.ann ?? 0) & Ann.DATA_RACE) !== 0);
  return { failed: null, rel, races: race.pairs().filter(([a, b]) => !has(quiet, a) && !has(quiet, b)) };
}
