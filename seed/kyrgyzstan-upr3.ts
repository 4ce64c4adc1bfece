import type {
  AssessmentSeed,
  DevelopmentSeed,
  RecommendationSeed,
  ReviewSeed,
  SourceSeed,
  StatementSeed,
} from './types.js';

// Kyrgyzstan, third UPR cycle. Every fact here comes from a source in SOURCES (see
// shared/sources/kyrgyzstan-upr3-facts.md); texts are our own paraphrases, never official wording.
// What no source states (paragraph numbers, some positions, exact dates) is left null or given at a
// coarser date precision.

const HRW = 'hrw-2020-09-28-kgz-upr-adoption';
const UPR_INFO = 'upr-info-wg35-conclusion';
const UN_GENEVA = 'ungeneva-2020-09-hrc45-upr-outcomes-kgz-gin-lao';
const UK = 'gbr-hrc45-kgz-upr-adoption-statement';
const US = 'usa-2020-01-22-kgz-upr-statement';
const KG24 = '24kg-2020-ohchr-askarov-investigation';

const HRW_URL = 'https://www.hrw.org/news/2020/09/28/adoption-outcome-universal-periodic-review-kyrgyzstan';
const UK_URL =
  'https://www.politicmag.net/politics-news/un-human-rights-council-45-statement-for-the-universal-periodic-review-adoption-kyrgyzstan-12921-2020/';

export const SOURCES: readonly SourceSeed[] = [
  {
    id: HRW,
    // Descriptive title: the facts file gives none.
    title: "[Human Rights Watch statement at the adoption of the outcome of Kyrgyzstan's Universal Periodic Review (HRC 45)]",
    titleAsPublished: false,
    publisher: 'Human Rights Watch',
    url: HRW_URL,
    publishedOn: '2020-09-28',
    publishedOnPrecision: 'day',
  },
  {
    id: UPR_INFO,
    title: 'Conclusion of the 35th Session of the UPR',
    titleAsPublished: true,
    publisher: 'UPR Info',
    url: 'https://upr-info.org/en/news/conclusion-35th-session-upr',
    publishedOn: null,
    publishedOnPrecision: null,
  },
  {
    id: UN_GENEVA,
    title:
      "Human Rights Council adopts Universal Periodic Review outcomes of Kyrgyzstan, Guinea and Lao People's Democratic Republic",
    titleAsPublished: true,
    publisher: 'United Nations Office at Geneva',
    url: 'https://www.ungeneva.org/en/news-media/meeting-summary/2020/09/human-rights-council-adopts-universal-periodic-review-outcomes',
    publishedOn: null,
    publishedOnPrecision: null,
  },
  {
    id: UK,
    // The page's own title (it was a description of ours before). The page is on politicmag.net, its publisher.
    title: 'UN Human Rights Council 45: Statement for the Universal Periodic Review Adoption – Kyrgyzstan',
    titleAsPublished: true,
    publisher: 'politicmag.net',
    url: UK_URL,
    publishedOn: null,
    publishedOnPrecision: null,
  },
  {
    id: US,
    title: 'U.S. Statement at the Universal Periodic Review of Kyrgyzstan',
    titleAsPublished: true,
    publisher: 'U.S. Mission to the United Nations in Geneva',
    url: 'https://geneva.usmission.gov/2020/01/22/u-s-statement-at-the-universal-periodic-review-of-kyrgyzstan/',
    publishedOn: '2020-01-22',
    publishedOnPrecision: 'day',
  },
  {
    id: KG24,
    // Descriptive title: the facts file gives none.
    title: "[24.kg report: UN High Commissioner's spokesperson calls for an investigation into Azimjon Askarov's death]",
    titleAsPublished: false,
    publisher: '24.kg',
    url: 'https://24.kg/english/161122_UN_concerned_about_state_of_prisoners_in_Kyrgyzstan____/',
    publishedOn: null,
    publishedOnPrecision: null,
  },
];

/** What KGZ-3 holds: a selection, not the report's list. */
export const REVIEW_NOTE =
  "A selection of the report's recommendations, those its follow-up sources discuss; the report's full list " +
  'is not yet imported, and no source we hold gives its total.';

export const REVIEWS: readonly ReviewSeed[] = [
  {
    id: 'KGZ-3',
    stateCode: 'KGZ',
    cycle: 3,
    wgSession: 35,
    dialogueDate: '2020-01-20',
    reportSymbol: 'A/HRC/44/9',
    adoptionSession: 45,
    // The sources give the month of adoption only.
    adoptionDate: '2020-09',
    adoptionDatePrecision: 'month',
    recommendationsComplete: false,
    recommendationsNote: REVIEW_NOTE,
    sourceIds: [UPR_INFO, UN_GENEVA],
  },
];

export const RECOMMENDATIONS: readonly RecommendationSeed[] = [
  {
    id: 'KGZ-3-FIN-1',
    reviewId: 'KGZ-3',
    paragraph: null,
    text: 'Release the human rights defender Azimjon Askarov.',
    verbatim: false,
    recommendingStates: ['FIN'],
    // No source we hold states Kyrgyzstan's position; HRW says only that the government took no action.
    position: null,
    positionSource: null,
    sourceId: HRW,
    themes: ['Arbitrary arrest & detention', 'Human rights defenders'],
    sdgs: [16],
    affectedPersons: ['Human rights defenders', 'Persons deprived of their liberty & detainees'],
  },
  {
    id: 'KGZ-3-ESP-1',
    reviewId: 'KGZ-3',
    paragraph: null,
    text: 'Ensure the primacy of international human rights law over domestic law.',
    verbatim: false,
    recommendingStates: ['ESP'],
    position: 'noted',
    positionSource: HRW_URL,
    sourceId: HRW,
    themes: ['Constitutional & legislative framework', 'Scope of international obligations'],
    sdgs: [],
    affectedPersons: [],
  },
  {
    id: 'KGZ-3-GBR-1',
    reviewId: 'KGZ-3',
    paragraph: null,
    text: 'Ratify the 2014 Protocol to the ILO Forced Labour Convention, 1930 (No. 29).',
    verbatim: false,
    recommendingStates: ['GBR'],
    position: 'supported',
    positionSource: UK_URL,
    sourceId: UK,
    themes: ['Acceptance of international norms', 'Prohibition of slavery, trafficking'],
    sdgs: [8],
    affectedPersons: [],
  },
  {
    id: 'KGZ-3-GBR-2',
    reviewId: 'KGZ-3',
    paragraph: null,
    text:
      'Take all necessary steps to implement the Convention on the Rights of Persons with Disabilities, ' +
      'including access to work and education and accessible public buildings.',
    verbatim: false,
    recommendingStates: ['GBR'],
    position: 'supported',
    positionSource: UK_URL,
    sourceId: UK,
    themes: [
      'Persons with disabilities: accessibility, mobility',
      'Persons with disabilities: independence, inclusion',
      'Right to education',
      'Right to work and to just & favorable conditions of work & labour rights',
    ],
    sdgs: [4, 8, 10],
    affectedPersons: ['persons with disabilities'],
  },
  {
    id: 'KGZ-3-GBR-3',
    reviewId: 'KGZ-3',
    paragraph: null,
    text:
      'Ensure that no legislation is adopted, including the so-called "foreign agents" law, ' +
      'that would limit the ability of NGOs to operate freely.',
    verbatim: false,
    recommendingStates: ['GBR'],
    position: 'supported',
    positionSource: UK_URL,
    sourceId: UK,
    themes: ['Freedom of association', 'Constitutional & legislative framework'],
    sdgs: [16],
    affectedPersons: ['Civil society'],
  },
  {
    id: 'KGZ-3-USA-1',
    reviewId: 'KGZ-3',
    paragraph: null,
    text:
      'Credibly address allegations of arbitrary detention and torture, hold perpetrators accountable ' +
      'under the Convention against Torture, and bar the use of evidence obtained through torture.',
    verbatim: false,
    recommendingStates: ['USA'],
    // Position not recorded in any source we hold.
    position: null,
    positionSource: null,
    sourceId: US,
    themes: [
      'Arbitrary arrest & detention',
      'Prohibition of torture & cruel, inhuman or degrading treatment',
      'Impunity & transparency',
      'Administration of justice & fair trial',
    ],
    sdgs: [16],
    affectedPersons: ['Persons deprived of their liberty & detainees'],
  },
  {
    id: 'KGZ-3-USA-2',
    reviewId: 'KGZ-3',
    paragraph: null,
    text:
      'Uphold the Convention on the Elimination of Racial Discrimination, especially for minorities, ' +
      'with regard to their livelihoods, policing practice and the registration of all religious ' +
      'organizations that apply.',
    verbatim: false,
    recommendingStates: ['USA'],
    position: null,
    positionSource: null,
    sourceId: US,
    themes: ['Racial discrimination', 'Freedom of thought, conscience & religion'],
    sdgs: [10],
    affectedPersons: ['minorities/ racial, ethnic, linguistic, religious or descent-based groups'],
  },
  {
    id: 'KGZ-3-USA-3',
    reviewId: 'KGZ-3',
    paragraph: null,
    text:
      'Strengthen democratic institutions, including freedom of expression and of the media online and ' +
      'offline, accountability for corruption at all levels, and the role of civil society in good governance.',
    verbatim: false,
    recommendingStates: ['USA'],
    position: null,
    positionSource: null,
    sourceId: US,
    themes: [
      'Freedom of opinion & expression & right to information',
      'Good governance & corruption',
      'Cooperation and meaningful consultation with civil society & participation',
    ],
    sdgs: [16],
    affectedPersons: ['media', 'Civil society'],
  },
];

export const DEVELOPMENTS: readonly DevelopmentSeed[] = [
  {
    id: 'kgz-2016-hrc-askarov-decision',
    stateCode: 'KGZ',
    // Dated before the review's interactive dialogue (2020-01-20): context of Finland's recommendation, not a
    // follow-up of the review.
    reviewId: null,
    title: 'UN Human Rights Committee finds Askarov arbitrarily detained and tortured',
    summary:
      'The UN Human Rights Committee issued a decision finding that the human rights defender Azimjon ' +
      'Askarov had been arbitrarily detained and tortured, and called for his release. According to Human ' +
      'Rights Watch, the government has ignored the decision since.',
    date: '2016',
    datePrecision: 'year',
    direction: 'neutral',
    themes: [
      'Arbitrary arrest & detention',
      'Prohibition of torture & cruel, inhuman or degrading treatment',
      'Cooperation & Follow up with Treaty Bodies',
      'Human rights defenders',
    ],
    recommendationIds: ['KGZ-3-FIN-1'],
    sourceIds: [HRW],
  },
  {
    id: 'kgz-2020-03-08-womens-day-protesters-detained',
    stateCode: 'KGZ',
    reviewId: 'KGZ-3',
    title: "Peaceful protesters detained on International Women's Day",
    summary: "Authorities detained dozens of peaceful protesters on International Women's Day.",
    date: '2020-03-08',
    datePrecision: 'day',
    direction: 'setback',
    themes: ['Freedom of peaceful assembly', 'Advancement of women'],
    recommendationIds: ['KGZ-3-USA-3'],
    sourceIds: [HRW],
  },
  {
    id: 'kgz-2020-anti-ngo-bill',
    stateCode: 'KGZ',
    reviewId: 'KGZ-3',
    title: 'Parliament advances an anti-NGO bill',
    summary:
      'Parliament advanced a bill that would impose unjustified and unnecessary financial reporting ' +
      'requirements on civil society groups, which Human Rights Watch says will only hamper their work.',
    date: '2020',
    datePrecision: 'year',
    direction: 'setback',
    themes: ['Freedom of association'],
    recommendationIds: ['KGZ-3-GBR-3', 'KGZ-3-USA-3'],
    sourceIds: [HRW],
  },
  {
    id: 'kgz-2020-ruziev-criminal-case',
    stateCode: 'KGZ',
    reviewId: 'KGZ-3',
    title: 'Criminal case against human rights defender Kamil Ruziev',
    summary:
      'Authorities brought a criminal case against the human rights defender Kamil Ruziev, which Human ' +
      'Rights Watch calls dubious.',
    date: '2020',
    datePrecision: 'year',
    direction: 'setback',
    themes: ['Human rights defenders'],
    recommendationIds: ['KGZ-3-USA-3'],
    sourceIds: [HRW],
  },
  {
    id: 'kgz-2020-manipulating-information-law',
    stateCode: 'KGZ',
    reviewId: 'KGZ-3',
    title: 'Parliament adopts a draft law on "manipulating information"',
    summary:
      'Parliament adopted a draft law on manipulating information that would let the authorities, without ' +
      'judicial oversight, order internet platforms to remove information officials consider "false" or ' +
      '"inaccurate".',
    date: '2020',
    datePrecision: 'year',
    direction: 'setback',
    themes: ['Freedom of opinion & expression & right to information'],
    recommendationIds: ['KGZ-3-USA-3'],
    sourceIds: [HRW],
  },
  {
    id: 'kgz-2020-06-courts-reconsideration-amendments',
    stateCode: 'KGZ',
    reviewId: 'KGZ-3',
    title: "Parliament votes to end courts' duty to reconsider cases after international findings",
    summary:
      'Parliament adopted amendments removing the provision that obliges courts to reconsider criminal cases ' +
      'in which an international human rights body has found a violation. The president sent the bill back ' +
      'for further amendment; when Human Rights Watch reported it, it was pending in parliament.',
    date: '2020-06',
    datePrecision: 'month',
    direction: 'setback',
    themes: [
      'Constitutional & legislative framework',
      'Scope of international obligations',
      'Right to effective remedy & reparations',
    ],
    recommendationIds: ['KGZ-3-ESP-1'],
    sourceIds: [HRW],
  },
  {
    id: 'kgz-2020-07-25-askarov-dies-in-custody',
    stateCode: 'KGZ',
    reviewId: 'KGZ-3',
    title: 'Azimjon Askarov dies in custody',
    summary:
      'The human rights defender Azimjon Askarov died in custody after the authorities denied him adequate ' +
      'medical care.',
    date: '2020-07-25',
    datePrecision: 'day',
    direction: 'setback',
    themes: ['Conditions of detention', 'Right to health', 'Human rights defenders'],
    recommendationIds: ['KGZ-3-FIN-1'],
    sourceIds: [HRW],
  },
  {
    id: 'kgz-2020-07-29-ohchr-calls-for-askarov-investigation',
    stateCode: 'KGZ',
    reviewId: 'KGZ-3',
    title: "UN High Commissioner's spokesperson calls for an investigation into Askarov's death",
    summary:
      "The spokesperson of the UN High Commissioner for Human Rights called for a prompt, impartial and " +
      "effective investigation into Azimjon Askarov's death in custody.",
    date: '2020-07-29',
    datePrecision: 'day',
    direction: 'neutral',
    themes: ['Impunity & transparency', 'Conditions of detention', 'Human rights defenders'],
    recommendationIds: ['KGZ-3-FIN-1'],
    sourceIds: [KG24],
  },
  {
    id: 'kgz-2020-09-domestic-violence-impunity',
    stateCode: 'KGZ',
    reviewId: 'KGZ-3',
    title: 'Impunity for domestic violence remains the norm',
    summary:
      'Although Kyrgyzstan supported recommendations in this cycle on combating violence against women and ' +
      'domestic violence, impunity for domestic violence is still the norm, according to Human Rights Watch.',
    date: '2020-09',
    datePrecision: 'month',
    direction: 'setback',
    themes: ['Domestic violence', 'Violence against women', 'Impunity & transparency'],
    recommendationIds: [],
    sourceIds: [HRW],
  },
];

export const ASSESSMENTS: readonly AssessmentSeed[] = [
  {
    id: 'KGZ-3-FIN-1-2020-09-28',
    recommendationId: 'KGZ-3-FIN-1',
    status: 'not_implemented',
    assessedOn: '2020-09-28',
    rationale:
      'The government took no action to release Askarov; he died in custody on 25 July 2020 after being ' +
      'denied adequate medical care.',
    sourceId: HRW,
  },
  {
    id: 'KGZ-3-ESP-1-2020-09-28',
    recommendationId: 'KGZ-3-ESP-1',
    status: 'not_implemented',
    assessedOn: '2020-09-28',
    rationale:
      "Parliament moved the other way: in June 2020 it adopted amendments removing courts' duty to reconsider " +
      'criminal cases after an international human rights body finds a violation.',
    sourceId: HRW,
  },
];

export const STATEMENTS: readonly StatementSeed[] = [
  {
    id: 'KGZ-3-IRL-interactive-dialogue',
    reviewId: 'KGZ-3',
    speakerStateCode: 'IRL',
    speakerOrganization: null,
    stage: 'interactive_dialogue',
    // The source says January 2020 only.
    date: '2020-01',
    datePrecision: 'month',
    summary:
      'Called for the release of the human rights defender Azimjon Askarov (a statement, as Human Rights ' +
      'Watch reports it, not a formal recommendation).',
    themes: ['Arbitrary arrest & detention', 'Human rights defenders'],
    sourceId: HRW,
  },
  {
    id: 'KGZ-3-USA-interactive-dialogue',
    reviewId: 'KGZ-3',
    speakerStateCode: 'USA',
    speakerOrganization: null,
    stage: 'interactive_dialogue',
    // 2020-01-22 is when the statement was published, not when it was made.
    date: '2020-01',
    datePrecision: 'month',
    summary:
      "Urged Azimjon Askarov's release on humanitarian grounds, and noted that a 2019 amendment to the law " +
      'on extremism better protected freedom of religion or belief.',
    themes: ['Human rights defenders', 'Freedom of thought, conscience & religion'],
    sourceId: US,
  },
  {
    id: 'KGZ-3-GBR-adoption',
    reviewId: 'KGZ-3',
    speakerStateCode: 'GBR',
    speakerOrganization: null,
    stage: 'adoption',
    date: '2020-09',
    datePrecision: 'month',
    summary:
      "Said it was deeply saddened by Azimjon Askarov's death in prison; urged the protection of journalists " +
      'ahead of the October 2020 parliamentary elections, and steps against domestic and gender-based violence.',
    themes: [
      'Human rights defenders',
      'Freedom of opinion & expression & right to information',
      'Domestic violence',
      'Sexual & other forms of gender-based violence',
    ],
    sourceId: UK,
  },
  {
    id: 'KGZ-3-HRW-adoption',
    reviewId: 'KGZ-3',
    speakerStateCode: null,
    speakerOrganization: 'Human Rights Watch',
    stage: 'adoption',
    // Published 2020-09-28; the day it was delivered is not stated.
    date: '2020-09',
    datePrecision: 'month',
    summary:
      'Deplored that the government took no action on the calls to release Azimjon Askarov, who died in ' +
      'custody, and reviewed setbacks since the review. Called for a credible, independent investigation into ' +
      "Askarov's imprisonment and death, a remedy for his family including compensation, and his legal " +
      'rehabilitation; enforcement of protective measures for women and girls and accountability for ' +
      'perpetrators of domestic violence; that journalists and activists be free to work without undue ' +
      'interference or retaliation; and the withdrawal of the bill on reconsidering court cases.',
    themes: [
      'Human rights defenders',
      'Right to effective remedy & reparations',
      'Impunity & transparency',
      'Domestic violence',
      'Violence against women',
      'Freedom of opinion & expression & right to information',
      'Freedom of association',
      'Constitutional & legislative framework',
    ],
    sourceId: HRW,
  },
];
