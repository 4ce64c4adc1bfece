// Orders text for answers and reports alike on every host. `localeCompare` without a locale follows the
// host's LANG/LC_ALL (Node's ICU default locale): under cs_CZ "ch" sorts after "h" (CZE before CHE), under
// da_DK "aa" after "z" and capitals first, so the same data gave other bytes on another machine.
const english = new Intl.Collator('en');

export function compareText(a: string, b: string): number {
  return english.compare(a, b);
}
