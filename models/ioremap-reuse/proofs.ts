/**
 * The bounds of what the ioremap-reuse fixed variants are proved on (ModelDef.proofs): which
 * scenario, DPOR (exhaustive), DPOR with critical sections folded (dpor-fold: exhaustive, for the
 * scenarios whose lock orders plain DPOR cannot exhaust) or DFS within a preemption bound, the tier ('ci' runs in npm test,
 * 'prove' in `npm run prove`), and the executions the proof took when last measured.
 * Leaves out: the measuring itself (bench/prove.ts re-measures and fails on a proof that is no
 * longer exhaustive or finds a violation).
 */
import type { ProofSpec } from '../../src/index.js';

const dpor = (scenario: string, executions: number, tier: 'ci' | 'prove' = 'ci'): ProofSpec => ({ scenario, strategy: 'dpor', tier, executions });
const fold = (scenario: string, executions: number, tier: 'ci' | 'prove' = 'ci'): ProofSpec => ({ scenario, strategy: 'dpor-fold', tier, executions });
const dfs = (scenario: string, preemptionBound: number, executions: number, tier: 'ci' | 'prove'): ProofSpec => ({ scenario, strategy: 'dfs', preemptionBound, tier, executions });

/*
 * ioremap-reuse/fixed. Not listed: static-wc and low-pa-pci (one execution each: one driver, nothing
 * to interleave; the suite checks them), and three proofs that did not finish within 90 s when
 * measured: DPOR on alloc-fails (73 856 executions) and on reuse (57 216), DFS pb 2 on reuse-three
 * (41 008). Those scenarios are proved within preemption bound 1, and with dpor-fold exhaustively:
 * three-drivers, reuse and alloc-fails (its notes: find_vm_area_paddr's sections do not fold, since
 * __arm_ioremap_pfn_caller stores area->phys_addr outside vmap_area_lock); reuse-three is not
 * (dpor-fold: 70 864 executions in 30 s, not finished).
 */
export const FIXED_PROOFS: readonly ProofSpec[] = [
  dpor('morton', 175), dpor('morton-marked', 175), dpor('morton-use', 38), dpor('two-owners', 8), dpor('wc-after-device', 2),
  dpor('lpae-alias', 2), dpor('publish-race', 140), dpor('walk-vs-unmap', 565), dpor('with-vmalloc', 3003), dpor('three-users', 1672),
  dpor('low-pa-half-built', 565), dpor('foreign-vm-area', 1287),
  dfs('three-drivers', 1, 498, 'ci'), dfs('reuse', 1, 112, 'ci'), dfs('reuse-three', 1, 822, 'ci'), dfs('map-fails', 1, 194, 'ci'),
  dfs('alloc-fails', 1, 2766, 'ci'), dfs('bad-callers', 1, 60, 'ci'), dfs('same-device', 1, 58, 'ci'),
  dpor('shared-page', 16_990, 'prove'), dpor('overlapping', 16_990, 'prove'), dpor('disjoint', 17_770, 'prove'), dpor('same-device', 26_526, 'prove'),
  dpor('map-fails', 36_962, 'prove'), dpor('bad-callers', 55_742, 'prove'), dfs('three-drivers', 2, 31_428, 'prove'),
  fold('alloc-fails', 8_071), fold('three-drivers', 51_185, 'prove'), fold('reuse', 20_486, 'prove'),
];

/*
 * ioremap-reuse/fixed-fresh. Not listed: static-wc and low-pa-pci (one execution each), DPOR on reuse
 * (108 032 executions in 90 s, not finished) and DFS pb 2 on reuse-three (121 696 in 90 s); both
 * are proved within preemption bound 1, and exhaustively with dpor-fold (nothing breaks its premise
 * here: no section of fixed-fresh is touched outside its lock).
 */
export const FRESH_PROOFS: readonly ProofSpec[] = [
  dpor('morton', 76), dpor('morton-marked', 76), dpor('morton-use', 11), dpor('two-owners', 40), dpor('shared-page', 372),
  dpor('overlapping', 372), dpor('same-device', 612), dpor('disjoint', 372), dpor('wc-after-device', 2), dpor('lpae-alias', 2),
  dpor('publish-race', 12), dpor('walk-vs-unmap', 76), dpor('with-vmalloc', 252), dpor('map-fails', 1422),
  dpor('low-pa-half-built', 27), dpor('foreign-vm-area', 252), dpor('bad-callers', 672),
  dfs('three-drivers', 1, 762, 'ci'), dfs('three-users', 1, 546, 'ci'), dfs('reuse', 1, 136, 'ci'), dfs('reuse-three', 1, 1262, 'ci'), dfs('alloc-fails', 1, 3648, 'ci'),
  dpor('alloc-fails', 34_198, 'prove'), dpor('three-users', 28_440, 'prove'), dfs('three-drivers', 2, 46_026, 'prove'),
  fold('three-drivers', 375), fold('three-users', 62), fold('reuse', 110), fold('alloc-fails', 432), fold('reuse-three', 10_695, 'prove'),
];
