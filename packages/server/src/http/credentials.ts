/**
 * The one parser of `Authorization: Bearer <key>`, used by the ingestion-key guard and by the
 * per-key rate limit, so both see the same credential however the header is spelled (scheme in
 * any case, any run of spaces or tabs between scheme and key, surrounding whitespace).
 */
export function bearerCredential(header: unknown): string | null {
  if (typeof header !== "string" || header.length > 1024) return null;
  const match = /^\s*Bearer[ \t]+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
