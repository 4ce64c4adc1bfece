// The form under which state names and their variants are looked up: "Côte d'Ivoire", "Cote d'Ivoire"
// and "cotedivoire" meet; so do "Bosnia & Herzegovina" and "bosniaandherzegovina".
export function normalizeStateName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]/g, '');
}

/** Why a spelling was refused whose normalised form is empty (only Latin letters and digits are matched). */
export const NO_LATIN_LETTER =
  'Give a name with at least one Latin letter or digit: names are matched by their letters a–z (accents ignored) and digits alone';
