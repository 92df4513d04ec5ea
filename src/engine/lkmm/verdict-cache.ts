/**
 * A cache of consistency verdicts by graph shape: executions that differ only in the interleaving
 * of independent events build the same execution graph, and the cat's verdict is a function of the
 * graph alone (events, annotations, locations, rf, co, rmw, dependencies; never values or labels).
 * An event is named by its thread and its index in that thread's program order (initial writes by
 * their location), so the key is the same whatever order the engine performed the events in; the
 * races of a cached verdict are kept by those names and mapped back to this graph's event ids.
 * Leaves out: anything approximate (a key is the whole graph), eviction other than a size cap.
 */
import type { Axiom } from './consistency.js';
import type { Graph } from './graph.js';

interface Cached {
  readonly failed: Axiom | null;
  /** Racing pairs, by canonical event name. */
  readonly races: readonly (readonly [string, string])[];
}

const MAX_ENTRIES = 100_000;

export class VerdictCache {
  private readonly map = new Map<string, Cached>();
  hits = 0;

  /** Canonical names of the events of `g` and the graph's key. */
  static key(g: Graph): { key: string; names: string[] } {
    const evs = g.events;
    const names: string[] = new Array<string>(evs.length);
    const perThread = new Map<number, number>();
    const byThread = new Map<number, number[]>();
    for (let i = 0; i < evs.length; i++) {
      const e = evs[i] as Graph['events'][number];
      if (e.tid < 0) {
        names[i] = `i${e.loc}`;
        continue;
      }
      const k = perThread.get(e.tid) ?? 0;
      perThread.set(e.tid, k + 1);
      names[i] = `${e.tid}.${k}`;
      let l = byThread.get(e.tid);
      if (l === undefined) byThread.set(e.tid, (l = []));
      l.push(i);
    }
    const n = (i: number): string => names[i] ?? '?';
    const parts: string[] = [];
    for (const tid of [...byThread.keys()].sort((a, b) => a - b)) {
      for (const i of byThread.get(tid) as number[]) {
        const e = evs[i] as Graph['events'][number];
        parts.push(`${e.kind},${e.ann},${e.loc},${e.rf >= 0 ? n(e.rf) : ''},${e.addr.map(n).join('+')},${e.data.map(n).join('+')},${e.ctrl.map(n).join('+')}`);
      }
      parts.push('|');
    }
    for (const loc of [...g.co.keys()].sort((a, b) => a - b)) parts.push(`${loc}=${(g.co.get(loc) as number[]).map(n).join(',')}`);
    for (const [r, w] of [...g.rmw.entries()].map(([r, w]) => [n(r), n(w)]).sort()) parts.push(`${r}>${w}`);
    return { key: parts.join(';'), names };
  }

  clear(): void {
    this.map.clear();
  }

  get(key: string): Cached | undefined {
    const c = this.map.get(key);
    if (c !== undefined) this.hits++;
    return c;
  }

  set(key: string, failed: Axiom | null, races: readonly (readonly [number, number])[], names: readonly string[]): void {
    if (this.map.size >= MAX_ENTRIES) this.map.clear();
    this.map.set(key, { failed, races: races.map(([a, b]) => [names[a] ?? '?', names[b] ?? '?'] as const) });
  }
}
