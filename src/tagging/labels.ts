import { fileURLToPath } from 'node:url';
import { slugify } from '../common/slug.js';
import { UPR_INFO_ISSUES } from '../reference/upr-info.js';

// The labels the tagger gives: UPR Info's 54 issues, as theme ids of the `upr-info` scheme (the ids the
// UPR Info importer stores), and where the shipped model lives.

export const uprInfoThemeId = (issue: string) => `upr-info-${slugify(issue)}`;

export const UPR_INFO_THEMES: readonly { id: string; label: string }[] = UPR_INFO_ISSUES.map((label) => ({
  id: uprInfoThemeId(label),
  label,
}));

/** The shipped model (`npm run train` writes it); resolved like the migrations folder, from src/ or dist/src/. */
export const MODEL_PATH = fileURLToPath(new URL('../../models/upr-info-tagger.json.gz', import.meta.url));
