// Debian's chromium driven by playwright-core (Playwright's own browser download is not reachable here): one browser
// per test file, one context (cookie jar) per user, screenshots into test-output/screenshots/ (CI keeps the folder),
// and axe-core injected into the page for the accessibility check.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url));
export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Chromium headless. Each launch runs on a new temporary profile (user-data-dir) that Playwright creates and deletes;
 * `--no-sandbox` because the tests run as root.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface UserPage {
  context: BrowserContext;
  page: Page;
  /** The console's own answers, read with this user's session cookie (same cookie jar as the page). */
  apiGet<T = unknown>(path: string): Promise<{ status: number; body: T }>;
}

/** A fresh context (no cookies) for one user, showing the console of `baseUrl` at `viewport`. */
export async function openContext(browser: Browser, baseUrl: string, viewport = DESKTOP): Promise<UserPage> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    // The console then drops its transitions: screenshots show pages at rest, not half-way through an animation.
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  // A browser error is a test failure: collect them and let the tests assert on none.
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  if (process.env.CONSOLE_DEBUG) page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
  (page as Page & { errors?: string[] }).errors = errors;
  return {
    context,
    page,
    async apiGet<T>(path: string) {
      const res = await context.request.get(path);
      const text = await res.text();
      return { status: res.status(), body: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}

export const pageErrors = (page: Page): string[] => (page as Page & { errors?: string[] }).errors ?? [];

/** Signs in through the login page and waits for the landing page of the user's scope. */
export async function logIn(page: Page, name: string, password: string): Promise<void> {
  await page.goto('/console/');
  await page.getByLabel('用户名').fill(name);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.waitForSelector('[data-page]');
}

/** The whole page, or only the screen (`fullPage: false`) where a dialog covers it. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

const axeSource = (): string => (createRequire(import.meta.url)('axe-core') as { source: string }).source;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2 A/AA rules and best practices). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the console's Content-Security-Policy (no inline scripts) allows.
  await page.evaluate(axeSource());
  // Evaluated in the page, as text: this file is compiled without the DOM's types.
  const violations = await page.evaluate<
    Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }>
  >("axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)");
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
}
