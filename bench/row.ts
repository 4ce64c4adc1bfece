// A row of the benchmark's table (bench/run.ts prints them): what each part of the bench returns.
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
  detail?: string;
}
