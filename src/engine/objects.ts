/**
 * The object table of one execution, with KASAN-style lifetime tracking. Every shared thing a
 * model touches (atomic, plain cell, lock, device register window, page-table entry) is an object
 * with a dense id; every object belongs to a block (itself, or the struct it is a field of). A heap
 * block records where it was allocated and freed (thread, step, label), so an access after free, a
 * double free or an invalid free is reported with both sites, as KASAN does.
 *
 * Ids are handed out in creation order; since an execution is deterministic given its schedule,
 * the same object gets the same id on replay. A run of ids can be reserved at once with a namer
 * (a page table's prepared PTEs): their names are formatted only when something reads
 * them (a report, a trace, an observed-prefix match), never on the execution's hot path.
 * Leaves out: shadow memory at byte granularity (a block is freed as a whole), quarantine.
 */
import type { ObjectRef, Site } from './violation.js';

export const BLOCK_STATIC = 0;
export const BLOCK_LIVE = 1;
export const BLOCK_FREED = 2;

/** Formats the name of the `index`-th object of a reserved run (called at most once per object and execution). */
export type RunNamer = (index: number) => string;

/** Placeholder in the name column for an object of a reserved run whose name was not formatted yet. */
const UNNAMED = '\u0000unnamed';

interface NamedRun {
  readonly first: number;
  readonly count: number;
  readonly namer: RunNamer;
}

export class ObjectTable {
  // Per-object columns. reset() swaps in fresh arrays: cheaper than truncating with `length = 0`
  // (a runtime call per array, measurable at a million executions per second).
  kind: string[] = [];
  /** Names, UNNAMED for a reserved object not named yet (read them through `name` / `nameOf`). */
  private names: string[] = [];
  /** Reserved runs with names still to format (most executions never read them). */
  private runs: NamedRun[] = [];
  /** Block id of each object (the object itself for a block). */
  block: number[] = [];
  /** Block state by block id: BLOCK_STATIC (not heap), BLOCK_LIVE, BLOCK_FREED. */
  state: number[] = [];
  allocSite: (Site | undefined)[] = [];
  freeSite: (Site | undefined)[] = [];
  /** Objects that can be accessed plainly (fields, cells): their marked accesses are race-checked too. */
  plain: boolean[] = [];
  /** How many such objects exist (0: the race detector has nothing to watch yet). */
  plainCount = 0;
  /** Heap blocks still allocated, for the leak check. */
  liveHeap = 0;
  /** Blocks freed so far (0 lets the step loop skip the use-after-free lookup). */
  freedCount = 0;
  /** Object-name prefixes per-step invariants observe (set per execution), and the match per object. */
  observePrefixes: readonly string[] = [];
  observed: boolean[] = [];
  private lastChecks: readonly unknown[] | null = null;
  private lastAll = false;

  reset(): void {
    this.kind = [];
    this.names = [];
    if (this.runs.length > 0) this.runs = [];
    this.plain = [];
    this.plainCount = 0;
    this.block = [];
    this.state = [];
    this.allocSite = [];
    this.freeSite = [];
    this.liveHeap = 0;
    this.freedCount = 0;
    this.observed = [];
  }

  get size(): number {
    return this.kind.length;
  }

  /** Every object's name, in id order (formats the names of reserved runs not named yet). */
  get name(): readonly string[] {
    for (const r of this.runs) for (let i = 0; i < r.count; i++) this.nameOf(r.first + i);
    return this.names;
  }

  /** One object's name (`#id` for an id out of range). */
  nameOf(obj: number): string {
    const n = this.names[obj];
    if (n === undefined) return `#${obj}`;
    if (n !== UNNAMED) return n;
    for (const r of this.runs) {
      if (obj >= r.first && obj < r.first + r.count) {
        const named = r.namer(obj - r.first);
        this.names[obj] = named;
        return named;
      }
    }
    return `#${obj}`;
  }

  /**
   * A new object; `block` is the struct it lives in, or -1 to be a block of its own. `plain`: it
   * can be accessed plainly (a struct field, a Cell), so every access to it is race-checked.
   */
  add(kind: string, name: string, block: number, plain = false): number {
    const id = this.kind.length;
    this.plain.push(plain);
    if (plain) this.plainCount++;
    // Written out (not through push()): this runs for every object of every execution.
    this.kind.push(kind);
    this.names.push(name);
    this.block.push(block >= 0 ? block : id);
    this.state.push(BLOCK_STATIC);
    this.allocSite.push(undefined);
    this.freeSite.push(undefined);
    this.observed.push(this.observePrefixes.length > 0 && this.matches(name, block));
    return id;
  }

  /** Object `obj` turned out to be accessed plainly (a raw plain op on it). */
  markPlain(obj: number): void {
    if (obj < 0 || obj >= this.plain.length || this.plain[obj] === true) return;
    this.plain[obj] = true;
    this.plainCount++;
  }

  /**
   * `count` new objects of one kind, each a block of its own, with consecutive ids (returns the
   * first): the same ids `count` calls of `add` would give, but `namer(i)` formats the i-th name
   * only when something reads it.
   */
  reserve(kind: string, count: number, namer: RunNamer): number {
    const first = this.kind.length;
    if (count <= 0) return first;
    const observing = this.observePrefixes.length > 0;
    for (let i = 0; i < count; i++) {
      const id = first + i;
      // An observed-prefix match needs the name now: format it (only when some check observes).
      const name = observing ? namer(i) : UNNAMED;
      this.push(kind, name, id);
      this.observed.push(observing && this.matches(name, -1));
    }
    if (!observing) this.runs.push({ first, count, namer });
    return first;
  }

  private push(kind: string, name: string, block: number): void {
    this.plain.push(false);
    this.kind.push(kind);
    this.names.push(name);
    this.block.push(block);
    this.state.push(BLOCK_STATIC);
    this.allocSite.push(undefined);
    this.freeSite.push(undefined);
  }

  /** Does an object named `name` in `block` (-1: its own) match an observed prefix? */
  private matches(name: string, block: number): boolean {
    const blockName = block >= 0 ? this.nameOf(block) : name;
    for (const p of this.observePrefixes) if (name.startsWith(p) || blockName.startsWith(p)) return true;
    return false;
  }

  /** A new heap block (kmalloc'd struct), live from `site`. */
  addHeap(kind: string, name: string, site: Site): number {
    const id = this.add(kind, name, -1);
    this.state[id] = BLOCK_LIVE;
    this.allocSite[id] = site;
    this.liveHeap++;
    return id;
  }

  /** Is the block holding object `obj` freed? */
  isFreed(obj: number): boolean {
    const b = this.block[obj];
    return b !== undefined && this.state[b] === BLOCK_FREED;
  }

  /** Mark a heap block freed. Returns 'ok', 'double' or 'invalid' (not a heap block). */
  free(blockId: number, site: Site): 'ok' | 'double' | 'invalid' {
    if (this.block[blockId] !== blockId) return 'invalid';
    const s = this.state[blockId];
    if (s === BLOCK_FREED) return 'double';
    if (s !== BLOCK_LIVE) return 'invalid';
    this.state[blockId] = BLOCK_FREED;
    this.freeSite[blockId] = site;
    this.liveHeap--;
    this.freedCount++;
    return 'ok';
  }

  /**
   * Set up which objects the per-step invariants read (docs/soundness.md) for the next execution:
   * returns true when some check does not say (then every object counts as observed).
   */
  observe(checks: readonly { readonly observes?: 'ops' | readonly string[] }[]): boolean {
    // Every execution of a run passes the same checks: answer from the last call.
    if (checks === this.lastChecks) return this.lastAll;
    const all = checks.some((c) => c.observes === undefined);
    const prefixes: string[] = [];
    for (const c of checks) if (Array.isArray(c.observes)) prefixes.push(...(c.observes as readonly string[]));
    this.observePrefixes = all ? [] : prefixes;
    this.lastChecks = checks;
    this.lastAll = all;
    return all;
  }

  /** Heap blocks still live (for the leak report). */
  leaked(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.state.length; i++) if (this.state[i] === BLOCK_LIVE) out.push(i);
    return out;
  }

  /** Display name of an object: `kind name` with its block when it is a field. */
  label(obj: number): string {
    const n = this.nameOf(obj);
    const b = this.block[obj];
    if (b !== undefined && b !== obj) return `${this.nameOf(b)}.${n}`;
    return n;
  }

  /** A report reference to the block holding `obj`, with its lifetime sites. */
  ref(obj: number): ObjectRef {
    const b = this.block[obj] ?? obj;
    const alloc = this.allocSite[b];
    const freed = this.freeSite[b];
    return {
      id: b,
      kind: this.kind[b] ?? 'object',
      name: this.label(obj),
      ...(alloc ? { allocated: alloc } : {}),
      ...(freed ? { freed } : {}),
    };
  }
}
