import { type QueryKey, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

/**
 * Server push: while the calling screen is shown, every `event` on the Server-Sent Events stream
 * at `url` invalidates `invalidates`, so what the screen shows is fetched again at once. The
 * browser reconnects by itself; the screen's own queries still refetch on focus if the stream drops.
 */
export function useServerEvents(url: string, event: string, invalidates: QueryKey): void {
  const client = useQueryClient();
  const key = JSON.stringify(invalidates);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key's content, not its identity
  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(url, { withCredentials: true });
    // Each event carries the state as it is then: the first one (and the first after a
    // reconnect) is compared with the last one seen, so only a change refetches.
    let last: string | null = null;
    const onEvent = (e: MessageEvent<string>) => {
      if (last !== null && e.data !== last) void client.invalidateQueries({ queryKey: invalidates });
      last = e.data;
    };
    source.addEventListener(event, onEvent);
    // The server ends the stream with the session; the next API call reports the session's end.
    source.addEventListener("ended", () => source.close());
    return () => source.close();
  }, [url, event, key, client]);
}
