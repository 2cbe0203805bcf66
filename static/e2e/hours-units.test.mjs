// Opening hours as the web map writes them (src/hours.ts), held to the
// server's own table (features/hours/testdata/words.json), so that a
// popup and /api/nearby say the same. Bundled from src/ with esbuild.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {before, describe, test} from 'node:test';
import {fileURLToPath, pathToFileURL} from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const table = JSON.parse(fs.readFileSync(path.join(root, '..', 'features', 'hours', 'testdata', 'words.json'), 'utf8'));
let m;

before(async () => {
    const out = await esbuild.build({
        stdin: {contents: `export {parseOpeningHours, hoursWords, formatOpeningHours} from './src/hours.ts';`, resolveDir: root, loader: 'ts'},
        bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error',
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bando-hours-')), 'hours.mjs');
    fs.writeFileSync(file, out.outputFiles[0].text);
    m = await import(pathToFileURL(file).href);
});

describe('opening hours in words, as the server writes them', () => {
    for (const c of table.words) {
        test(c.hours, () => {
            const week = m.parseOpeningHours(c.hours);
            assert.ok(week, `${c.hours} did not parse`);
            assert.equal(m.hoursWords(week, 'vi'), c.vi);
            assert.equal(m.hoursWords(week, 'en'), c.en);
            assert.equal(m.formatOpeningHours({lang: 'en'}, c.hours), c.en);
            assert.equal(m.formatOpeningHours({lang: 'vi'}, c.hours), c.vi);
        });
    }
});

describe('text outside the subset is shown as written', () => {
    for (const text of table.refused) {
        test(JSON.stringify(text), () => {
            assert.equal(m.parseOpeningHours(text), null);
            assert.equal(m.formatOpeningHours({lang: 'vi'}, text), text);
        });
    }
});
