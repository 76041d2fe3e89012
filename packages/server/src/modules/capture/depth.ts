/**
 * How deeply content may nest. JSON.parse takes any depth, but serializing or walking a value
 * nested thousands of levels deep overflows the stack; a per-item bound turns that into a clear
 * rejection of the one item. The walk is iterative, so checking never overflows itself.
 */
export const DEFAULT_MAX_CONTENT_DEPTH = 64;

/** Whether `value` nests arrays/objects more than `maxDepth` levels deep (a scalar is depth 0). */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { v, d } = top;
    if (typeof v !== "object" || v === null) continue;
    if (d + 1 > maxDepth) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === "object" && child !== null) stack.push({ v: child, d: d + 1 });
    }
  }
  return false;
}

/** The reason given for an item whose input or output nests too deeply (names no value). */
export const depthError = (maxDepth: number) => `input and output may nest at most ${maxDepth} levels deep`;
