/** Reads Server-Sent Events from a fetch response: a minimal client for tests. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

export function openEventStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  const done = (async () => {
    const res = await fetch(url, { headers, signal: controller.signal });
    if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let at = buffer.indexOf("\n\n");
        while (at >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          let event = "message";
          let data = "";
          let id: string | null = null;
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
            else if (line.startsWith("id: ")) id = line.slice(4);
          }
          if (data) {
            events.push({ event, data, id });
            for (const w of waiters.splice(0)) w();
          }
          at = buffer.indexOf("\n\n");
        }
      }
    } catch (err) {
      if ((err as Error).name !== "AbortError") throw err;
    }
  })();
  let finished = false;
  void done.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  return {
    events,
    /** Whether the server ended the stream within `ms`. */
    async ended(ms: number): Promise<boolean> {
      const deadline = Date.now() + ms;
      while (!finished && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return finished;
    },
    /** Resolves once `count` events have arrived, or rejects after `ms`. */
    async waitFor(count: number, ms = 3000): Promise<SseEvent[]> {
      const deadline = Date.now() + ms;
      while (events.length < count) {
        if (Date.now() > deadline)
          throw new Error(`only ${events.length} of ${count} events within ${ms} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return events;
    },
    /** Aborts the stream; waits at most 3 s for its reader to finish (an abort must not hold a test). */
    close() {
      controller.abort();
      return Promise.race([done.catch(() => {}), new Promise<void>((r) => setTimeout(r, 3000).unref())]);
    },
  };
}
