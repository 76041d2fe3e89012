import type { Label } from "@assent/sdk/contract/staff";
import { idLabel } from "../../ui/ids.js";

/**
 * A label in a few words: "4/5" or "no rating" for a rating label; for a preference, how the
 * interaction it is on fared against the other one ("better than …3f2a91c0").
 */
export function labelText(label: Label, ratingMax = 5): string {
  if (label.kind === "preference" && label.comparedWith) {
    const other = idLabel(label.comparedWith);
    if (label.preference === "a") return `better than ${other}`;
    if (label.preference === "b") return `worse than ${other}`;
    return `as good as ${other}`;
  }
  return label.rating === null ? "no rating" : `${label.rating}/${ratingMax}`;
}
