import { MemoryBackend } from "../src/backends/memory.ts";
import { backendConformance } from "./conformance.ts";

backendConformance(
  "memory",
  () => Promise.resolve({ backend: new MemoryBackend() }),
);
