import { type Browser, chromium } from "playwright-core";

/**
 * Debian's Chromium, driven by playwright-core (Playwright cannot download browsers here). The flags
 * keep it off the network: without them it tries Google's hosts at every start.
 */
export const CHROMIUM_PATH = process.env.BTPAY_TEST_CHROMIUM ?? "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
