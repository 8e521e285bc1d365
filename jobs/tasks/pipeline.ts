import { setTimeout as sleep } from 'node:timers/promises';

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

export interface TextRecord {
  id: number;
  text: string;
}

/** Produces one record, a little slowly. */
export async function makeRecord(id: number): Promise<TextRecord> {
  await sleep(5);
  const words = Array.from({ length: 3 + (id % 5) }, (_, i) => WORDS[(id + i) % WORDS.length]);
  return { id, text: words.join(' ') };
}

export function countWords(record: TextRecord): number {
  return record.text.split(/\s+/).filter(Boolean).length;
}
