/**
 * The bounds of what the ioremap-reuse fixed variants are proved on (ModelDef.proofs): which
 * scenario, DPOR (exhaustive) or DFS within a preemption bound, the tier ('ci' runs in npm test,
 * 'prove' in `npm run prove`), and the executions the proof took when last measured.
 * Leaves out: the measuring itself (bench/prove.ts re-measures and fails on a proof that is no
 * longer exhaustive or finds a violation).
 */
import type { ProofSpec } from '../../src/index.js';

const dpor = (scenario: string, executions: number, tier: 'ci' | 'prove' = 'ci'): ProofSpec => ({ scenario, strategy: 'dpor', tier, executions });
const dfs = (scenario: string, preemptionBound: number, executions: number, tier: 'ci' | 'prove'): ProofSpec => ({ scenario, strategy: 'dfs', preemptionBound, tier, executions });

export const FIXED_PROOFS: readonly ProofSpec[] = [
  dpor('morton', 0), dpor('morton-marked', 0), dpor('morton-use', 0), dpor('two-owners', 0), dpor('wc-after-device', 0),
  dpor('lpae-alias', 0), dpor('publish-race', 0), dpor('walk-vs-unmap', 0), dpor('with-vmalloc', 0), dpor('three-users', 0),
  dpor('static-wc', 0), dpor('low-pa-pci', 0), dpor('low-pa-half-built', 0), dpor('foreign-vm-area', 0),
  dfs('three-drivers', 1, 0, 'ci'), dfs('reuse', 1, 0, 'ci'), dfs('reuse-three', 1, 0, 'ci'), dfs('map-fails', 1, 0, 'ci'),
  dfs('alloc-fails', 1, 0, 'ci'), dfs('bad-callers', 1, 0, 'ci'), dfs('same-device', 1, 0, 'ci'),
  dpor('shared-page', 0, 'prove'), dpor('overlapping', 0, 'prove'), dpor('disjoint', 0, 'prove'), dpor('same-device', 0, 'prove'),
  dpor('map-fails', 0, 'prove'), dpor('alloc-fails', 0, 'prove'), dpor('bad-callers', 0, 'prove'), dpor('reuse', 0, 'prove'),
  dfs('three-drivers', 2, 0, 'prove'), dfs('reuse-three', 2, 0, 'prove'),
];

export const FRESH_PROOFS: readonly ProofSpec[] = [
  dpor('morton', 0), dpor('morton-marked', 0), dpor('morton-use', 0), dpor('two-owners', 0), dpor('shared-page', 0),
  dpor('overlapping', 0), dpor('same-device', 0), dpor('disjoint', 0), dpor('wc-after-device', 0), dpor('lpae-alias', 0),
  dpor('publish-race', 0), dpor('walk-vs-unmap', 0), dpor('with-vmalloc', 0), dpor('map-fails', 0), dpor('static-wc', 0),
  dpor('low-pa-pci', 0), dpor('low-pa-half-built', 0), dpor('foreign-vm-area', 0), dpor('bad-callers', 0),
  dfs('three-drivers', 1, 0, 'ci'), dfs('three-users', 1, 0, 'ci'), dfs('reuse', 1, 0, 'ci'), dfs('reuse-three', 1, 0, 'ci'), dfs('alloc-fails', 1, 0, 'ci'),
  dpor('alloc-fails', 0, 'prove'), dpor('three-users', 0, 'prove'), dpor('reuse', 0, 'prove'),
  dfs('three-drivers', 2, 0, 'prove'), dfs('reuse-three', 2, 0, 'prove'),
];
