/**
 * `deno task test`: every check a change must pass, in one command, ending
 * with the line `N passed, N failed` that CI reads.
 *
 * Each non-test check (format, lint, types, docs, publish) counts as one
 * test; the test run counts each of its tests. `--ci` adds the checks that
 * need more than Deno (the runtime matrix, each bench run once).
 *
 * @module
 */

interface Step {
  name: string;
  cmd: string[];
  /** Parse a `deno test`/`deno bench` summary instead of counting one. */
  counts?: boolean;
  env?: Record<string, string>;
}

const ci = Deno.args.includes("--ci");
const deno = Deno.execPath();

const steps: Step[] = [
  { name: "format", cmd: [deno, "fmt", "--check"] },
  { name: "lint", cmd: [deno, "lint"] },
  { name: "types", cmd: [deno, "check", "."] },
  {
    name: "tests",
    cmd: [deno, "test", "-A", "--doc", "--parallel", "--no-check=remote"],
    counts: true,
  },
  {
    name: "doc lint",
    cmd: [deno, "doc", "--lint", ...(await exportedFiles())],
  },
  {
    name: "publish dry run",
    cmd: [deno, "publish", "--dry-run", "--allow-dirty"],
  },
];
for (const extra of await ciSteps()) if (ci) steps.push(extra);

let passed = 0;
let failed = 0;
const failures: string[] = [];

for (const step of steps) {
  console.log(`\n== ${step.name}: ${step.cmd.slice(1).join(" ")}`);
  const out = await run(step);
  if (step.counts) {
    const summary = parseSummary(out.text);
    if (summary) {
      passed += summary.passed;
      failed += summary.failed;
      if (summary.failed > 0 || !out.ok) failures.push(step.name);
      // A crash after the summary (or no summary at all) still fails.
      if (!out.ok && summary.failed === 0) failed++;
      continue;
    }
  }
  if (out.ok) {
    passed++;
  } else {
    failed++;
    failures.push(step.name);
  }
}

if (failures.length) console.log(`\nFailed: ${failures.join(", ")}`);
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);

async function run(step: Step): Promise<{ ok: boolean; text: string }> {
  const child = new Deno.Command(step.cmd[0], {
    args: step.cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...step.env },
  }).spawn();
  const decoder = new TextDecoder();
  let text = "";
  const pump = async (
    stream: ReadableStream<Uint8Array>,
    sink: typeof Deno.stdout,
  ) => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, Deno.stdout),
    pump(child.stderr, Deno.stderr),
  ]);
  return { ok: status.success, text };
}

/** `ok | 12 passed (3 steps) | 1 failed | 2 ignored (1s)` → counts. */
function parseSummary(
  text: string,
): { passed: number; failed: number } | undefined {
  const lines = text.split("\n").filter((l) =>
    /\d+ passed.*\d+ failed/.test(l)
  );
  const last = lines.at(-1);
  if (!last) return undefined;
  const passed = Number(/(\d+) passed/.exec(last)![1]);
  const failed = Number(/(\d+) failed/.exec(last)![1]);
  return { passed, failed };
}

/** The files behind deno.json's exports, for `deno doc --lint`. */
async function exportedFiles(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile("deno.json"));
  const files = Object.values(config.exports as Record<string, string>);
  const present: string[] = [];
  for (const file of files) {
    try {
      await Deno.stat(file);
      present.push(file);
    } catch {
      // An export whose file does not exist yet fails the publish step.
    }
  }
  return present;
}

/** Extra steps run only under `--ci`, defined in tools/ci_steps.json. */
async function ciSteps(): Promise<Step[]> {
  try {
    const text = await Deno.readTextFile(
      new URL("./ci_steps.json", import.meta.url),
    );
    return (JSON.parse(text) as Step[]).map((step) => ({
      ...step,
      cmd: step.cmd.map((part) => part === "deno" ? deno : part),
    }));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}
