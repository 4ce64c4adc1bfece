// A stable, URL-safe id from a label: "Freedom of opinion & expression & right to information" →
// "freedom-of-opinion-and-expression-and-right-to-information".
export function slugify(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
