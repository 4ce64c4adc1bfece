/**
 * Levenshtein distance between a and b when it is at most `bound`, else bound + 1: only the diagonal band of
 * width 2·bound + 1 is computed, so the cost is O(length · bound).
 */
export function boundedDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  const over = bound + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => (j <= bound ? j : over));
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(over);
    if (i <= bound) current[0] = i;
    let rowMin = current[0]!;
    const from = Math.max(1, i - bound);
    const to = Math.min(b.length, i + bound);
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(over, previous[j - 1]! + cost, previous[j]! + 1, current[j - 1]! + 1);
      rowMin = Math.min(rowMin, current[j]!);
    }
    if (rowMin > bound) return over;
    previous = current;
  }
  return previous[b.length]!;
}
