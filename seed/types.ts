import type {
  DatePrecision,
  Direction,
  ImplementationStatus,
  Position,
  RegionalGroup,
  StatementStage,
} from '../src/db/schema.js';

// The shapes of the seed data: plain, sourced facts, written once and applied idempotently.

export interface StateSeed {
  code: string; // ISO 3166-1 alpha-3
  name: string; // English short name as the UN uses it
  regionalGroup: RegionalGroup | null;
  unMember: boolean; // false for the observer states
  regionalGroupNote?: string; // why the group is what it is, where that is not plain membership
  aliases: readonly string[]; // other spellings found in UN documents and data sets
}

export interface LabelSeed {
  label: string;
  uhri: boolean; // false: our own label in the UHRI style, not yet confirmed
}

export interface SourceSeed {
  id: string;
  // The title as the document or page prints it (titleAsPublished: true), else a description of ours in square
  // brackets, as a citation marks a title it supplies: never our words passed off as the document's.
  title: string;
  titleAsPublished: boolean;
  publisher: string;
  url: string;
  publishedOn: string | null;
  publishedOnPrecision: DatePrecision | null; // the date written to it: "2020", "2020-09" or "2020-09-28"
}

export interface ReviewSeed {
  id: string;
  stateCode: string;
  cycle: number;
  wgSession: number | null;
  dialogueDate: string | null;
  reportSymbol: string | null;
  adoptionSession: number | null;
  adoptionDate: string | null; // "2020-09" with precision "month"
  adoptionDatePrecision: DatePrecision | null;
  recommendationsComplete: boolean; // whether we hold the report's every recommendation
  recommendationsNote: string | null;
  sourceIds: readonly string[];
}

export interface RecommendationSeed {
  id: string;
  reviewId: string;
  paragraph: string | null;
  text: string;
  verbatim: boolean;
  recommendingStates: readonly string[];
  position: Position | null;
  positionSource: string | null;
  sourceId: string;
  themes: readonly string[]; // labels
  sdgs: readonly number[];
  affectedPersons: readonly string[]; // labels
}

export interface DevelopmentSeed {
  id: string;
  stateCode: string;
  reviewId: string | null;
  title: string;
  summary: string;
  date: string; // "2020", "2020-06" or "2020-07-25", matching the precision
  datePrecision: DatePrecision;
  direction: Direction;
  themes: readonly string[];
  recommendationIds: readonly string[];
  sourceIds: readonly string[];
}

export interface AssessmentSeed {
  id: string;
  recommendationId: string;
  status: ImplementationStatus;
  assessedOn: string; // YYYY-MM-DD
  rationale: string;
  sourceId: string;
}

export interface StatementSeed {
  id: string;
  reviewId: string;
  speakerStateCode: string | null;
  speakerOrganization: string | null;
  stage: StatementStage;
  date: string;
  datePrecision: DatePrecision;
  summary: string;
  themes: readonly string[];
  sourceId: string;
}
