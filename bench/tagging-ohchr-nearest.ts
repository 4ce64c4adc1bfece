// bench/tagging-ohchr-audit.ts's proxy for the tagger's issues themselves: for the UPR Info issues that have one,
// OHCHR's themes (as printed; a trailing ':' is every theme starting so) and affected-persons groups (ids) that an
// issue's text would carry. Not one-to-one (that is the crosswalk, src/tagging/crosswalk.ts): an issue "agrees"
// with OHCHR when OHCHR gave any of them, so it says how often the tagger's issue is near OHCHR's reading, not
// whether it is right. Written before the figures were looked at; never used to tune anything.

export const NEAREST: Readonly<Record<string, { themes?: string[]; groups?: string[] }>> = {
  'Rights of the Child': { themes: ['Children:'], groups: ['children', 'girls', 'children-in-vulnerable-situations-abused-living-on-the-street-institutionalized-indigenous-migrant-children-etc'] },
  "Women's rights": {
    themes: ['Violence against women', 'Discrimination against women', 'Advancement of women', 'Participation of women in political & public life', 'Domestic violence'],
    groups: ['women', 'girls'],
  },
  Disabilities: { themes: ['Persons with disabilities:'], groups: ['persons-with-disabilities'] },
  Trafficking: { themes: ['Prohibition of slavery, trafficking'] },
  Minorities: { groups: ['minorities-racial-ethnic-linguistic-religious-or-descent-based-groups', 'roma-gypsies-sinti-and-travellers'] },
  Migrants: { groups: ['migrants-and-domestic-workers', 'non-citizens'] },
  'Asylum-seekers - refugees': { groups: ['refugees-and-asylum-seekers'] },
  'Sexual Orientation and Gender Identity': { groups: ['lesbian-gay-bisexual-and-transgender-and-intersex-persons-lgbti'] },
  'Human rights education and training': { themes: ['Human rights education, trainings & awareness raising'] },
  'National plan of action': { themes: ['National Plans of Action on Human Rights (or specific areas)'] },
  'Treaty bodies': { themes: ['Cooperation & Follow up with Treaty Bodies'] },
  'International instruments': { themes: ['Acceptance of international norms', 'Scope of international obligations'] },
  'Civil society': { themes: ['Cooperation and meaningful consultation with civil society & participation'], groups: ['civil-society'] },
  Environment: { themes: ['Human rights & the environment', 'Human rights & climate change'] },
  'Right to water': { themes: ['Human Rights & drinking water & sanitation'] },
  Poverty: { themes: ['Human rights & poverty'], groups: ['persons-living-in-poverty'] },
  Labour: { themes: ['Right to work and to just & favorable conditions of work & labour rights'] },
  Corruption: { themes: ['Good governance & corruption'] },
  'Freedom of opinion and expression': { themes: ['Freedom of opinion & expression & right to information'], groups: ['media'] },
  'Freedom of the press': { themes: ['Freedom of opinion & expression & right to information'], groups: ['media'] },
  Detention: { themes: ['Conditions of detention', 'Arbitrary arrest & detention'], groups: ['persons-deprived-of-their-liberty-and-detainees'] },
  Justice: { themes: ['Administration of justice & fair trial', 'Right to effective remedy & reparations'] },
  Elections: { themes: ['Right to participate in public affairs & right to vote'] },
  Development: { themes: ['Right to development', 'Inter-State cooperation & development or humanitarian assistance'] },
  'Human rights defenders': { groups: ['human-rights-defenders'] },
};

/** Whether OHCHR's themes (labels) or groups (ids) hold any of the issue's nearest; undefined when it has none. */
export function agrees(issue: string, themes: ReadonlySet<string>, groups: ReadonlySet<string>): boolean | undefined {
  const near = NEAREST[issue];
  if (near === undefined) return undefined;
  const theme = (t: string) => (t.endsWith(':') ? [...themes].some((given) => given.startsWith(t)) : themes.has(t));
  return (near.themes ?? []).some(theme) || (near.groups ?? []).some((g) => groups.has(g));
}
