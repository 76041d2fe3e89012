import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny OpenAI-compatible model server on 127.0.0.1: `POST …/chat/completions`, streaming
 * (server-sent events, with a usage chunk when `stream_options.include_usage`) and not. It answers
 * every prompt with the same text, so a test can check the stored interaction field by field
 * against what a real SDK and a real instrumentation made of a real HTTP exchange.
 */
export const FAKE_ANSWER = "Renewal is due on March 3; the quote holds until then.";
/** The model that "served" the call: differs from any requested one, as with real providers. */
export const FAKE_RESPONSE_MODEL = "gpt-4o-mini-2024-07-18";
export const FAKE_USAGE = { prompt_tokens: 23, completion_tokens: 13, total_tokens: 36 } as const;
export const FAKE_FINISH = "stop";

export interface FakeModelServer {
  /** Base URL for an OpenAI client: `http://127.0.0.1:<port>/v1`. */
  readonly baseURL: string;
  /** How many completions were asked for. */
  readonly calls: () => number;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
}

export async function startFakeModelServer(): Promise<FakeModelServer> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
      return;
    }
    readJson(req).then(
      (body) => {
        calls += 1;
        const id = `chatcmpl-fake${calls}`;
        const created = Math.floor(Date.now() / 1000);
        const base = { id, created, model: FAKE_RESPONSE_MODEL, system_fingerprint: "fp_fake" };
        if (body.stream !== true) {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              ...base,
              object: "chat.completion",
              choices: [
                {
                  index: 0,
                  message: { role: "assistant", content: FAKE_ANSWER, refusal: null },
                  logprobs: null,
                  finish_reason: FAKE_FINISH,
                },
              ],
              usage: FAKE_USAGE,
            }),
          );
          return;
        }
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        const chunk = (delta: unknown, finish: string | null) => ({
          ...base,
          object: "chat.completion.chunk",
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        });
        send(chunk({ role: "assistant", content: "" }, null));
        const words = FAKE_ANSWER.split(/(?<= )/);
        for (const w of words) send(chunk({ content: w }, null));
        send(chunk({}, FAKE_FINISH));
        const options = body.stream_options as { include_usage?: boolean } | undefined;
        if (options?.include_usage) {
          send({ ...base, object: "chat.completion.chunk", choices: [], usage: FAKE_USAGE });
        }
        res.end("data: [DONE]\n\n");
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    calls: () => calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
