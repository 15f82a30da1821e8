import type { Page } from 'playwright-core';
import { startTestVigil, TestVigil, type TestVigilOptions } from '../../support/start-test-vigil';
import { Browser, launchChromium } from './chromium';
import { ensureConsoleBuilt } from './console-build';
import { consoleOrigin } from './console-server';

/** The app, the console served next to it, and chromium: what a browser spec starts before its tests. */
export interface ConsoleWorld {
  readonly vigil: TestVigil;
  readonly origin: { url: string; close(): Promise<void> };
  readonly browser: Browser;
  /** A new page signed in with `token`, on the console's start screen. */
  signedIn(token: string): Promise<Page>;
  stop(): Promise<void>;
}

export async function startConsoleWorld(env: Record<string, string>, options?: TestVigilOptions): Promise<ConsoleWorld> {
  ensureConsoleBuilt();
  const vigil = await startTestVigil(env, options);
  const origin = await consoleOrigin(vigil.base);
  const browser = await launchChromium();
  return {
    vigil,
    origin,
    browser,
    async signedIn(token) {
      const page = await browser.newPage();
      await page.goto(origin.url);
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('header .user').waitFor();
      return page;
    },
    async stop() {
      await browser.close();
      await origin.close();
      await vigil.stop();
    },
  };
}
