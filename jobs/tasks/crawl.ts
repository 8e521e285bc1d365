import { appendFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HttpResult } from 'jobrun';

const PAGES_FILE = fileURLToPath(new URL('../results/crawl-pages.txt', import.meta.url));

/**
 * Runs in jobrun's main process, one call at a time, so appending needs no lock. What it
 * returns becomes the item's recorded result.
 */
export function recordPage(page: HttpResult): { url: string; size: number } {
  mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
  appendFileSync(PAGES_FILE, `url: ${page.url} size: ${page.size}\n`);
  return { url: page.url, size: page.size };
}
