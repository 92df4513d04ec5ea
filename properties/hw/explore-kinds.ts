// Test helper: explore a model exhaustively with DPOR and collect every violation kind seen, so a
// test can say "this interleaving bug shows up as kind K" and "the corrected twin shows nothing".
import { type AnyModel, check } from '../../src/index.js';

export interface Explored {
  readonly kinds: ReadonlySet<string>;
  readonly executions: number;
  readonly exhaustive: boolean;
  readonly messages: readonly string[];
}

export function exploreKinds(model: AnyModel, maxExecutions = 5000): Explored {
  const kinds = new Set<string>();
  const messages: string[] = [];
  const r = check(model, {
    strategy: 'dpor', maxExecutions, continueAfterViolation: true,
    onExecution: (x) => {
      if (x.violation) {
        if (!kinds.has(x.violation.kind)) messages.push(`${x.violation.kind}: ${x.violation.message}`);
        kinds.add(x.violation.kind);
      }
    },
  });
  return { kinds, executions: r.executions, exhaustive: r.exhaustive, messages };
}
