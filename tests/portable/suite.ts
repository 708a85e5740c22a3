/**
 * The portable suite: every check that must pass on every runtime credbox
 * claims (Deno, Node, Bun, workerd), registered on one {@linkcode Checks}.
 * The runtime entries beside this file run it and report.
 *
 * @module
 */

import { registerBackendChecks } from "./backend_checks.ts";
import { registerCryptoChecks } from "./crypto_checks.ts";
import { Checks } from "./harness.ts";
import { registerHttpChecks } from "./http_checks.ts";

export type { CheckResult, RunReport } from "./harness.ts";

/**
 * A fresh suite with every portable check registered.
 *
 * @example Run the crypto checks only
 * ```ts
 * import { portableChecks } from "./suite.ts";
 *
 * const report = await portableChecks().run({ filter: "crypto: " });
 * console.assert(report.failed === 0 && report.passed > 0);
 * ```
 */
export function portableChecks(): Checks {
  const checks = new Checks();
  registerCryptoChecks(checks.test);
  registerBackendChecks(checks.test);
  registerHttpChecks(checks.test);
  return checks;
}
