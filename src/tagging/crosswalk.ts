import { uprInfoThemeId } from './labels.js';

// UPR Info issues that mean the same as one UHRI theme (label as OHCHR prints it): a recommendation with the
// issue gets the theme too, as a machine label. Only one-to-one meanings: "Trafficking" is not UHRI's
// "Prohibition of slavery, trafficking", "Women's rights" is several UHRI themes, so neither is here; nor is
// "Torture and other CID treatment": UPR Info codes corporal punishment, female genital mutilation and harmful
// practices as Torture (its issues' explanation), a quarter of its Torture texts, which OHCHR files under
// children's and women's themes (session 43: docs/tagging-experiments.md). The UHRI theme is given only when the
// database has it (scheme uhri).
export const UPR_INFO_TO_UHRI: ReadonlyMap<string, string> = new Map(
  [
    ['Death penalty', 'Death penalty'],
    ['Enforced disappearances', 'Enforced disappearances'],
    ['NHRI', 'National Human Rights Institution (NHRI)'],
    ['Racial discrimination', 'Racial discrimination'],
    ['Right to education', 'Right to education'],
    ['Right to health', 'Right to health'],
    ['Right to housing', 'Right to adequate housing'],
  ].map(([issue, uhri]) => [uprInfoThemeId(issue!), uhri!]),
);
