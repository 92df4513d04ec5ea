/**
 * The LKMM memory model (`memoryModel: 'lkmm'`, src/engine/lkmm) through the public API, on models
 * written the way a user writes them: message passing with WRITE_ONCE / READ_ONCE shows the stale
 * read under the LKMM and not under SC, and release/acquire or an smp_wmb/smp_rmb pair forbid it
 * (one barrier alone does not); store buffering needs smp_mb on both sides; a plain access
 * published without ordering is a data race under the LKMM's own definition, and not with
 * release/acquire; tokens carry the memory model, replay the weak execution, and are refused under
 * the other model; an unknown model name is one line. Every verdict is checked with DFS and DPOR
 * (which must agree) and must be exhaustive.
 */
import { describe, expect, it } from 'vitest';
import {
  Field, type Model, type Op, UsageError, call_rcu, check, cpu_relax, checkTokenMemoryModel, decodeToken, defineModel, replay,
  smp_load_acquire, smp_mb, smp_rmb, smp_store_release, smp_wmb, thread, READ_ONCE, WRITE_ONCE,
} from '../../src/index.js';
import { buildReport, renderHtml, renderMarkdown, renderText } from '../../src/report/index.js';

type G<R> = Generator<Op, R, unknown>;
interface S { data: Field<number>; flag: Field<number>; r0: number; r1: number }
type Body = (s: S) => G<void>;

function model(name: string, p0: Body, p1: Body, bad: (s: S) => boolean): Model<S, Record<string, never>> {
  return defineModel<S, Record<string, never>>({
    name: `lkmm-api/${name}`,
    scenarios: { default: {} },
    leakCheck: false,
    setup: () => ({ data: new Field(0, 'data'), flag: new Field(0, 'flag'), r0: -1, r1: -1 }),
    threads: (s) => [thread('P0', () => p0(s)), thread('P1', () => p1(s))],
    final: [{ name: 'forbidden outcome', check: (s) => !bad(s) }],
  });
}

/** The first violation kind under each strategy (null: exhaustive and clean). */
function verdict(m: Model<S, Record<string, never>>, memoryModel: 'sc' | 'lkmm'): string | null {
  const out = (['dfs', 'dpor'] as const).map((strategy) => {
    const r = check(m, { strategy, memoryModel, maxExecutions: 100_000 });
    expect(r.finding !== null || r.exhaustive, `${m.name} ${strategy} ${memoryModel}`).toBe(true);
    return r.finding?.violation.kind ?? null;
  });
  expect(out[0], `${m.name}: DFS and DPOR agree under ${memoryModel}`).toBe(out[1]);
  return out[0] ?? null;
}

const stale = (s: S): boolean => s.r0 === 1 && s.r1 === 0;

function* mpReader(s: S, mode: 'once' | 'acquire' | 'rmb'): G<void> {
  s.r0 = mode === 'acquire' ? yield* smp_load_acquire(s.flag) : yield* READ_ONCE(s.flag);
  if (mode === 'rmb') yield* smp_rmb();
  s.r1 = yield* READ_ONCE(s.data);
}

function* mpWriter(s: S, mode: 'once' | 'release' | 'wmb'): G<void> {
  yield* WRITE_ONCE(s.data, 1);
  if (mode === 'wmb') yield* smp_wmb();
  if (mode === 'release') yield* smp_store_release(s.flag, 1);
  else yield* WRITE_ONCE(s.flag, 1);
}

describe('message passing', () => {
  it('WRITE_ONCE/READ_ONCE: the stale read is found under the LKMM, never under SC', () => {
    const m = model('mp-once', (s) => mpWriter(s, 'once'), (s) => mpReader(s, 'once'), stale);
    expect(verdict(m, 'sc')).toBeNull();
    expect(verdict(m, 'lkmm')).toBe('invariant');
  });

  it('smp_store_release / smp_load_acquire forbid it; so does an smp_wmb/smp_rmb pair, but not one of them alone', () => {
    expect(verdict(model('mp-rel-acq', (s) => mpWriter(s, 'release'), (s) => mpReader(s, 'acquire'), stale), 'lkmm')).toBeNull();
    expect(verdict(model('mp-wmb-rmb', (s) => mpWriter(s, 'wmb'), (s) => mpReader(s, 'rmb'), stale), 'lkmm')).toBeNull();
    expect(verdict(model('mp-wmb-only', (s) => mpWriter(s, 'wmb'), (s) => mpReader(s, 'once'), stale), 'lkmm')).toBe('invariant');
    expect(verdict(model('mp-rmb-only', (s) => mpWriter(s, 'once'), (s) => mpReader(s, 'rmb'), stale), 'lkmm')).toBe('invariant');
    expect(verdict(model('mp-release-only', (s) => mpWriter(s, 'release'), (s) => mpReader(s, 'once'), stale), 'lkmm')).toBe('invariant');
  });
});

describe('store buffering', () => {
  function* sb(mine: Field<number>, other: Field<number>, fence: boolean, set: (v: number) => void): G<void> {
    yield* WRITE_ONCE(mine, 1);
    if (fence) yield* smp_mb();
    set(yield* READ_ONCE(other));
  }
  const both0 = (s: S): boolean => s.r0 === 0 && s.r1 === 0;
  it('both reads 0 under the LKMM without smp_mb, not with smp_mb on both sides, never under SC', () => {
    const mk = (f0: boolean, f1: boolean): Model<S, Record<string, never>> => model(`sb-${f0}-${f1}`,
      (s) => sb(s.data, s.flag, f0, (v) => { s.r0 = v; }), (s) => sb(s.flag, s.data, f1, (v) => { s.r1 = v; }), both0);
    expect(verdict(mk(false, false), 'sc')).toBeNull();
    expect(verdict(mk(false, false), 'lkmm')).toBe('invariant');
    expect(verdict(mk(true, false), 'lkmm')).toBe('invariant');
    expect(verdict(mk(true, true), 'lkmm')).toBeNull();
  });
});

describe('data races under the LKMM', () => {
  function* plainReader(s: S, acquire: boolean): G<void> {
    s.r0 = acquire ? yield* smp_load_acquire(s.flag) : yield* READ_ONCE(s.flag);
    if (s.r0 === 1) s.r1 = yield* s.data.get('P1: r1 = data');
  }
  function* plainWriter(s: S, release: boolean): G<void> {
    yield* s.data.set(1, 'P0: data = 1');
    if (release) yield* smp_store_release(s.flag, 1);
    else yield* WRITE_ONCE(s.flag, 1);
  }
  it('plain data published with WRITE_ONCE is a data race (the cat\'s flag); with release/acquire it is not', () => {
    const racy = model('race-once', (s) => plainWriter(s, false), (s) => plainReader(s, false), () => false);
    const ok = model('race-rel-acq', (s) => plainWriter(s, true), (s) => plainReader(s, true), () => false);
    expect(verdict(racy, 'lkmm')).toBe('data-race');
    expect(verdict(ok, 'lkmm')).toBeNull();
    const r = check(racy, { strategy: 'dfs', memoryModel: 'lkmm' });
    expect(r.finding?.violation.message).toMatch(/data .* races .* under the LKMM/);
  });
});

describe('tokens', () => {
  const m = model('mp-token', (s) => mpWriter(s, 'once'), (s) => mpReader(s, 'once'), stale);

  it('carry the memory model and replay the weak execution, with the write each read took', () => {
    const r = check(m, { strategy: 'dfs', memoryModel: 'lkmm' });
    const f = r.finding;
    expect(f).not.toBeNull();
    const token = f?.token as string;
    expect(decodeToken(token).mode?.memoryModel).toBe('lkmm');
    const again = replay(m, token);
    expect(again.violation?.kind).toBe('invariant');
    const weak = again.exec.weak ?? [];
    const data = weak.find((w) => w.object.includes('data'));
    const flag = weak.find((w) => w.object.includes('flag'));
    expect(flag?.value).toBe('1');
    expect(flag?.from?.thread).toBe(0);
    expect(data?.value).toBe('0');
    expect(data?.from).toBeNull();
    expect(data?.stale).toMatch(/had already stored 1/);
    // Under SC the same schedule means something else: refused, one line.
    expect(() => replay(m, token, 'strict', 'sc')).toThrow(UsageError);
    try {
      checkTokenMemoryModel(decodeToken(token), 'sc');
    } catch (e) {
      expect(String((e as Error).message).split('\n')).toHaveLength(1);
      expect((e as Error).message).toMatch(/recorded under memory model 'lkmm', not 'sc'/);
    }
    expect(() => checkTokenMemoryModel(decodeToken(token), 'sc')).toThrow(UsageError);
    expect(() => replay(m, token, 'strict', 'lkmm')).not.toThrow();
  });

  it('an SC token is refused under the LKMM', () => {
    const sc = check(model('sc-token', (s) => mpWriter(s, 'once'), (s) => mpReader(s, 'once'), (s) => s.r0 === 1),
      { strategy: 'dfs' });
    expect(sc.finding).not.toBeNull();
    expect(() => replay(model('sc-token', (s) => mpWriter(s, 'once'), (s) => mpReader(s, 'once'), (s) => s.r0 === 1), sc.finding?.token as string, 'strict', 'lkmm'))
      .toThrow(/recorded under memory model 'sc', not 'lkmm'/);
  });
});

describe('bad input', () => {
  it('an unknown memory model: one line (call_rcu has LKMM semantics now: lifetime.test.ts)', () => {
    const m = defineModel<S, Record<string, never>>({
      name: 'lkmm-api/call-rcu', scenarios: { default: {} }, leakCheck: false,
      setup: () => ({ data: new Field(0, 'data'), flag: new Field(0, 'flag'), r0: 0, r1: 0 }),
      threads: (s) => [thread('P0', function* () {
        yield* call_rcu(function* () { yield* WRITE_ONCE(s.data, 1); });
      })],
    });
    // A callback nobody runs is no error of the memory model's.
    expect(check(m, { strategy: 'dfs', memoryModel: 'lkmm' }).finding).toBeNull();
    expect(check(m, { strategy: 'dfs' }).finding).toBeNull();
    expect(() => check(m, { strategy: 'dfs', memoryModel: 'tso' as 'sc' })).toThrow(/^unknown memory model 'tso' \(use sc or lkmm\)$/);
  });
});

describe('reports', () => {
  it('a weak-memory counterexample shows, per read, the write it read from and why the stale one was allowed (markdown, text, HTML)', () => {
    const m = model('mp-report', (s) => mpWriter(s, 'once'), (s) => mpReader(s, 'once'), stale);
    const token = check(m, { strategy: 'dfs', memoryModel: 'lkmm' }).finding?.token as string;
    const rep = buildReport(m, token);
    expect(rep.weak?.length).toBe(2);
    const html = renderHtml(rep);
    expect(html).toContain('<ul id="weak">');
    const unescaped = html.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    for (const text of [renderMarkdown(rep), renderText(rep), unescaped]) {
      expect(text).toMatch(/memory model LKMM: the write each read took \(rf\)/);
      expect(text).toMatch(/READ_ONCE\(flag\).* read 1 of .*flag.* from T0 P0's 'WRITE_ONCE\(flag\)'/);
      expect(text).toMatch(/READ_ONCE\(data\).* read 0 of .*data.* from the initial value -- STALE: T0's 'WRITE_ONCE\(data\)' \(step \d+\) had already stored 1/);
      expect(text).toMatch(/no smp_wmb\(\)\/smp_rmb\(\) pair/);
    }
    // An SC report has no such section.
    const sc = check(model('mp-report-sc', (s) => mpWriter(s, 'once'), (s) => mpReader(s, 'once'), (s) => s.r0 === 1), { strategy: 'dfs' });
    expect(renderText(buildReport(model('mp-report-sc', (s) => mpWriter(s, 'once'), (s) => mpReader(s, 'once'), (s) => s.r0 === 1), sc.finding?.token as string))).not.toMatch(/memory model LKMM/);
  });
});

describe('polling loops and long executions', () => {
  function poller(acquire: boolean): Model<{ f: Field<number>; d: Field<number>; r: number }, Record<string, never>> {
    return defineModel<{ f: Field<number>; d: Field<number>; r: number }, Record<string, never>>({
      name: `lkmm-api/poll-${acquire ? 'acquire' : 'once'}`, scenarios: { default: {} }, leakCheck: false,
      setup: () => ({ f: new Field(0, 'flag'), d: new Field(0, 'data'), r: -1 }),
      threads: (s) => [
        thread('P0', function* () {
          yield* WRITE_ONCE(s.d, 1);
          if (acquire) yield* smp_store_release(s.f, 1);
          else yield* WRITE_ONCE(s.f, 1);
        }),
        thread('P1', function* () {
          while (!(acquire ? yield* smp_load_acquire(s.f) : yield* READ_ONCE(s.f))) yield* cpu_relax();
          s.r = yield* READ_ONCE(s.d);
        }),
      ],
      final: [{ name: 'the poller sees the data', check: (s) => s.r === 1 }],
    });
  }

  it('a polling loop ends (a stale read is taken at most twice in a row per site): release/acquire passes exhaustively, WRITE_ONCE/READ_ONCE shows the stale data', () => {
    for (const strategy of ['dfs', 'dpor'] as const) {
      const ok = check(poller(true), { strategy, memoryModel: 'lkmm', maxExecutions: 10_000 });
      expect(ok.exhaustive, strategy).toBe(true);
      expect(ok.finding, strategy).toBeNull();
      expect(check(poller(false), { strategy, memoryModel: 'lkmm', maxExecutions: 10_000 }).finding?.violation.kind, strategy).toBe('invariant');
    }
  });

  it('an execution too long for the cubic end-of-execution check is a one-line usage error', () => {
    const long = defineModel<{ x: Field<number> }, Record<string, never>>({
      name: 'lkmm-api/long', scenarios: { default: {} }, leakCheck: false,
      setup: () => ({ x: new Field(0, 'x') }),
      threads: (s) => [thread('P0', function* () { for (let i = 0; i < 2000; i++) yield* WRITE_ONCE(s.x, i); })],
    });
    expect(() => check(long, { strategy: 'dfs', memoryModel: 'lkmm', maxExecutions: 1 })).toThrow(/^an execution made \d+ memory events; the LKMM check takes at most 1500 per execution/);
    expect(check(long, { strategy: 'dfs', maxExecutions: 1 }).finding).toBeNull();
  });
});
