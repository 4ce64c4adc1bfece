import { cutText } from '../common/cut-text.js';
import type { ImportNote, ImportReport, NameCount } from './types.js';

// The import report as text, for the command line.

const ENCODING_NAMES = { 'utf-8': 'UTF-8', 'windows-1252': 'Windows-1252', macintosh: 'Mac Roman' } as const;
const LIST_LIMIT = 50;

function where(note: ImportNote): string {
  const parts = [note.row !== undefined ? `row ${note.row}` : undefined, note.paragraph ? `paragraph ${note.paragraph}` : undefined];
  const place = parts.filter(Boolean).join(', ');
  return place === '' ? note.message : `${place}: ${note.message}`;
}

function names(list: NameCount[]): string[] {
  return list.map((n) => `  "${n.name}": ${n.count} row${n.count === 1 ? '' : 's'}; ${n.note}`);
}

function capped(lines: string[], what: string): string[] {
  if (lines.length <= LIST_LIMIT) return lines;
  return [...lines.slice(0, LIST_LIMIT), `  … and ${lines.length - LIST_LIMIT} more ${what} (--json lists them all)`];
}

export function formatReport(report: ImportReport, file: string): string {
  const lines: string[] = [];
  lines.push(`${report.dryRun ? 'Dry run of' : 'Imported'} ${file} as ${report.format}`);
  const e = report.encoding;
  if (e) {
    const repaired = Object.entries(e.repaired)
      .map(([change, count]) => `${change} ×${count}`)
      .join(', ');
    lines.push(
      `Encoding: ${ENCODING_NAMES[e.encoding]}, line endings ${e.lineEndings}; ` +
        (e.repairs === 0
          ? 'no characters repaired'
          : `${e.repairs} mis-encoded characters repaired (${e.repairSteps} step${e.repairSteps === 1 ? '' : 's'}: ${repaired})`),
    );
  }
  lines.push(
    `Rows read: ${report.rowsRead}` +
      (report.rowsNotSelected > 0 ? ` (${report.rowsNotSelected} of them outside the selected review, not imported)` : ''),
  );
  const r = report.recommendations;
  lines.push(`Recommendations: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged; ${report.skipped} rows skipped`);
  const m = report.reconciliation;
  if (m.matched + m.ambiguous > 0) {
    lines.push(`Merged with records of other sources: ${m.matched}; ambiguous (kept apart, see below): ${m.ambiguous}`);
  }
  const created = (what: string, ids: string[]) => {
    if (ids.length > 0) lines.push(`${what}: ${ids.length} (${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''})`);
  };
  created('Reviews created', report.reviewsCreated);
  created('Reviews completed (session, report symbol or report year filled in)', report.reviewsUpdated);
  created('Sources created', report.sourcesCreated);
  created('Themes added', report.themesCreated);
  created('Affected-persons groups added', report.affectedPersonsCreated);
  if (report.unmappedLabels.length > 0) {
    lines.push(
      'Labels not in the vocabulary (added as printed, to check):',
      ...capped(report.unmappedLabels.map((l) => `  ${l.kind} "${l.label}": ${l.count} entr${l.count === 1 ? 'y' : 'ies'}`), 'labels'),
    );
  }
  if (report.uhriIdsLearned.length > 0) {
    lines.push(`UHRI codes learned: ${report.uhriIdsLearned.map((c) => `${c.uhriId} → ${c.id}`).join(', ')}`);
  }
  if (report.updated.length > 0) {
    lines.push('Updated:', ...capped(report.updated.map((u) => `  ${u.id}: ${u.fields.join(', ')}`), 'updates'));
  }
  if (report.kept.length > 0) {
    const shown = (value: unknown) => cutText(JSON.stringify(value), 80);
    lines.push(
      "Kept, a curator's (the file's value not written; PATCH the field with it to hand it back):",
      ...capped(report.kept.map((k) => `  ${k.id} ${k.field}: ${shown(k.value)}, the file gives ${shown(k.offered)}`), 'fields'),
    );
  }
  if (report.unresolvedStatesUnderReview.length > 0) {
    lines.push('States under review not resolved (their rows are skipped):', ...names(report.unresolvedStatesUnderReview));
  }
  if (report.unresolvedRecommenders.length > 0) {
    lines.push('Recommending states not resolved (kept as printed):', ...names(report.unresolvedRecommenders));
  }
  if (report.problems.length > 0) {
    lines.push('Not imported:', ...capped(report.problems.map((p) => `  ${where(p)}`), 'rows'));
  }
  if (report.warnings.length > 0) {
    lines.push('Imported, to check:', ...capped(report.warnings.map((w) => `  ${where(w)}`), 'notes'));
  }
  if (report.notInFile.length > 0) {
    lines.push(
      `Stored recommendations of these reviews that the file does not contain (kept): ${report.notInFile.length}`,
      ...capped(report.notInFile.map((id) => `  ${id}`), 'ids'),
    );
  }
  lines.push(report.dryRun ? 'Dry run: nothing was written.' : `Data revision: ${report.revision}`);
  return `${lines.join('\n')}\n`;
}
