// axe-core (the npm devDependency, run inside the page) on the public map
// and the embeddable banner, on a phone (390×844) and a desktop
// (1366×768), in Vietnamese and English: WCAG 2.0–2.2 A and AA rules, the
// target size of WCAG 2.2 and axe's best practices, with 0 violations. The
// map is checked as it opens and with its panels, the list of what is in
// view, a popup and the share dialog open.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import {after, before, describe, test} from 'node:test';
import {launch, openMap, waitIdle} from './helpers.mjs';

const AXE = fs.readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const SIZES = {phone: {width: 390, height: 844}, desktop: {width: 1366, height: 768}};

/**
 * axe runs axe-core in the page (through the debugger protocol, which the
 * page's Content-Security-Policy does not govern) and returns its
 * violations, one line each.
 */
async function axe(page) {
    if (!await page.evaluate(() => 'axe' in window)) await page.evaluate(AXE);
    const r = await page.evaluate((tags) => window.axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        // target-size is tagged wcag22aa; it is asked for by name too, so a
        // later axe that moves it to another tag still runs it.
        rules: {'target-size': {enabled: true}},
    }), TAGS);
    assert.ok(r.passes.some((p) => p.id === 'target-size') || r.inapplicable.some((p) => p.id === 'target-size') ||
        r.violations.some((p) => p.id === 'target-size'), 'axe did not run target-size');
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`).join(' | ')}`);
}

for (const [size, viewport] of Object.entries(SIZES)) {
    describe(`axe on a ${size}`, () => {
        let browser;
        before(async () => {
            browser = await launch({viewport});
        });
        after(async () => {
            await browser?.close();
        });

        for (const lang of ['vi', 'en']) {
            test(`/ in ${lang}: as it opens and with its parts open`, async () => {
                const {page, errors} = await openMap(browser, `/?lang=${lang}`);
                assert.deepEqual(await axe(page), [], 'as it opens');
                if (size === 'phone') {
                    await page.click('#tab-layers');
                    await page.click('#inview-title');
                    assert.deepEqual(await axe(page), [], 'with the layers tab and the in-view list open');
                    await page.click('#tab-stats');
                    await page.click('#chart-table summary');
                    assert.deepEqual(await axe(page), [], 'with the statistics tab and the chart table open');
                    await page.click('#tab-stats');
                    await page.click('#lookup-toggle');
                    assert.deepEqual(await axe(page), [], 'with the lookup panel open');
                    await page.click('#lookup-toggle');
                } else {
                    await page.click('#inview-title');
                    await page.click('#chart-table summary');
                    assert.deepEqual(await axe(page), [], 'with the in-view list and the chart table open');
                }
                // A popup, opened from the list of what is in view.
                if (size === 'phone') await page.click('#tab-layers');
                await page.locator('.inview-item').first().click();
                await page.waitForSelector('.maplibregl-popup');
                await waitIdle(page);
                assert.deepEqual(await axe(page), [], 'with a popup open');
                await page.click('#share');
                await page.waitForSelector('#share-dialog[open]');
                assert.deepEqual(await axe(page), [], 'with the share dialog open');
                assert.deepEqual(errors, []);
                await page.close();
            });

            test(`/embed in ${lang}`, async () => {
                const {page, errors} = await openMap(browser, `/embed?lang=${lang}`);
                assert.deepEqual(await axe(page), [], 'as it opens');
                await page.click('#embed-legend summary');
                assert.deepEqual(await axe(page), [], 'with the legend open');
                assert.deepEqual(errors, []);
                await page.close();
            });
        }
    });
}
