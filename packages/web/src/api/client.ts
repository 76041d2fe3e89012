/**
 * One way to call the API: JSON in and out, the session cookie sent along, and every failure
 * turned into an ApiError carrying the server's `{"error", "message"}` so screens can show it
 * next to the action that caused it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface CallOptions {
  /** A 401 here is an expected answer (sign-in, the first session check), not an expired session. */
  readonly expectUnauthorized?: boolean;
}

type SessionListener = (event: "expired" | "password-change-required") => void;
let sessionListener: SessionListener | null = null;

/** The app hears here when the API says the session ended or the password must change first. */
export function onSessionEvent(listener: SessionListener | null): void {
  sessionListener = listener;
}

export type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `the server answered ${res.status}`;
  try {
    const body = (await res.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error === "string") code = body.error;
    if (typeof body.message === "string") message = body.message;
  } catch {
    // Not JSON (a proxy's page, say): keep the status text.
  }
  return new ApiError(res.status, code, message);
}

export async function call<T>(
  method: Method,
  path: string,
  body?: unknown,
  opts: CallOptions = {},
): Promise<T> {
  // The server refuses a signed-in change without JSON or this header (CSRF); GETs carry it too.
  const headers: Record<string, string> = { accept: "application/json", "x-assent-request": "1" };
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(
      0,
      "unreachable",
      "the server could not be reached; check the connection and try again",
    );
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && !opts.expectUnauthorized) sessionListener?.("expired");
    if (err.code === "password_change_required") sessionListener?.("password-change-required");
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  return (type.includes("json") ? await res.json() : await res.text()) as T;
}
