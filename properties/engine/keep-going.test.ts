// Keep-going (ExecOptions.keepGoing / explore's keepGoing): an execution continues past what the
// kernel carries on after and reports every distinct violation, worst first; an oops ends only its
// thread; a run collects every distinct finding with its own token, and the token replays in
// keep-going mode. Without keep-going the first violation still ends the execution.
import { describe, expect, it } from 'vitest';
import {
  AtomicT, Field, GFP_KERNEL, WARN_ON, type Model, atomic_inc, check, decodeToken, defineModel, encodeToken, kfree, kmalloc,
  replay, thread, BUG,
} from '../../src/index.js';

interface S { data: Field<number>; a: AtomicT; obj: { x: Field<number>; kblock?: number } | null }

const model: Model<S, Record<string, never>> = defineModel<S, Record<string, never>>({
  name: 'keep-going/race-then-uaf',
  scenarios: { default: {} },
  setup: () => ({ data: new Field(0, 'data'), a: new AtomicT(0, 'a'), obj: null }),
  threads: (s) => [
    thread('writer', function* () {
      yield* s.data.set(1, 'writer: data = 1');
      const o = yield* kmalloc('obj', GFP_KERNEL, (b) => ({ x: new Field(0, 'x', b) }), 'writer: kmalloc(obj)');
      s.obj = o;
      yield* atomic_inc(s.a, 'writer: publish');
      yield* kfree(o, 'writer: kfree(obj)');
    }),
    thread('reader', function* () {
      yield* s.data.get('reader: r = data');
      WARN_ON(true, 'reader: WARN_ON(1)');
      yield* atomic_inc(s.a, 'reader: look');
      if (s.obj !== null) yield* s.obj.x.get('reader: obj->x');
      BUG('reader: BUG()');
    }),
    thread('bystander', function* () {
      yield* atomic_inc(s.a, 'bystander: runs on after the oops');
    }),
  ],
});

describe('keep-going', () => {
  it('without it the first violation ends the execution', () => {
    const r = check(model, { strategy: 'dfs', maxExecutions: 1 });
    expect(r.finding?.violation.kind).toBe('data-race');
    expect(r.findings).toHaveLength(1);
  });

  it('with it one execution shows the race, the WARN, the use-after-free and the BUG, worst first', () => {
    const r = check(model, { strategy: 'dfs', maxExecutions: 1, keepGoing: true });
    const kinds = r.findings.map((f) => f.violation.kind);
    expect(kinds).toEqual(expect.arrayContaining(['data-race', 'assertion', 'use-after-free']));
    const again = replay(model, r.findings[0]?.token ?? '');
    const order = again.exec.violations.map((v) => v.kind);
    expect(order[0]).toBe('use-after-free');
    expect(order.indexOf('data-race')).toBeGreaterThan(order.indexOf('assertion'));
    expect(again.exec.halted).toBe(false);
    // The oops ended only the reader: the bystander and the writer finished.
    expect(again.exec.violations.some((v) => v.title.includes('BUG'))).toBe(true);
    expect(again.exec.traceOps.some((o) => o.label === 'bystander: runs on after the oops')).toBe(true);
  });

  it('a run collects each distinct violation once, each with a token that replays to it', () => {
    const r = check(model, { strategy: 'dfs', maxExecutions: 200, keepGoing: true });
    const titles = r.findings.map((f) => `${f.violation.kind} ${f.violation.title}`);
    expect(new Set(titles).size).toBe(titles.length);
    for (const f of r.findings) {
      const s = decodeToken(f.token);
      expect(s.mode?.keepGoing).toBe(true);
      const back = replay(model, f.token);
      expect(back.exec.violations.some((v) => v.kind === f.violation.kind && v.title === f.violation.title)).toBe(true);
    }
  });

  it('tokens carry the execution mode; v1 tokens still decode', () => {
    const t = encodeToken({ model: 'm', hash: 1, scenario: 's', strategy: 'dpor', seed: 0, steps: [0, 1, 1], mode: { keepGoing: true, memoryModel: 'lkmm' } });
    expect(decodeToken(t).mode).toEqual({ keepGoing: true, memoryModel: 'lkmm' });
    const plain = decodeToken(encodeToken({ model: 'm', hash: 1, scenario: 's', strategy: 'dpor', seed: 0, steps: [2] }));
    expect(plain.mode).toBeUndefined();
    // A v1 token (recorded before modes existed).
    const v1 = 'mc1.TUMBFGlvcmVtYXAtcmV1c2UvcG9zdGVk1F_mqPsCeyJ0aHJlYWRzIjpbeyJuYW1lIjoiZGV2MS1vd25lciIsInNlc3Npb25zIjpbeyJwYWRkciI6NTM2ODc1MDA4LCJzaXplIjoxMDI0LCJ0eXBlIjoiZGV2aWNlIiwicHJlbWFwcGVkIjp0cnVlLCJhY2Nlc3NlcyI6MH1dLCJob2xkVW50aWxPdGhlcnNEb25lIjpmYWxzZX0seyJuYW1lIjoiZGV2Mi1wcm9iZSIsInNlc3Npb25zIjpbeyJwYWRkciI6NTM2ODc2MDMyLCJzaXplIjoxMDI0LCJ0eXBlIjoiZGV2aWNlIiwicHJlbWFwcGVkIjpmYWxzZSwiYWNjZXNzZXMiOjB9XSwiaG9sZFVudGlsT3RoZXJzRG9uZSI6ZmFsc2V9XSwidm1hbGxvY1RocmVhZCI6ZmFsc2UsIm1hcmtlZFJlYWRzIjpmYWxzZSwid2F0Y2hSZXN1cnJlY3Rpb24iOnRydWUsImJhcnJpZXIiOmZhbHNlfQRkcG9yAAAAABYBAP4_537qGg';
    const d = decodeToken(v1);
    expect(d.model).toBe('ioremap-reuse/posted');
    expect(d.mode).toBeUndefined();
    expect(d.steps.length).toBe(22);
  });
});
