import { SDK_VERSION } from "./version.js";

export const USER_AGENT = `assent-sdk-js/${SDK_VERSION}`;

/** `path` under the service's base URL (which may itself have a path, behind a proxy). */
export function endpoint(baseUrl: string, path: string): string {
  return new URL(path.replace(/^\//, ""), baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`).toString();
}

export function authHeaders(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}`, "user-agent": USER_AGENT };
}

/** A signal that aborts on `parent` or after `timeoutMs`. */
export function withTimeout(parent: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([parent, AbortSignal.timeout(timeoutMs)]);
}

/** A short description of a failed fetch, without anything from the request. */
export function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError") return "request timed out";
    if (err.name === "AbortError") return "request aborted";
    const cause = (err as Error & { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
    return `${err.message}${code}`;
  }
  return "request failed";
}

/** Reads a JSON body, or null when it is not JSON. */
export async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return null;
  }
}
