// "Did you mean ...?" for a mistyped family, task type, model, field or command, by edit distance.
import { distance } from 'fastest-levenshtein'

/**
 * The known names closest to `input` (case-insensitive): those at the smallest edit distance, when
 * it is within a third of the longer name's length (at least 1, at most 3 edits); else the names
 * that start with the input (`txt2` for `txt2img`, at least 3 characters). At most `max`.
 */
export function closest(input: string, known: Iterable<string>, max = 3): string[] {
  const needle = input.toLowerCase()
  const scored: Array<{ name: string; d: number }> = []
  for (const name of new Set(known)) {
    const hay = name.toLowerCase()
    const d = distance(needle, hay)
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(needle.length, hay.length) / 3)))
    if (d <= limit) scored.push({ name, d })
    else if (needle.length >= 3 && hay.startsWith(needle)) scored.push({ name, d: Infinity })
  }
  const best = Math.min(...scored.map((s) => s.d))
  return scored
    .filter((s) => s.d === best)
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name)
}

/** ` Did you mean "flux"?` (with a leading space), or empty when nothing is close. */
export function didYouMean(input: string, known: Iterable<string>): string {
  const found = closest(input, known)
  if (found.length === 0) return ''
  return ` Did you mean ${found.map((f) => `"${f}"`).join(' or ')}?`
}
