import { parse } from 'csv-parse/sync';
import t from 'tap';
import { buildTestApp } from './helpers.js';
import { importInto, macRoman } from './import-helpers.js';

// actionCategory (UPR Info's Action) is a column of the recommendations CSV export, and our own export
// imported back keeps it.

const upr = [
  'To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session',
  'Kyrgyzstan,Asia,OIC,Hold open and transparent elections,Tajikistan,Asia,OIC,Accepted,4,Elections,8',
  'Kyrgyzstan,Asia,OIC,Consider abolishing the death penalty,Spain,WEOG,EU,Noted,3,Death penalty,8',
  'Kyrgyzstan,Asia,OIC,Ratify the Optional Protocol to CAT,France,WEOG,EU,Accepted,,Torture and other CID treatment,8',
].join('\r');

const exportUrl = '/v1/recommendations?reviewId=KGZ-1&format=csv&sort=id';
const rowsOf = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[];

t.test('actionCategory in the CSV export, and back through an import of it', async (t) => {
  const app = await buildTestApp(t);
  await importInto(app, macRoman(upr + '\r'));
  const csv = (await app.inject({ method: 'GET', url: exportUrl })).body;
  const rows = rowsOf(csv);
  t.same(rows.map((r) => [r.text, r.actionCategory]).sort(), [
    ['Consider abolishing the death penalty', '3'],
    ['Hold open and transparent elections', '4'],
    ['Ratify the Optional Protocol to CAT', ''],
  ]);
  const json = (await app.inject({ method: 'GET', url: '/v1/recommendations?reviewId=KGZ-1&sort=id' })).json().data;
  t.same(rows.map((r) => r.actionCategory), json.map((r: { actionCategory: number | null }) => r.actionCategory?.toString() ?? ''));

  const copy = await buildTestApp(t);
  await importInto(copy, csv, { format: 'upr-tracker-csv' });
  t.same(rowsOf((await copy.inject({ method: 'GET', url: exportUrl })).body).map((r) => r.actionCategory), rows.map((r) => r.actionCategory));

  // A curator's edited sheet: one category changed, one cleared, one not on the scale (left as stored).
  const cells = rows.map((r) => ({ ...r }));
  const byText = (text: string) => cells.find((r) => r.text!.startsWith(text))!;
  byText('Hold open').actionCategory = '5';
  byText('Consider abolishing').actionCategory = '';
  byText('Ratify').actionCategory = '9';
  const quote = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
  const header = Object.keys(cells[0]!);
  const edited = [header, ...cells.map((r) => header.map((h) => r[h]!))].map((r) => r.map(quote).join(',')).join('\r\n');
  const report = await importInto(copy, edited, { format: 'upr-tracker-csv' });
  t.match(JSON.stringify(report.warnings), /actionCategory \\"9\\" is not 1–5: left as stored/);
  const after = rowsOf((await copy.inject({ method: 'GET', url: exportUrl })).body);
  t.same(after.map((r) => [r.text, r.actionCategory]).sort(), [
    ['Consider abolishing the death penalty', ''],
    ['Hold open and transparent elections', '5'],
    ['Ratify the Optional Protocol to CAT', ''],
  ]);
});
