/**
 * The list-scaling chart of docs/benchmarks.md: time per listing and heap
 * held, each against the number of ids, on log-log axes (the sizes span
 * four decades), drawn as a plain SVG so it needs no library and renders
 * on GitHub.
 *
 * @module
 */

/** One bucket size and what listing it cost. */
export interface ScalingPoint {
  ids: number;
  sdkMs: number;
  storeMs: number;
  /** Heap held by the listed ids; undefined when not measured. */
  heldBytes?: number;
}

interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const WIDTH = 760;
const HEIGHT = 320;
const SDK_COLOR = "#888888";
const STORE_COLOR = "#1f6feb";
const MEMORY_COLOR = "#d4622a";

/** The whole image: two panels side by side, and a legend. */
export function scalingChart(points: ScalingPoint[]): string {
  const sorted = [...points].sort((a, b) => a.ids - b.ids);
  const time = panel(
    { x: 70, y: 52, width: 280, height: 196 },
    "time per listing (avg)",
    [
      {
        name: "bare SDK, every page",
        color: SDK_COLOR,
        points: sorted.map((p) => [p.ids, p.sdkMs]),
      },
      {
        name: "store.list(), every id",
        color: STORE_COLOR,
        points: sorted.map((p) => [p.ids, p.storeMs]),
      },
    ],
    formatTickMs,
  );
  const held = sorted.filter((p) =>
    p.heldBytes !== undefined && p.heldBytes > 0
  );
  const memory = panel(
    { x: 460, y: 52, width: 280, height: 196 },
    "heap held by the listed ids",
    [{
      name: "heap held",
      color: MEMORY_COLOR,
      points: held.map((p) => [p.ids, p.heldBytes!]),
    }],
    formatTickBytes,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="13">` +
    `Listing every id at zero latency (fake S3), log-log</text>`,
    time,
    memory,
    legend(40, HEIGHT - 22, [
      ["bare SDK ListObjectsV2, every page", SDK_COLOR],
      ["store.list(), every id", STORE_COLOR],
      ["heap held by the ids", MEMORY_COLOR],
    ]),
    `</svg>`,
    "",
  ].join("\n");
}

function panel(
  box: Box,
  title: string,
  series: Series[],
  formatTick: (value: number) => string,
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  if (xs.length === 0) return "";
  const xRange = decades(xs);
  const yRange = decades(ys);
  const px = (v: number) =>
    box.x + (Math.log10(v) - xRange[0]) / (xRange[1] - xRange[0]) * box.width;
  const py = (v: number) =>
    box.y + box.height -
    (Math.log10(v) - yRange[0]) / (yRange[1] - yRange[0]) * box.height;

  const parts = [
    `<text x="${box.x + box.width / 2}" y="${box.y - 8}" ` +
    `text-anchor="middle">${escape(title)}</text>`,
    `<rect x="${box.x}" y="${box.y}" width="${box.width}" ` +
    `height="${box.height}" fill="none" stroke="#cccccc"/>`,
  ];
  for (let d = yRange[0]; d <= yRange[1]; d++) {
    const y = py(10 ** d);
    parts.push(
      `<line x1="${box.x}" x2="${box.x + box.width}" y1="${y}" y2="${y}" ` +
        `stroke="#eeeeee"/>`,
      `<text x="${box.x - 6}" y="${y + 4}" text-anchor="end">` +
        `${escape(formatTick(10 ** d))}</text>`,
    );
  }
  for (let d = xRange[0]; d <= xRange[1]; d++) {
    const x = px(10 ** d);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${box.y}" y2="${box.y + box.height}" ` +
        `stroke="#eeeeee"/>`,
      `<text x="${x}" y="${box.y + box.height + 16}" text-anchor="middle">` +
        `${(10 ** d).toLocaleString("en-US")}</text>`,
    );
  }
  parts.push(
    `<text x="${box.x + box.width / 2}" y="${box.y + box.height + 32}" ` +
      `text-anchor="middle">ids</text>`,
  );
  for (const s of series) {
    const path = s.points.map(([x, y]) =>
      `${px(x).toFixed(1)},${py(y).toFixed(1)}`
    );
    parts.push(
      `<polyline points="${path.join(" ")}" fill="none" stroke="${s.color}" ` +
        `stroke-width="2"/>`,
      ...path.map((xy) => {
        const [cx, cy] = xy.split(",");
        return `<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`;
      }),
    );
  }
  return parts.join("\n");
}

function legend(x: number, y: number, items: [string, string][]): string {
  return items.map(([label, color], i) => {
    const at = x + i * 240;
    return `<rect x="${at}" y="${
      y - 9
    }" width="14" height="4" fill="${color}"/>` +
      `<text x="${at + 20}" y="${y - 4}">${escape(label)}</text>`;
  }).join("\n");
}

/** Whole decades that contain every value, at least one decade wide. */
function decades(values: number[]): [number, number] {
  const positive = values.filter((v) => v > 0);
  const low = Math.floor(Math.log10(Math.min(...positive)));
  const high = Math.ceil(Math.log10(Math.max(...positive)));
  return [low, Math.max(high, low + 1)];
}

function formatTickMs(ms: number): string {
  if (ms < 1) return `${+(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${+ms.toPrecision(3)} ms`;
  return `${+(ms / 1000).toPrecision(3)} s`;
}

// Decimal units: the axis ticks fall on powers of ten.
function formatTickBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${+(bytes / 1e3).toPrecision(3)} kB`;
  return `${+(bytes / 1e6).toPrecision(3)} MB`;
}

function escape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(
    ">",
    "&gt;",
  );
}
