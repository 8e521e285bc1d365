import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../helpers/processes.ts';

/** Debian's Chromium (`apt-get install chromium`); tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or `null` when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH)
    ? null
    : `${CHROMIUM_PATH} is absent (install it with: apt-get install -y chromium)`;
}

/** Whether this is CI, where a missing browser fails the test instead of skipping it. */
export function isCi(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * Opens `url` in headless Chromium, lets its scripts run and resolves with the DOM as serialized
 * after the load event (`--dump-dom`). The browser gets a fresh profile and no network services.
 */
export async function dumpDom(url: string, windowSize = '1280,2000'): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'jobrun-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    `--window-size=${windowSize}`,
    '--dump-dom',
    url,
  ];
  try {
    const run = await runProcess(CHROMIUM_PATH, args, { timeoutMs: 90_000 });
    if (run.code !== 0) {
      throw new Error(`chromium exited ${run.code ?? run.signal}: ${run.stderr.slice(-2000)}`);
    }
    return run.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
