// UPR Info's coding of recommendations (its database guide and methodology PDFs, in
// ../shared/data/upr-info-2008-2013/): the 1–5 action categories and the fixed vocabulary of 54 issues.

/** What a recommendation asks, on UPR Info's 1–5 scale (the value of `actionCategory`). */
export const ACTION_CATEGORIES: Readonly<Record<number, string>> = {
  1: 'addressed to other states, or asking them for financial or technical assistance',
  2: 'to continue an action already taken',
  3: 'to consider a change',
  4: 'a general action',
  5: 'a specific action',
};

/** UPR Info's issues: labels of the `upr-info` theme scheme, never merged into OHCHR's UHRI themes. */
export const UPR_INFO_ISSUES: readonly string[] = [
  'Asylum-seekers - refugees', 'CP rights - general', 'Civil society', 'Corruption', 'Counter-terrorism',
  'Death penalty', 'Detention', 'Development', 'Disabilities', 'ESC rights - general', 'Elections',
  'Enforced disappearances', 'Environment', 'Extrajudicial executions', 'Freedom of association and peaceful assembly',
  'Freedom of movement', 'Freedom of opinion and expression', 'Freedom of religion and belief', 'Freedom of the press',
  'General', 'HIV - Aids', 'Human rights defenders', 'Human rights education and training',
  'Human rights violations by state agents', 'Impunity', 'Indigenous peoples', 'Internally displaced persons',
  'International humanitarian law', 'International instruments', 'Justice', 'Labour', 'Migrants', 'Minorities', 'NHRI',
  'National plan of action', 'Other', 'Poverty', 'Public security', 'Racial discrimination', 'Right to education',
  'Right to food', 'Right to health', 'Right to housing', 'Right to land', 'Right to water', 'Rights of the Child',
  'Sexual Orientation and Gender Identity', 'Special procedures', 'Technical assistance and cooperation',
  'Torture and other CID treatment', 'Trafficking', 'Treaty bodies', 'UPR process', "Women's rights",
];
