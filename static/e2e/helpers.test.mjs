// Tests of the test helpers themselves: the host check must catch a request
// the page's Content-Security-Policy blocked, which never reaches the network
// and so never shows up as a request. 203.0.113.9 is TEST-NET-3 (RFC 5737),
// an address no host has; the policy stops the request before it is sent.

import assert from 'node:assert/strict';
import {after, before, beforeEach, describe, test} from 'node:test';
import {assertOnlyHosts, BASE, launch} from './helpers.mjs';

const FOREIGN = 'http://203.0.113.9/x';

describe('assertOnlyHosts', () => {
    let browser;
    before(async () => {
        browser = await launch();
    });
    beforeEach(() => browser?.reset());
    after(async () => {
        await browser?.close();
    });

    /** openAdmin opens the lightest page of the server, under the same policy as the map. */
    async function openAdmin() {
        const page = await browser.newPage();
        const res = await page.goto(`${BASE}/admin`);
        assert.match(res.headers()['content-security-policy'] ?? '', /connect-src 'self'/);
        return page;
    }

    test('passes a page that stays on the server', async () => {
        const page = await openAdmin();
        await assertOnlyHosts(browser);
        await page.close();
    });

    const tries = [
        // In a page both the violation event and the console see it.
        {name: 'the page', run: (url) => fetch(url).catch(() => undefined), seen: [/event: connect-src blocked http:\/\/203\.0\.113\.9\/x/, /console: [^;]*203\.0\.113\.9/]},
        {
            name: 'a worker',
            run: (url) => new Promise((resolve) => {
                const code = `fetch(${JSON.stringify(url)}).catch(() => undefined).finally(() => postMessage('done'));`;
                const w = new Worker(URL.createObjectURL(new Blob([code], {type: 'text/javascript'})));
                w.onmessage = () => resolve();
                w.onerror = () => resolve();
            }),
            // A worker has no document: only the browser's log tells.
            seen: [/console: [^;]*203\.0\.113\.9/],
        },
    ];
    for (const t of tries) {
        test(`fails when the policy blocked a request of ${t.name}`, async () => {
            const page = await openAdmin();
            await page.evaluate(`(${t.run})(${JSON.stringify(FOREIGN)})`);
            assert.ok(!browser.requests.some((r) => r.url.startsWith('http://203.0.113.9')),
                'the blocked request was recorded as a request: this test would not show the violation check works');
            // The console message and the violation event arrive a moment
            // after the fetch fails: ask again until they are in, or 5 s.
            let last;
            for (const deadline = Date.now() + 5000; Date.now() < deadline; await page.waitForTimeout(100)) {
                last = await assertOnlyHosts(browser).then(() => undefined, (err) => err);
                if (last && t.seen.every((re) => re.test(last.message))) break;
            }
            assert.ok(last, 'assertOnlyHosts passed although the policy blocked a request');
            assert.match(last.message, /Content-Security-Policy blocked/);
            for (const re of t.seen) assert.match(last.message, re);
            await page.close();
        });
    }
});
