import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's chromium (`apt-get install -y chromium`); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const ARTIFACTS = resolve(__dirname, '../../../test-artifacts/browser');

export interface Browser {
  /** A fresh, isolated browser profile (its own sessionStorage): one signed-in person. */
  newPage(options?: { width?: number; height?: number; isMobile?: boolean }): Promise<Page>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const contexts: { context: BrowserContext; dir: string }[] = [];
  return {
    async newPage({ width = 1280, height = 800, isMobile = false } = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
      const context = await chromium.launchPersistentContext(dir, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width, height },
        isMobile,
        hasTouch: isMobile,
        acceptDownloads: true,
        timezoneId: 'UTC',
        locale: 'en-GB',
      });
      contexts.push({ context, dir });
      return context.pages()[0] ?? context.newPage();
    },
    async screenshot(page, name) {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      for (const { context, dir } of contexts) {
        await context.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
