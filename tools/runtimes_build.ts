/**
 * The bundles the runtime matrix runs, built by esbuild into `build/`:
 *
 * | bundle | from | for |
 * | --- | --- | --- |
 * | `portable_node.mjs` | tests/portable/run.ts | Node and Bun: the suite |
 * | `credbox_node.mjs` | src/main_node.ts | Node and Bun: the service |
 * | `portable_worker.mjs` | tests/portable/run_worker.ts | workerd: service + suite |
 * | `credbox_worker.mjs` | src/main_workers.ts | Workers: the service |
 *
 * npm packages resolve from the folder tools/runtimes_install.ts filled;
 * deno.json's import map is applied as esbuild aliases.
 *
 * @module
 */

import * as esbuild from "esbuild";

/** The esbuild version the bundles are built with. */
export const ESBUILD_VERSION: string = esbuild.version;

/** Paths of the bundles, absolute. */
export interface Bundles {
  portableNode: string;
  serviceNode: string;
  portableWorker: string;
  serviceWorker: string;
}

const ROOT = new URL("..", import.meta.url).pathname;
const OUT = `${ROOT}build`;

/**
 * The AWS SDK's browser build parses XML with `DOMParser`, which Workers
 * lack: ListObjectsV2 fails with "DOMParser is not defined"
 * (aws/aws-sdk-js-v3#7375). The package's `browser` field is what picks
 * that parser; this plugin resolves the module to the SDK's own
 * dependency-free parser, the one Node runs, and only in the Workers
 * bundles. It is the whole fix: nothing in src/ knows about it.
 */
const sdkXmlParser: esbuild.Plugin = {
  name: "aws-sdk-xml-parser",
  setup(build) {
    build.onResolve({ filter: /^\.\/xml-parser(\.js)?$/ }, (args) => {
      if (
        !/[\\/]@aws-sdk[\\/]xml-builder[\\/]dist-es[\\/]/.test(args.importer)
      ) {
        return undefined;
      }
      const dir = args.importer.replace(/[\\/][^\\/]+$/, "");
      return { path: `${dir}/xml-parser.js` };
    });
  },
};

/** Build every bundle; throws when esbuild reports an error. */
export async function buildBundles(nodeModules: string): Promise<Bundles> {
  await Deno.mkdir(OUT, { recursive: true });
  const common: esbuild.BuildOptions = {
    bundle: true,
    format: "esm",
    nodePaths: [nodeModules],
    alias: await importMapAliases(),
    logLevel: "warning",
    legalComments: "none",
    sourcemap: "linked",
  };
  const node: esbuild.BuildOptions = {
    ...common,
    platform: "node",
    target: "node20",
    // CommonJS packages inside an ES module bundle still call require()
    // for Node's built-ins: give them one.
    banner: {
      js: 'import { createRequire as __credboxRequire } from "node:module";\n' +
        "const require = __credboxRequire(import.meta.url);",
    },
  };
  const worker: esbuild.BuildOptions = {
    ...common,
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    // Only the test bundle imports node:assert; workerd provides it with
    // nodejs_compat.
    external: ["node:*"],
    plugins: [sdkXmlParser],
  };
  const bundles: Bundles = {
    portableNode: `${OUT}/portable_node.mjs`,
    serviceNode: `${OUT}/credbox_node.mjs`,
    portableWorker: `${OUT}/portable_worker.mjs`,
    serviceWorker: `${OUT}/credbox_worker.mjs`,
  };
  try {
    await Promise.all([
      build(node, "tests/portable/run.ts", bundles.portableNode),
      build(node, "src/main_node.ts", bundles.serviceNode),
      build(worker, "tests/portable/run_worker.ts", bundles.portableWorker),
      build(worker, "src/main_workers.ts", bundles.serviceWorker),
    ]);
  } finally {
    await esbuild.stop();
  }
  for (const file of [bundles.portableWorker, bundles.serviceWorker]) {
    // A guard for the day the SDK moves its parser: fail here, by name,
    // rather than with a ReferenceError deep inside a request.
    if ((await Deno.readTextFile(file)).includes("new DOMParser")) {
      throw new Error(`${file} still uses DOMParser: see sdkXmlParser`);
    }
  }
  return bundles;
}

async function build(
  options: esbuild.BuildOptions,
  entry: string,
  outfile: string,
): Promise<void> {
  await esbuild.build({
    ...options,
    entryPoints: [`${ROOT}${entry}`],
    outfile,
  });
}

/**
 * deno.json's imports as esbuild aliases: local entries to their files,
 * `npm:` ones to the package name (version ranges are npm's business).
 */
async function importMapAliases(): Promise<Record<string, string>> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const aliases: Record<string, string> = {};
  for (
    const [key, value] of Object.entries(
      config.imports as Record<string, string>,
    )
  ) {
    if (value.startsWith("./")) {
      aliases[key] = `${ROOT}${value.slice(2)}`;
    } else if (value.startsWith("npm:")) {
      const name = /^npm:(@?[^@/]+(?:\/[^@/]+)?)/.exec(value)?.[1];
      // esbuild refuses an alias onto itself; those need none.
      if (name && name !== key) aliases[key] = name;
    }
  }
  return aliases;
}
