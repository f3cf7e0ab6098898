// The site in a real browser: Debian's Chromium driven by playwright-core (no browser download),
// against the built site on a loopback server. Screenshots land in test-output/screenshots.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputDir } from './compile.js';
import { buildSite, serveSite } from './site.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = join(outputDir, 'screenshots');
// Without Chromium (a non-root machine that skipped the set-up's install) the test says so and
// skips; in CI it must run.
const haveChromium = existsSync(CHROMIUM) || process.env.CI === 'true';

let site: Awaited<ReturnType<typeof serveSite>> | undefined;
let browser: Browser | undefined;
let page: Page;
const external: string[] = [];
const errors: string[] = [];

describe.skipIf(!haveChromium)(`the site in Chromium (${CHROMIUM})`, () => {
  beforeAll(async () => {
    buildSite();
    mkdirSync(shots, { recursive: true });
    site = await serveSite();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // playwright-core gives each launch a fresh, empty profile (--user-data-dir) of its own.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('request', (r) => {
      if (!r.url().startsWith(site!.url) && !/^(data|blob):/.test(r.url())) external.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('shows the home page', async () => {
    await page.goto(`${site!.url}/`);
    await expect.poll(() => page.locator('.VPHero .text').innerText()).toContain('Linux filesystems in TypeScript');
    expect(await page.title()).toContain('fusekit');
    await page.screenshot({ path: join(shots, 'home.png') });
  });

  it('opens a guide from the home page and moves through the sidebar', async () => {
    await page.getByRole('link', { name: 'Get started' }).first().click();
    await page.waitForURL(/\/guide\/getting-started/);
    await expect.poll(() => page.locator('.vp-doc h1').first().innerText()).toContain('Getting started');
    await page.screenshot({ path: join(shots, 'guide-getting-started.png') });

    await page.locator('.VPSidebar').getByRole('link', { name: 'Concepts' }).click();
    await page.waitForURL(/\/guide\/concepts/);
    await expect.poll(() => page.locator('.vp-doc h1').first().innerText()).toContain('Concepts');
    expect(await page.locator('.vp-doc').innerText()).toContain('lookup count');
    // The page's code came from examples/ and was highlighted at build time.
    expect(await page.locator('.vp-doc div[class*="language-ts"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'guide-concepts.png') });
  });

  it('reaches the API reference through the top navigation', async () => {
    await page.locator('.VPNavBar').getByRole('link', { name: 'API' }).click();
    await page.waitForURL(/\/api\/$/);
    await page.locator('.vp-doc').getByRole('link', { name: '@fusekit/lowlevel' }).click();
    await page.waitForURL(/\/api\/lowlevel\//);
    await page.locator('.vp-doc').getByRole('link', { name: 'Session', exact: true }).click();
    await page.waitForURL(/\/api\/lowlevel\/classes\/Session/);
    await expect.poll(() => page.locator('.vp-doc h1').first().innerText()).toContain('Session');
    const text = await page.locator('.vp-doc').innerText();
    expect(text).toContain('invalidateInode');
    expect(text).toContain('terminate');
    await page.screenshot({ path: join(shots, 'api-session.png'), fullPage: false });
  });

  it('finds a page with the local search', async () => {
    await page.locator('.VPNavBarSearch button').click();
    const input = page.locator('.VPLocalSearchBox input');
    await input.fill('lookup count');
    const results = page.locator('.VPLocalSearchBox .results a');
    await expect.poll(() => results.count()).toBeGreaterThan(0);
    expect((await results.allInnerTexts()).join('\n')).toMatch(/lookup count/i);
    await page.screenshot({ path: join(shots, 'search.png') });
    await results.first().click();
    await expect.poll(() => page.locator('.VPLocalSearchBox').count()).toBe(0);
    expect(await page.locator('.vp-doc').innerText()).toMatch(/lookup count/i);
  });

  it('switches to dark mode', async () => {
    await page.goto(`${site!.url}/guide/choosing-a-layer.html`);
    await page.locator('.VPNavBarAppearance button').click();
    await expect.poll(() => page.locator('html').getAttribute('class')).toContain('dark');
    await page.screenshot({ path: join(shots, 'dark-choosing-a-layer.png') });
  });

  it('works on a phone-sized screen: the menu opens and leads to a guide', async () => {
    const phone = await browser!.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    small.on('request', (r) => {
      if (!r.url().startsWith(site!.url) && !/^(data|blob):/.test(r.url())) external.push(r.url());
    });
    await small.goto(`${site!.url}/guide/concepts.html`);
    await small.locator('.VPLocalNav button.menu').click();
    const sidebar = small.locator('.VPSidebar');
    await expect.poll(() => sidebar.isVisible()).toBe(true);
    await small.screenshot({ path: join(shots, 'phone-sidebar.png') });
    await sidebar.getByRole('link', { name: 'Troubleshooting' }).click();
    await small.waitForURL(/\/guide\/troubleshooting/);
    await expect.poll(() => small.locator('.vp-doc h1').first().innerText()).toContain('Troubleshooting');
    await small.screenshot({ path: join(shots, 'phone-troubleshooting.png') });
    await phone.close();
  });

  it('made no request to another host, and every request succeeded', () => {
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  });
});
