/**
 * The backend conformance suite registered as Deno tests. The cases
 * themselves live in tests/portable/conformance_suite.ts, so Node, Bun and
 * workerd run exactly the same ones.
 *
 * `conditional: false` marks a backend (s3rver) that ignores conditional
 * writes: its condition tests still run, as known-unsupported, and must keep
 * failing there so we notice the day they start to pass.
 */

import {
  type BackendFixture,
  conformanceCases,
  type ConformanceOptions as CaseOptions,
} from "./portable/conformance_suite.ts";

export type { BackendFixture } from "./portable/conformance_suite.ts";

/** Options of {@linkcode backendConformance}. */
export interface ConformanceOptions extends CaseOptions {
  /** Skip the whole suite (say why in `ignoreReason`). */
  ignore?: boolean;
}

/** Register the suite as Deno tests named `<label>: ...`. */
export function backendConformance(
  label: string,
  make: () => Promise<BackendFixture>,
  options: ConformanceOptions = {},
): void {
  for (const { name, fn } of conformanceCases(label, make, options)) {
    Deno.test({
      name,
      ignore: options.ignore,
      sanitizeResources: false,
      sanitizeOps: false,
      fn,
    });
  }
}
