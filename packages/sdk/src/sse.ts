/** One Server-Sent Event, as dispatched by a blank line. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

/**
 * An incremental parser of the `text/event-stream` format (WHATWG HTML, "Server-sent events"):
 * feed it decoded text as it arrives, get back the events it completes. Lines end with CRLF,
 * LF or CR; `:` lines are comments (the service's pings); `retry` sets the reconnect delay.
 */
export class SseParser {
  private buffer = "";
  private eventType = "";
  private data: string[] = [];
  private lastId: string | null = null;
  /** The reconnect delay the server asked for, in ms, if any. */
  retryMs: number | null = null;
  /** A CR ended the last chunk: an LF at the start of the next one belongs to it. */
  private pendingCr = false;
  /**
   * Chunks of a line still open (no line end in them), joined only once its end arrives: a long
   * line, such as a large snapshot's data, is copied and scanned once, not once per chunk.
   */
  private parts: string[] = [];

  feed(text: string): SseEvent[] {
    if (this.pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.pendingCr = false;
    if (!text.includes("\n") && !text.includes("\r")) {
      this.parts.push(text);
      return [];
    }
    // `buffer` and `parts` hold no line end: scan only the new text.
    const head = this.parts.length > 0 ? this.buffer + this.parts.join("") : this.buffer;
    this.parts = [];
    this.buffer = head + text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = head.length; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = this.buffer.slice(start, i);
      if (c === 13) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 10) i += 1;
        } else this.pendingCr = true;
      }
      start = i + 1;
      const ev = this.line(line);
      if (ev) events.push(ev);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === "") {
      if (this.data.length === 0) {
        this.eventType = "";
        return null;
      }
      const ev = { event: this.eventType || "message", data: this.data.join("\n"), id: this.lastId };
      this.eventType = "";
      this.data = [];
      return ev;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.lastId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
    return null;
  }
}
