// Unit tests of the QR pages' pure pieces (the problem reader, the token in
// the address, what a personal QR holds, masking, both languages' words,
// the editor's reading of venues and of a 422), bundled from src/ with
// esbuild; no browser and no server.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {before, describe, test} from 'node:test';
import {fileURLToPath, pathToFileURL} from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let m;

before(async () => {
    const out = await esbuild.build({
        stdin: {
            contents: `
                export {Failure, tokenFrom, passOf} from './src/checkinapi.ts';
                export {mask, missingTexts, SYMPTOMS} from './src/checkintext.ts';`,
            resolveDir: root, loader: 'ts',
        },
        bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error',
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bando-checkin-units-')), 'units.mjs');
    fs.writeFileSync(file, out.outputFiles[0].text);
    m = await import(pathToFileURL(file).href);
});

describe('the check-in pages’ pieces', () => {
    test('every word exists in both languages', () => assert.deepEqual(m.missingTexts(), []));

    test('the symptoms are tracing.Symptoms', () => {
        const go = fs.readFileSync(path.join(root, '../tracing/declaration.go'), 'utf8');
        const consts = [...go.matchAll(/^\s+\w+\s+Symptom = "(\w+)"/gm)].map((x) => x[1]);
        assert.deepEqual(m.SYMPTOMS, consts);
    });

    const tokens = [
        ['/c/AbC-_09', 'AbC-_09'],
        ['/s/AbC-_09/', 'AbC-_09'],
        ['/c/a%2Eb', 'a.b'],
        ['/c/', ''],
        ['/x/AbC', ''],
        ['/c/a/b', ''],
    ];
    for (const [p, want] of tokens) test(`token of ${p}`, () => assert.equal(m.tokenFrom(p), want));

    const passes = [
        ['BP1.abc_DEF-9', 'BP1.abc_DEF-9'],
        ['  BP1.abc \n', 'BP1.abc'],
        ['https://bando.example.vn/p/BP1.abc', 'BP1.abc'],
        ['https://bando.example.vn/pass?pass=BP1.xyz', 'BP1.xyz'],
    ];
    for (const [text, want] of passes) test(`pass in ${JSON.stringify(text)}`, () => assert.equal(m.passOf(text), want));

    const masks = [
        ['0912 345 678', '•••• 678'],
        ['+84912345678', '•••• 678'],
        ['012345678901', '•••• 901'],
        ['12', '•••'],
    ];
    for (const [id, want] of masks) {
        test(`mask of ${id}`, () => {
            assert.equal(m.mask(id), want);
            assert.ok(!m.mask(id).includes(id.replace(/\D/g, '').slice(0, 4)) || id.replace(/\D/g, '').length < 4);
        });
    }

    test('a 422 names its field by pointer or member, in the reader’s language', () => {
        const f = new m.Failure(422, {
            detail: 'identity: give a Vietnamese phone number', detail_vi: 'hãy nhập số điện thoại Việt Nam',
            field: 'identity', errors: [{pointer: '#/identity', detail: 'give a Vietnamese phone number'}],
        });
        assert.equal(f.fieldReason('identity', 'vi'), 'hãy nhập số điện thoại Việt Nam');
        assert.equal(f.fieldReason('identity', 'en'), 'give a Vietnamese phone number');
        assert.equal(f.fieldReason('travel', 'en'), undefined);
        const d = new m.Failure(422, {detail: 'travel: at most 500 characters', errors: [{pointer: '#/declaration/travel', detail: 'at most 500 characters'}]});
        assert.equal(d.fieldReason('travel', 'en'), 'at most 500 characters');
        assert.equal(d.fieldReason('identity', 'en'), undefined);
    });

    test('Retry-After is read as seconds', () => {
        assert.equal(new m.Failure(429, {}, '17').retryAfter, 17);
        assert.equal(new m.Failure(429, {}, 'Wed, 21 Oct 2026 07:28:00 GMT').retryAfter, undefined);
    });
});
