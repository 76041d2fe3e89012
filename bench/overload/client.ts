/**
 * One client process of the overload benchmark: `connections` keep-alive connections posting the
 * same ~8 MiB body back to back for `seconds`, started by main.ts (several processes, so that one
 * client event loop is not what limits the run). Prints one JSON line: every answer with its
 * timings, the socket errors, and this process's worst event-loop delay.
 */
import http from "node:http";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";

export interface ClientArgs {
  readonly port: number;
  readonly key: string;
  readonly connections: number;
  readonly seconds: number;
  /** Wait as long as a 429's Retry-After says before the next request, as the SDK does. */
  readonly honourRetryAfter: boolean;
}

/** One answer: status, and ms from when its bytes began to go out to the answer's last byte. */
export interface Answer {
  readonly status: number;
  /** From the request's socket being ready (sending starts) to the answer's last byte. */
  readonly ms: number;
  /** Waited in this client before a socket was free (not the server's time). */
  readonly queuedMs: number;
  /** From sending starts to the answer's headers. */
  readonly headersMs: number;
  /** From sending starts to the body handed to the kernel (-1: not all of it). */
  readonly sentMs: number;
  /** Wall-clock time the answer ended (performance.timeOrigin-based ms). */
  readonly at: number;
}

export interface ClientReport {
  readonly answers: Answer[];
  readonly errors: number;
  readonly loopDelayMaxMs: number;
}

function maxBody(): Buffer {
  const filler = "x".repeat(1000 * 1024 - 200);
  const items = Array.from({ length: 8 }, (_, i) => ({
    feature: "bench.overload",
    input: `${i} ${filler}`,
    output: null,
  }));
  return Buffer.from(JSON.stringify({ interactions: items }));
}

async function load(args: ClientArgs): Promise<ClientReport> {
  const body = maxBody();
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.connections });
  const answers: Answer[] = [];
  let errors = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const end = Date.now() + args.seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      let ready = -1;
      let sent = -1;
      let headers = -1;
      let done = false;
      let wait = 0;
      const finish = (status: number | null) => {
        if (done) return;
        done = true;
        if (status === null) errors++;
        else {
          const end = performance.now();
          const start = ready < 0 ? t0 : ready;
          answers.push({
            status,
            ms: end - start,
            queuedMs: start - t0,
            headersMs: headers - start,
            sentMs: sent < 0 ? -1 : sent - start,
            at: performance.timeOrigin + end,
          });
        }
        // No wait past the end of the run.
        const pause = Math.min(wait, end - Date.now());
        if (pause > 0) setTimeout(resolve, pause);
        else resolve();
      };
      const req = http.request(
        {
          host: "127.0.0.1",
          port: args.port,
          path: "/v1/interactions",
          method: "POST",
          agent,
          headers: {
            authorization: `Bearer ${args.key}`,
            "content-type": "application/json",
            "content-length": body.length,
          },
        },
        (res) => {
          headers = performance.now();
          const retryAfter = Number(res.headers["retry-after"]);
          // As the SDK: Retry-After (at most 120 s) and up to 250 ms of jitter.
          if (args.honourRetryAfter && res.statusCode === 429 && retryAfter > 0) {
            wait = Math.min(retryAfter * 1000, 120_000) + Math.floor(Math.random() * 250);
          }
          res.resume();
          res.once("end", () => finish(res.statusCode ?? 0));
          res.once("error", () => finish(null));
        },
      );
      // Sending starts when the request has a socket (a new one still connects: that counts).
      req.once("socket", () => {
        ready = performance.now();
      });
      req.once("finish", () => (sent = performance.now()));
      req.setTimeout(60_000, () => req.destroy());
      req.once("error", () => finish(null));
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: args.connections }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  agent.destroy();
  loop.disable();
  return { answers, errors, loopDelayMaxMs: loop.max / 1e6 };
}

const args = JSON.parse(process.argv[2] ?? "{}") as ClientArgs;
const report = await load(args);
process.stdout.write(`${JSON.stringify(report)}\n`);
