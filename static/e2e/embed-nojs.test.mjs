// /embed shows the banner's headline numbers before any script runs: with
// JavaScript disabled the page holds the same figures the script draws.

import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {chromium} from 'playwright-core';
import {ARGS, BASE, CHROMIUM, launch} from './helpers.mjs';

const FIGURES = ['#banner-community .fig-value', '#banner-community .fig-label', '#banner-today .fig-value', '#banner-today .fig-label',
    '#banner-deaths .fig-value', '#banner-updated .fig-date'];

async function read(page) {
    const out = {};
    for (const sel of FIGURES) out[sel] = (await page.locator(sel).textContent()).trim();
    return out;
}

describe('embed without JavaScript', () => {
    let plain;
    let scripted;
    before(async () => {
        plain = await chromium.launch({executablePath: CHROMIUM, headless: true, args: ARGS});
        scripted = await launch();
    });
    after(async () => {
        await plain?.close();
        await scripted?.close();
    });

    for (const lang of ['vi', 'en']) {
        test(`the numbers are in the HTML (${lang})`, async () => {
            const ctx = await plain.newContext({javaScriptEnabled: false, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh'});
            const page = await ctx.newPage();
            await page.goto(`${BASE}/embed?lang=${lang}`);
            const html = await read(page);
            await ctx.close();
            assert.match(html['#banner-community .fig-value'], /^\d[\d.,]*$/);

            const live = await scripted.newPage();
            await live.goto(`${BASE}/embed?lang=${lang}`);
            await live.waitForSelector('body[data-ready="true"]', {timeout: 60000});
            const drawn = await read(live);
            await live.close();
            assert.deepEqual(html, drawn, 'the HTML and the script disagree');
        });
    }
});
