import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import os from "node:os";

/** A realistic interaction of about 2 KB: ~1.2 KB prompt, ~0.8 KB answer, telemetry. */
export function interaction(i: number) {
  const words = (n: number) => randomBytes(n).toString("base64").replace(/[+/]/g, " ");
  return {
    feature: "sales.email-draft",
    input: {
      messages: [
        { role: "system", content: words(300) },
        { role: "user", content: `${i} ${words(600)}` },
      ],
    },
    output: words(600),
    conversationId: `conv-${i % 97}`,
    telemetry: {
      model: "gpt-4o",
      latencyMs: 840,
      tokensIn: 312,
      tokensOut: 190,
      finishReason: "stop",
      feedback: 1,
    },
  };
}

export function batch(size: number, offset = 0) {
  return { interactions: Array.from({ length: size }, (_, i) => interaction(offset + i)) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
