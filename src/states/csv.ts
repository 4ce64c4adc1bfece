import type { CsvColumn } from '../http/formats.js';
import type { StateRecord } from './schemas.js';

// The CSV columns of a states export, in order.

type Column = CsvColumn<StateRecord>;

export const stateCsvColumns: readonly Column[] = [
  { name: 'id', description: 'ISO 3166-1 alpha-3 code.', value: (s) => s.id },
  {
    name: 'url',
    description: 'Absolute URL of the record in this API.',
    value: (s, c) => `${c.origin}/v1/states/${encodeURIComponent(s.id)}`,
  },
  { name: 'name', description: 'English short name.', value: (s) => s.name },
  {
    name: 'regionalGroup',
    description: 'UN regional group; empty for a state in none.',
    value: (s) => s.regionalGroup,
  },
  {
    name: 'regionalGroupNote',
    description: 'Why the group is what it is, where that is not plain membership.',
    value: (s) => s.regionalGroupNote,
  },
  { name: 'unMember', description: 'true for UN member states, false for observer states.', value: (s) => s.unMember },
  { name: 'version', description: 'Record version (a number).', value: (s) => s.version },
];
