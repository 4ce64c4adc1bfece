// The UPR calendar as reference data, used by every importer to fill a review's Working Group session and
// cycle consistently.
//
// SESSIONS: Working Group session → cycle and year (every session through 47), with its dates where we know
// them from OHCHR's session pages; null where we do not (never a guess). Cycles: sessions 1–12 first
// (2008–2011), 13–26 second (2012–2016), 27–40 third (2017–2022), 41– fourth.
//
// REVIEW_SESSIONS: the sessions at which each state was reviewed among sessions 1–17 (all of the first
// cycle, the second cycle up to October 2013), as in the public UPR calendar (cross-checked against UPR
// Info's database of those sessions, which lists the session of every review). Later sessions: unknown here.

export interface UprSession {
  session: number;
  cycle: number;
  year: number;
  start: string | null; // YYYY-MM-DD
  end: string | null;
}

const DATES: Record<number, [string, string]> = {
  1: ['2008-04-07', '2008-04-18'],
  3: ['2008-12-01', '2008-12-15'],
  4: ['2009-02-02', '2009-02-13'],
  5: ['2009-05-04', '2009-05-15'],
  6: ['2009-11-30', '2009-12-11'],
  7: ['2010-02-08', '2010-02-19'],
  8: ['2010-05-03', '2010-05-14'],
  9: ['2010-11-01', '2010-11-12'],
  10: ['2011-01-24', '2011-02-04'],
  11: ['2011-05-02', '2011-05-13'],
  12: ['2011-10-03', '2011-10-14'],
  13: ['2012-05-21', '2012-06-04'],
  14: ['2012-10-22', '2012-11-05'],
  15: ['2013-01-21', '2013-02-01'],
  16: ['2013-04-22', '2013-05-03'],
  17: ['2013-10-21', '2013-11-01'],
  18: ['2014-01-27', '2014-02-07'],
  34: ['2019-11-04', '2019-11-15'],
  35: ['2020-01-20', '2020-01-31'],
};

// Sessions per year: three a year from 2008, two in 2017 and 2020 (the May 2020 session was postponed to
// November by the pandemic), 40 in January 2022 and 41 in November 2022.
const YEARS: [first: number, last: number, year: number][] = [
  [1, 3, 2008], [4, 6, 2009], [7, 9, 2010], [10, 12, 2011], [13, 14, 2012], [15, 17, 2013], [18, 20, 2014],
  [21, 23, 2015], [24, 26, 2016], [27, 28, 2017], [29, 31, 2018], [32, 34, 2019], [35, 36, 2020],
  [37, 39, 2021], [40, 41, 2022], [42, 44, 2023], [45, 47, 2024],
];

export function cycleOfSession(session: number): number {
  if (session <= 12) return 1;
  if (session <= 26) return 2;
  if (session <= 40) return 3;
  return 4;
}

export const SESSIONS: readonly UprSession[] = YEARS.flatMap(([first, last, year]) =>
  Array.from({ length: last - first + 1 }, (_, i) => {
    const session = first + i;
    const dates = DATES[session];
    return { session, cycle: cycleOfSession(session), year, start: dates?.[0] ?? null, end: dates?.[1] ?? null };
  }),
);

const BY_NUMBER = new Map(SESSIONS.map((s) => [s.session, s]));

/** The calendar entry of a Working Group session, or undefined for a number outside it. */
export function uprSession(session: number): UprSession | undefined {
  return BY_NUMBER.get(session);
}

/** The session of a state's review in a cycle, when the calendar here knows it (sessions 1–17). */
export function sessionOfReview(stateCode: string, cycle: number): number | null {
  return REVIEW_SESSIONS[stateCode]?.find((s) => cycleOfSession(s) === cycle) ?? null;
}

export const REVIEW_SESSIONS: Readonly<Record<string, readonly number[]>> = {
  AFG: [5],
  AGO: [7],
  ALB: [6],
  AND: [9],
  ARE: [3, 15],
  ARG: [1, 14],
  ARM: [8],
  ATG: [12],
  AUS: [10],
  AUT: [10],
  AZE: [4, 16],
  BDI: [3, 15],
  BEL: [11],
  BEN: [2, 14],
  BFA: [3, 16],
  BGD: [4, 16],
  BGR: [9],
  BHR: [1, 13],
  BHS: [3, 15],
  BIH: [7],
  BLR: [8],
  BLZ: [5, 17],
  BOL: [7],
  BRA: [1, 13],
  BRB: [3, 15],
  BRN: [6],
  BTN: [6],
  BWA: [3, 15],
  CAF: [5, 17],
  CAN: [4, 16],
  CHE: [2, 14],
  CHL: [5],
  CHN: [4, 17],
  CIV: [6],
  CMR: [4, 16],
  COD: [6],
  COG: [5, 17],
  COL: [3, 16],
  COM: [5],
  CPV: [3, 16],
  CRI: [6],
  CUB: [4, 16],
  CYP: [6],
  CZE: [1, 14],
  DEU: [4, 16],
  DJI: [4, 16],
  DMA: [6],
  DNK: [11],
  DOM: [6],
  DZA: [1, 13],
  ECU: [1, 13],
  EGY: [7],
  ERI: [6],
  ESP: [8],
  EST: [10],
  ETH: [6],
  FIN: [1, 13],
  FJI: [7],
  FRA: [2, 15],
  FSM: [9],
  GAB: [2, 14],
  GBR: [1, 13],
  GEO: [10],
  GHA: [2, 14],
  GIN: [8],
  GMB: [7],
  GNB: [8],
  GNQ: [6],
  GRC: [11],
  GRD: [8],
  GTM: [2, 14],
  GUY: [8],
  HND: [9],
  HRV: [9],
  HTI: [12],
  HUN: [11],
  IDN: [1, 13],
  IND: [1, 13],
  IRL: [12],
  IRN: [7],
  IRQ: [7],
  ISL: [12],
  ISR: [3, 17],
  ITA: [7],
  JAM: [9],
  JOR: [4, 17],
  JPN: [2, 14],
  KAZ: [7],
  KEN: [8],
  KGZ: [8],
  KHM: [6],
  KIR: [8],
  KNA: [10],
  KOR: [2, 14],
  KWT: [8],
  LAO: [8],
  LBN: [9],
  LBR: [9],
  LBY: [9],
  LCA: [10],
  LIE: [3, 15],
  LKA: [2, 14],
  LSO: [8],
  LTU: [12],
  LUX: [3, 15],
  LVA: [11],
  MAR: [1, 13],
  MCO: [5, 17],
  MDA: [12],
  MDG: [7],
  MDV: [9],
  MEX: [4, 17],
  MHL: [9],
  MKD: [5],
  MLI: [2, 15],
  MLT: [5, 17],
  MMR: [10],
  MNE: [3, 15],
  MNG: [9],
  MOZ: [10],
  MRT: [9],
  MUS: [4, 17],
  MWI: [9],
  MYS: [4, 17],
  NAM: [10],
  NER: [10],
  NGA: [4, 17],
  NIC: [7],
  NLD: [1, 13],
  NOR: [6],
  NPL: [10],
  NRU: [10],
  NZL: [5],
  OMN: [10],
  PAK: [2, 14],
  PAN: [9],
  PER: [2, 14],
  PHL: [1, 13],
  PLW: [11],
  PNG: [11],
  POL: [1, 13],
  PRK: [6],
  PRT: [6],
  PRY: [10],
  QAT: [7],
  ROU: [2, 15],
  RUS: [4, 16],
  RWA: [10],
  SAU: [4, 17],
  SDN: [11],
  SEN: [4, 17],
  SGP: [11],
  SLB: [11],
  SLE: [11],
  SLV: [7],
  SMR: [7],
  SOM: [11],
  SRB: [3, 15],
  SSD: [11],
  STP: [10],
  SUR: [11],
  SVK: [5],
  SVN: [7],
  SWE: [8],
  SWZ: [12],
  SYC: [11],
  SYR: [12],
  TCD: [5, 17],
  TGO: [12],
  THA: [12],
  TJK: [12],
  TKM: [3, 16],
  TLS: [12],
  TON: [2, 15],
  TTO: [12],
  TUN: [1, 13],
  TUR: [8],
  TUV: [3, 16],
  TZA: [12],
  UGA: [12],
  UKR: [2, 14],
  URY: [5],
  USA: [9],
  UZB: [3, 16],
  VCT: [11],
  VEN: [12],
  VNM: [5],
  VUT: [5],
  WSM: [11],
  YEM: [5],
  ZAF: [1, 13],
  ZMB: [2, 14],
  ZWE: [12],
};
