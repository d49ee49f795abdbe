// bench/chromium-page.mjs -- for bench/browser-read.mjs and bench/browser-wasm.mjs: headless
// Chromium (Debian's, no download) with a bench page open and a file chosen in its file input.
import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';

/**
 * Launches Chromium, opens `url` and sets `file` (a path) on the page's `#f` input; resolves to
 * `{browser, page}` (close the browser when done).
 */
export async function pageWithFile(url, file) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
  });
  const page = await browser.newPage();
  await page.goto(url);
  await page.setInputFiles('#f', file);
  return { browser, page };
}
