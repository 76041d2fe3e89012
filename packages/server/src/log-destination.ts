import { createRequire } from "node:module";
import type { SonicBoom as SonicBoomType } from "sonic-boom";

// A CommonJS module whose types describe a named export that its ESM interop does not have.
const SonicBoom = createRequire(import.meta.url)("sonic-boom") as typeof SonicBoomType;

/** Log lines buffered while standard output is not being read; beyond this they are dropped. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Where `assent serve` writes its log lines: standard output, written asynchronously. Pino's
 * default destination writes synchronously and, when the pipe is full (a log reader that stopped
 * reading), retries in a busy loop on the main thread: the process then answers nothing and
 * cannot even handle SIGTERM. Here a full pipe only buffers (bounded, then drops lines), a closed
 * pipe (EPIPE) only stops logging, and nothing is flushed at exit, so logging never blocks an exit.
 */
export function createLogDestination(fd = 1): SonicBoomType {
  const destination = new SonicBoom({ fd, sync: false, maxLength: MAX_BUFFERED_BYTES });
  destination.on("error", () => {
    // The reader went away (EPIPE) or the descriptor failed: the service goes on without logs.
    destination.write = () => true;
  });
  return destination;
}
