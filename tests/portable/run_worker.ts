/**
 * The Workers module the runtime matrix serves on workerd: the shipped
 * worker (src/main_workers.ts), plus one test route, `GET /__portable__`,
 * that runs the portable suite inside the worker and answers its report as
 * JSON (`?filter=` narrows it). Built into build/portable_worker.mjs by
 * tools/runtimes.ts and never shipped: the route exists only here.
 *
 * @module
 */

import worker, { type WorkerEnv } from "../../src/main_workers.ts";
import { portableChecks } from "./suite.ts";

/** The test worker. */
export default {
  /** The suite's report on the test route; the service everywhere else. */
  async fetch(
    request: Request,
    env: WorkerEnv,
    ctx?: unknown,
  ): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/__portable__") {
      return await worker.fetch(request, env, ctx);
    }
    const report = await portableChecks().run({
      filter: url.searchParams.get("filter") ?? undefined,
    });
    return Response.json(report);
  },
};
