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
