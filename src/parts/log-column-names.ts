// Names of the dynamic columns of log rows (docs/logs.md), shared by the row
// writer and the token index, which hashes each word with its column.

import type { ValueType } from '../model/span-batch.js';
import { escapeAttributeKey, typedColumnName } from './schema.js';

export const logAttributeColumnName = (key: string, type: ValueType): string => typedColumnName(`log.${escapeAttributeKey(key)}`, type);
/** Body field paths are escaped already (log-body-fields.ts). */
export const bodyFieldColumnName = (path: string, type: ValueType): string => typedColumnName(`body.${path}`, type);
/** The body's own column: `body` for a string, `body::<type>` otherwise. */
export const bodyColumnName = (_key: string, type: ValueType): string => typedColumnName('body', type);

