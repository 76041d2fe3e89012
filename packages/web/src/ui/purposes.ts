/**
 * A program's purposes in plain words (they are configured as slugs, e.g. `quality-evaluation`).
 * A slug without words of its own reads as its words ("red-team-review" → "Red team review").
 */
const WORDS: Readonly<Record<string, string>> = {
  "feature-improvement": "Improving the AI features you use",
  "quality-evaluation": "Checking the quality of their answers",
  "safety-evaluation": "Checking that their answers are safe",
  debugging: "Finding and fixing faults",
};

export function purposeWords(slug: string): string {
  const known = WORDS[slug];
  if (known) return known;
  const words = slug.replace(/[-_]+/g, " ").trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : slug;
}

/** The one purpose never allowed, in plain words, with why. */
export const NEVER_ALLOWED_WHY =
  "Your data is never used to train foundation models (the general-purpose models behind AI features): " +
  "the program does not allow it, whatever else it allows.";
