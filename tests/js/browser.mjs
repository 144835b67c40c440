// Drives Debian's Chromium, headless, through playwright-core, against a running server, and
// prints one JSON object with what it saw. tests/api/browser.rs runs one scenario per test and
// checks the object.
//
//   node tests/js/browser.mjs <scenario> <base URL> <screenshot dir>
//
// Scenarios: graphiql-loads, default-query, docs, explorer, landing, landing-languages,
// landing-negotiated, landing-map, map-link, example-link.
//
// Environment: JS_DEPS_DIR names the folder whose node_modules holds playwright-core (see
// tests/api/js.rs); CHROMIUM the browser (default /usr/bin/chromium).
//
// Every request the page makes is recorded; one that would leave 127.0.0.1 is aborted and listed
// under `offLoopback`, so a page that depends on the internet fails instead of hanging.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const depsDir = process.env.JS_DEPS_DIR;
if (!depsDir) throw new Error('JS_DEPS_DIR is not set');
const require = createRequire(join(depsDir, 'package.json'));
const { chromium } = require('playwright-core');

const [scenario, base, shots] = process.argv.slice(2);
if (!scenario || !base || !shots) throw new Error('usage: node browser.mjs <scenario> <base URL> <screenshot dir>');

// Without these, Chromium on a machine with no outside network stalls on connections it cannot
// make (component updates, sync, first-run pages).
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

const isLocal = (url) => {
  const u = new URL(url);
  if (['data:', 'blob:', 'about:'].includes(u.protocol)) return true;
  return u.hostname === '127.0.0.1';
};

const editorValue = (page, selector) =>
  page.evaluate((sel) => {
    const cm = document.querySelector(sel);
    return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : null;
  }, selector);

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const RESPONSE_EDITOR = '.graphiql-response .CodeMirror';

/** Waits until GraphiQL has rendered its editors and fetched the schema. */
async function graphiqlReady(page) {
  await page.waitForFunction((sel) => {
    const cm = document.querySelector(sel);
    return cm && cm.CodeMirror && cm.CodeMirror.getValue().length > 0;
  }, QUERY_EDITOR);
  await page.waitForLoadState('networkidle');
}

/** Runs the active tab's query and returns the response editor's text once it holds data. */
async function runQuery(page) {
  await page.click('.graphiql-execute-button');
  await page.waitForFunction((sel) => {
    const cm = document.querySelector(sel);
    return cm && cm.CodeMirror && cm.CodeMirror.getValue().includes('"data"');
  }, RESPONSE_EDITOR);
  return editorValue(page, RESPONSE_EDITOR);
}

const tabTitles = (page) => page.$$eval('.graphiql-tab', (tabs) => tabs.map((t) => t.textContent.trim()));
const activeTab = (page) => page.$eval('.graphiql-tab-active', (t) => t.textContent.trim()).catch(() => null);

const scenarios = {
  // GraphiQL comes up with its tabs, from this server alone.
  async 'graphiql-loads'(page, out) {
    await page.goto(`${base}/graphql`);
    await graphiqlReady(page);
    out.title = await page.title();
    out.query = await editorValue(page, QUERY_EDITOR);
    out.tabs = await tabTitles(page);
    out.activeTab = await activeTab(page);
    await page.screenshot({ path: join(shots, 'graphiql.png') });
  },

  // The default tab's query runs and its data shows; the headers editor explains tokens.
  async 'default-query'(page, out) {
    await page.goto(`${base}/graphql`);
    await graphiqlReady(page);
    out.query = await editorValue(page, QUERY_EDITOR);
    out.response = await runQuery(page);
    await page.screenshot({ path: join(shots, 'graphiql-default-query.png') });
    await page.click('button[data-name="headers"]');
    const placeholder = page.locator('.khartoum-headers-placeholder');
    await placeholder.waitFor({ state: 'visible' });
    out.headersPlaceholder = await placeholder.innerText();
    await page.screenshot({ path: join(shots, 'graphiql-headers.png') });
  },

  // The docs pane opens and shows the schema's descriptions.
  async docs(page, out) {
    await page.goto(`${base}/graphql`);
    await graphiqlReady(page);
    await page.click('button[aria-label="Show Documentation Explorer"]');
    const explorer = page.locator('.graphiql-doc-explorer');
    await explorer.waitFor({ state: 'visible' });
    out.rootText = await explorer.innerText();
    await explorer.locator('a', { hasText: /^Query$/ }).first().click();
    await page.waitForFunction(() =>
      document.querySelector('.graphiql-doc-explorer')?.textContent.includes('The entry points of the API'),
    );
    out.queryText = await explorer.innerText();
    await page.screenshot({ path: join(shots, 'graphiql-docs.png') });
  },

  // A query built by clicks alone: a new tab, the Explorer opened, a field ticked, run.
  async explorer(page, out) {
    await page.goto(`${base}/graphql`);
    await graphiqlReady(page);
    await page.click('.graphiql-tab-add');
    await page.click('button[aria-label="Show GraphiQL Explorer"]');
    const explorer = page.locator('.graphiql-explorer-root');
    await explorer.waitFor({ state: 'visible' });
    out.explorerFields = await explorer.locator('[data-field-name]').evaluateAll((els) => els.map((e) => e.dataset.fieldName));
    const queryHas = (text) =>
      page.waitForFunction(
        ([sel, t]) => {
          const cm = document.querySelector(sel);
          return cm && cm.CodeMirror && cm.CodeMirror.getValue().includes(t);
        },
        [QUERY_EDITOR, text],
      );
    // Tick `dataset`, then two of its fields.
    const dataset = explorer.locator('.graphiql-explorer-dataset').first();
    await dataset.locator('[data-field-name="dataset"]').first().click();
    await queryHas('dataset');
    await dataset.locator('.graphiql-explorer-meetings [data-field-name="meetings"]').first().click();
    await queryHas('meetings');
    await dataset.locator('.graphiql-explorer-states [data-field-name="states"]').first().click();
    await queryHas('states');
    out.query = await editorValue(page, QUERY_EDITOR);
    out.response = await runQuery(page);
    await page.screenshot({ path: join(shots, 'graphiql-explorer.png') });
  },

  // The landing page draws its charts without any script.
  async landing(page, out) {
    await page.goto(`${base}/`);
    out.title = await page.title();
    out.svgs = await page.locator('svg.chart').count();
    out.terms = await page.$$eval('svg.chair-timeline rect.term', (rects) =>
      rects.map((r) => {
        const box = r.getBoundingClientRect();
        return { chair: r.dataset.chair, start: r.dataset.start, end: r.dataset.end, width: box.width, height: box.height };
      }),
    );
    out.meetings = await page.$$eval('svg.meetings-per-year rect.meetings', (rects) =>
      rects.map((r) => {
        const box = r.getBoundingClientRect();
        return { year: Number(r.dataset.year), kind: r.dataset.kind, count: Number(r.dataset.count), width: box.width, height: box.height };
      }),
    );
    out.links = await page.$$eval('a[href]', (links) => links.map((a) => a.getAttribute('href')));
    out.scripts = await page.locator('script').count();
    await page.screenshot({ path: join(shots, 'landing.png'), fullPage: true });
  },

  // The landing page in each language: its direction as the browser computes it, and a
  // screenshot of each.
  async 'landing-languages'(page, out) {
    out.pages = [];
    for (const lang of ['en', 'fr', 'ar']) {
      await page.goto(`${base}/?lang=${lang}`);
      const seen = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        dir: document.dir,
        direction: getComputedStyle(document.body).direction,
        heading: document.querySelector('h1').textContent,
        chartDirections: [...document.querySelectorAll('svg.chart')].map((s) => getComputedStyle(s).direction),
        // Where the heading's text runs (the element itself spans the column).
        headingBox: (() => {
          const range = document.createRange();
          range.selectNodeContents(document.querySelector('h1'));
          const box = range.getBoundingClientRect();
          const column = document.querySelector('main h1').getBoundingClientRect();
          return { textLeft: box.left, textRight: box.right, columnLeft: column.left, columnRight: column.right };
        })(),
        width: document.documentElement.clientWidth,
      }));
      seen.screenshot = join(shots, `landing-${lang}.png`);
      await page.screenshot({ path: seen.screenshot, fullPage: true });
      out.pages.push(seen);
    }
  },

  // The landing page in the language the browser's locale asks for (Accept-Language).
  async 'landing-negotiated'(page, out) {
    await page.goto(`${base}/`);
    out.lang = await page.evaluate(() => document.documentElement.lang);
    out.dir = await page.evaluate(() => document.dir);
  },

  // The map and the co-host network as drawn: each city's circle and title, each pair's line.
  async 'landing-map'(page, out) {
    await page.goto(`${base}/`);
    out.cities = await page.$$eval('svg.meetings-map a.city circle.city', (circles) =>
      circles.map((c) => {
        const box = c.getBoundingClientRect();
        return {
          city: c.dataset.city,
          country: c.dataset.country,
          count: Number(c.dataset.count),
          title: c.querySelector('title')?.textContent ?? '',
          href: c.closest('a').getAttribute('href'),
          width: box.width,
          height: box.height,
        };
      }),
    );
    out.countries = await page.locator('svg.meetings-map g.countries path').count();
    out.pairs = await page.$$eval('svg.co-host-network line.pair', (lines) =>
      lines.map((l) => ({ a: l.dataset.a, b: l.dataset.b, count: Number(l.dataset.count), title: l.querySelector('title')?.textContent ?? '' })),
    );
    out.actors = await page.$$eval('svg.co-host-network g.actor', (nodes) =>
      nodes.map((g) => ({ actor: g.dataset.actor, partners: Number(g.dataset.partners), label: g.querySelector('text')?.textContent ?? '' })),
    );
    out.mapShot = join(shots, 'landing-map.png');
    await page.locator('svg.meetings-map').screenshot({ path: out.mapShot });
    out.networkShot = join(shots, 'landing-network.png');
    await page.locator('svg.co-host-network').screenshot({ path: out.networkShot });
  },

  // A city on the map opens its query in GraphiQL, which runs it.
  async 'map-link'(page, out) {
    await page.goto(`${base}/`);
    const city = page.locator('svg.meetings-map a.city').first();
    out.city = await city.locator('circle').getAttribute('data-city');
    out.count = Number(await city.locator('circle').getAttribute('data-count'));
    await city.click();
    await page.waitForURL('**/graphql#query=*');
    await graphiqlReady(page);
    out.query = await editorValue(page, QUERY_EDITOR);
    out.response = await runQuery(page);
    await page.screenshot({ path: join(shots, 'graphiql-map-link.png') });
  },

  // A README example linked from the landing page opens in its own GraphiQL tab and runs.
  async 'example-link'(page, out) {
    await page.goto(`${base}/`);
    const link = page.locator('a[href="/graphql#example-who-organises-with-whom"]');
    out.linkText = await link.innerText();
    await link.click();
    await page.waitForURL('**/graphql#example-who-organises-with-whom');
    await graphiqlReady(page);
    out.activeTab = await activeTab(page);
    out.query = await editorValue(page, QUERY_EDITOR);
    out.response = await runQuery(page);
    await page.screenshot({ path: join(shots, 'graphiql-example.png') });
  },
};

const run = scenarios[scenario];
if (!run) throw new Error(`unknown scenario ${scenario}`);

const profile = mkdtempSync(join(tmpdir(), 'khartoum-chromium-'));
const out = { scenario, requests: [], offLoopback: [], consoleErrors: [], pageErrors: [] };
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
    // The landing page must work with JavaScript off.
    javaScriptEnabled: !['landing', 'landing-languages', 'landing-negotiated', 'landing-map'].includes(scenario),
    // Chromium's Accept-Language follows the locale.
    locale: scenario === 'landing-negotiated' ? 'ar-SD' : 'en-US',
  });
  context.setDefaultTimeout(30_000);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    out.requests.push(url);
    if (isLocal(url)) return route.continue();
    out.offLoopback.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') out.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => out.pageErrors.push(String(e)));
  await run(page, out);
} catch (e) {
  out.error = String(e && e.stack ? e.stack : e);
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
