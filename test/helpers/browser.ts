// Headless Chromium for the tests that check what a person sees: Debian's `chromium`, driven by
// playwright-core. Without it the browser tests skip with a message, except in CI, where it must
// be installed (.ci/run installs it) and its absence fails the run instead of hiding the tests.
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, launchChromium } from "../../scripts/chromium.mjs";

export { CHROMIUM, CHROMIUM_ARGS };

/** Whether the browser tests run; the reason is printed once when they do not. */
export const hasBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);

if (!hasBrowser) {
  process.stderr.write(
    `browser tests skipped: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)\n`,
  );
}

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing, and CI needs it: apt-get install -y chromium`);
  }
  return launchChromium();
}
