/**
 * A model whose every model-provided string (thread names, op labels, object names, the broken
 * invariant's message, inspected fact keys and values, the scenario JSON) is hostile HTML /
 * markdown, for the escaping tests of the renderers. Its bug is a real lost update found by the
 * checker (a final check), not a thrown error.
 * Leaves out: nothing.
 */
import { Atomic, defineModel, thread } from '../../src/index.js';

const EVIL = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&|\`*_[x](http://e.vil)`;

export const hostile = defineModel<{ c: Atomic }, { tag: string }>({
  name: 'test/hostile',
  scenarios: { default: { tag: `</script><script>alert(3)</script>` } },
  setup: () => ({ c: new Atomic(0, `count ${EVIL}`) }),
  threads: (s, p) => [0, 1].map((i) => thread(`t${i} ${EVIL}`, function* () {
    const v = yield* s.c.load(`load ${EVIL} ${p.tag}`);
    yield* s.c.store(v + 1, `store ${EVIL}`);
  })),
  final: [{ name: `sum ${EVIL}`, check: (s) => s.c.value === 2 || `lost ${EVIL}` }],
  inspect: (s) => ({ [`c ${EVIL}`]: s.c.value, note: EVIL }),
});

export { EVIL };
