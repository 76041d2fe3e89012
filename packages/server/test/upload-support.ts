import http from "node:http";

export interface Answer {
  status: number;
  retryAfter: string | undefined;
  connection: string | undefined;
  body: string;
}

/**
 * An upload to a listening server: headers (and `first` bytes of body) sent at once, the rest
 * only when `finish` is called. Resolves `answer` with the server's response.
 */
export function upload(port: number, path: string, headers: Record<string, string>, first = "") {
  const req = http.request({ host: "127.0.0.1", port, method: "POST", path, headers });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString("utf8");
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: res.headers["retry-after"] as string,
          connection: res.headers.connection,
          body,
        }),
      );
    });
    req.on("error", reject);
  });
  req.flushHeaders();
  if (first) req.write(first);
  // An upload aborted on purpose rejects its answer: not an error of the test.
  answer.catch(() => {});
  const closed = new Promise<void>((resolve) => req.once("close", () => resolve()));
  return {
    answer,
    closed,
    finish: (rest: string | Buffer = "") => req.end(rest),
    abort: () => req.destroy(),
  };
}
