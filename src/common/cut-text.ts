/**
 * The first `max` UTF-16 units of `text` (JavaScript's length), one fewer when the cut would fall between the
 * two halves of a surrogate pair: a name or a cell quoted in a message, cut in half an emoji or a rare CJK
 * character (𠀀), left a lone surrogate that a client's JSON parser reads as U+FFFD or refuses.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, max > 0 && /[\ud800-\udbff]/.test(text[max - 1]!) ? max - 1 : max);
}

/** The last `max` UTF-16 units of `text`, one fewer when the cut would fall between the halves of a surrogate pair. */
export function cutTextStart(text: string, max: number): string {
  if (text.length <= max) return text;
  const from = text.length - max;
  return text.slice(max > 0 && /[\udc00-\udfff]/.test(text[from]!) ? from + 1 : from);
}
