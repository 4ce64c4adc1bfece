// Orders paragraph numbers as printed: "121.9" < "121.10" < "122.1"; unknown paragraphs come last.
export function paragraphSortKey(paragraph: string | null): string {
  if (paragraph === null) return '~';
  return paragraph
    .split(/(\d+)/)
    .map((part) => (/^\d+$/.test(part) ? part.padStart(8, '0') : part))
    .join('');
}
