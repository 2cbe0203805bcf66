// Unit tests of the front end's pure functions (address state, tile URLs,
// dates, the translation table), bundled from src/ with esbuild; they need
// no browser and no server.

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
                export {parseHash, formatHash, parseLayers, isDay, datedHash} from './src/hash.ts';
                export {absolute, withDate} from './src/urls.ts';
                export {latestOf, addDays} from './src/stats.ts';
                export {niceMax} from './src/chart.ts';
                export {Translator, untranslated, isLang} from './src/i18n.ts';
                export {collectionOf, NEARBY_LAYERS, LAYERS} from './src/catalog.ts';
                export {checkZone, selfCrossings, distinct, largestRing, closed, today} from './src/geomcheck.ts';
                export {checkDates, withQueryables, fieldsOf} from './src/adminschema.ts';
                export {inDistrict, canEdit, Problem, fieldReason} from './src/adminapi.ts';`,
            resolveDir: root, loader: 'ts',
        },
        bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error',
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bando-units-')), 'units.mjs');
    fs.writeFileSync(file, out.outputFiles[0].text);
    m = await import(pathToFileURL(file).href);
    globalThis.location = new URL('http://127.0.0.1:8080/');
});

describe('address state', () => {
    const cases = [
        {name: 'full', hash: '#11.50/10.9900/106.6700&layers=cases,bogus,markets&date=2021-06-01',
            want: {zoom: 11.5, lat: 10.99, lon: 106.67, layers: ['cases', 'markets'], date: '2021-06-01'}},
        {name: 'position only', hash: '#9/11.1/106.6', want: {zoom: 9, lat: 11.1, lon: 106.6}},
        {name: 'layers only', hash: '#&layers=wards', want: {layers: ['wards']}},
        {name: 'zoom out of range', hash: '#40/11/106', want: {}},
        {name: 'latitude out of range', hash: '#9/91/106', want: {}},
        {name: 'not numbers', hash: '#a/b/c', want: {}},
        {name: 'bad date', hash: '#9/11/106&date=5-7-2021', want: {zoom: 9, lat: 11, lon: 106}},
        {name: 'not a day', hash: '#9/11/106&date=2021-02-30', want: {zoom: 9, lat: 11, lon: 106}},
        {name: 'month 13', hash: '#9/11/106&date=2021-13-01', want: {zoom: 9, lat: 11, lon: 106}},
        {name: 'leap day', hash: '#9/11/106&date=2020-02-29', want: {zoom: 9, lat: 11, lon: 106, date: '2020-02-29'}},
        {name: 'encoded layers', hash: '#9/11/106&layers=cases%2Cwards', want: {zoom: 9, lat: 11, lon: 106, layers: ['cases', 'wards']}},
        {name: 'malformed escape in layers keeps the rest', hash: '#9/11/106&layers=%E0%A4%A&date=2021-06-01',
            want: {zoom: 9, lat: 11, lon: 106, date: '2021-06-01'}},
        {name: 'malformed escape in the date', hash: '#9/11/106&date=2021-06-0%', want: {zoom: 9, lat: 11, lon: 106}},
        {name: 'empty', hash: '', want: {}},
    ];
    for (const c of cases) {
        test(`parseHash: ${c.name}`, () => assert.deepEqual(m.parseHash(c.hash), c.want));
    }
    // What location.hash holds for addresses people share: the browser leaves
    // percent signs as they are, so a truncated escape reaches parseHash.
    const addresses = [
        {url: '/#11/10.99/106.67&layers=cases%2', want: {zoom: 11, lat: 10.99, lon: 106.67}},
        {url: '/#11/10.99/106.67&layers=cases%2&date=2021-06-01', want: {zoom: 11, lat: 10.99, lon: 106.67, date: '2021-06-01'}},
        {url: '/#11/10.99/106.67&layers=cases&date=2021-02-30', want: {zoom: 11, lat: 10.99, lon: 106.67, layers: ['cases']}},
        {url: '/#11/10.99/106.67&date=2021-02-30', want: {zoom: 11, lat: 10.99, lon: 106.67}},
    ];
    for (const c of addresses) {
        test(`parseHash of ${c.url}`, () => {
            const hash = new URL(c.url, 'http://127.0.0.1:8080').hash;
            assert.ok(hash.includes('%') || hash.includes('2021-02-30'), `the URL parser changed ${c.url} into ${hash}`);
            assert.deepEqual(m.parseHash(hash), c.want);
        });
    }
    const days = [
        {s: '2021-07-05', want: true}, {s: '2020-02-29', want: true}, {s: '2021-02-29', want: false},
        {s: '2021-02-30', want: false}, {s: '2021-04-31', want: false}, {s: '2021-00-10', want: false},
        {s: '2021-7-5', want: false}, {s: '2021-07-05T00:00:00Z', want: false}, {s: '', want: false},
    ];
    for (const c of days) {
        test(`isDay(${JSON.stringify(c.s)})`, () => assert.equal(m.isDay(c.s), c.want));
    }
    test('formatHash writes layers in catalog order and round-trips', () => {
        const h = m.formatHash({zoom: 12, lat: 10.98765, lon: 106.65432, layers: ['wards', 'cases'], date: '2021-07-01'});
        assert.equal(h, '#12.00/10.98765/106.65432&layers=cases,wards&date=2021-07-01');
        assert.deepEqual(m.parseHash(h), {zoom: 12, lat: 10.98765, lon: 106.65432, layers: ['cases', 'wards'], date: '2021-07-01'});
    });
    const dated = [
        {name: 'the latest day is named', hash: '#12.00/10.98/106.65&layers=cases', day: '2021-07-05',
            want: '#12.00/10.98/106.65&layers=cases&date=2021-07-05'},
        {name: 'a chosen day is kept', hash: '#12.00/10.98/106.65&date=2021-06-01', day: '2021-07-05',
            want: '#12.00/10.98/106.65&date=2021-06-01'},
        {name: 'an empty hash', hash: '', day: '2021-07-05', want: '#&date=2021-07-05'},
        {name: 'no day known', hash: '#9/11/106', day: undefined, want: '#9/11/106'},
        {name: 'not a day', hash: '#9/11/106', day: '2021-02-30', want: '#9/11/106'},
    ];
    for (const c of dated) {
        test(`datedHash: ${c.name}`, () => {
            const got = m.datedHash(c.hash, c.day);
            assert.equal(got, c.want);
            if (c.day && m.isDay(c.day)) assert.equal(m.parseHash(got).date, m.parseHash(c.hash).date ?? c.day);
        });
    }
    test('formatHash without layers or date', () => {
        assert.equal(m.formatHash({zoom: 3, lat: 10, lon: 106}), '#3.00/10.000/106.000');
    });
});

describe('tile URLs', () => {
    const cases = [
        {name: 'adds the date', url: '/tiles/a,b/{z}/{x}/{y}.mvt', date: '2021-06-01', want: '/tiles/a,b/{z}/{x}/{y}.mvt?date=2021-06-01'},
        {name: 'replaces the date', url: '/t/{z}/{x}/{y}.mvt?date=2021-05-01&v=2', date: '2021-06-01', want: '/t/{z}/{x}/{y}.mvt?v=2&date=2021-06-01'},
        {name: 'removes the date', url: '/t/{z}/{x}/{y}.mvt?date=2021-05-01', date: undefined, want: '/t/{z}/{x}/{y}.mvt'},
        {name: 'keeps other parameters', url: '/t/{z}/{x}/{y}.mvt?v=2', date: undefined, want: '/t/{z}/{x}/{y}.mvt?v=2'},
    ];
    for (const c of cases) {
        test(`withDate: ${c.name}`, () => assert.equal(m.withDate(c.url, c.date), c.want));
    }
    test('absolute keeps template tokens and other hosts', () => {
        assert.equal(m.absolute('/fonts/{fontstack}/{range}.pbf'), 'http://127.0.0.1:8080/fonts/{fontstack}/{range}.pbf');
        assert.equal(m.absolute('http://example.test/x'), 'http://example.test/x');
    });
});

describe('dates', () => {
    const cases = [
        {name: 'data older than the server date', s: {date: '2026-11-27', last_update: '2021-07-05'}, want: '2021-07-05'},
        {name: 'last update on the date', s: {date: '2021-07-05', last_update: '2021-07-05'}, want: '2021-07-05'},
        {name: 'last update after the date', s: {date: '2021-07-05', last_update: '2021-07-06'}, want: '2021-07-05'},
        {name: 'no case yet', s: {date: '2021-07-05', last_update: null}, want: '2021-07-05'},
        {name: 'not a day', s: {date: '2021-07-05', last_update: '2021-02-30'}, want: '2021-07-05'},
    ];
    for (const c of cases) {
        test(`latestOf: ${c.name}`, () => assert.equal(m.latestOf(c.s), c.want));
    }
    test('addDays crosses months', () => {
        assert.equal(m.addDays('2021-07-05', -70), '2021-04-26');
        assert.equal(m.addDays('2021-02-28', 1), '2021-03-01');
    });
    test('niceMax', () => {
        assert.deepEqual([0, 3, 7, 131, 200, 201].map(m.niceMax), [5, 5, 10, 200, 200, 500]);
    });
});

describe('catalog', () => {
    // Which case a contact came from, or which case visited an
    // epidemiological point, is not public (features/collections.go).
    const private_ = ['source_case', 'case_code'];
    test('popups ask for no property linking a place or a person to a case', () => {
        for (const l of m.LAYERS) {
            for (const p of private_) assert.ok(!l.props.includes(p), `${l.id} shows ${p}`);
        }
        assert.deepEqual(m.LAYERS.find((l) => l.id === 'contacts').props,
            ['tier', 'quarantine_start', 'quarantine_end', 'district_code', 'ward_code']);
        assert.deepEqual(m.LAYERS.find((l) => l.id === 'epidemic_points').props,
            ['address', 'visited_from', 'visited_to', 'district_code', 'ward_code']);
    });
    test('the translation table names no such property', () => {
        for (const lang of ['vi', 'en']) {
            const tr = new m.Translator(lang);
            for (const p of private_) assert.ok(!tr.has(`prop.${p}`), `${lang}: prop.${p}`);
        }
    });
    test('every property a popup shows has a label in both languages', () => {
        for (const lang of ['vi', 'en']) {
            const tr = new m.Translator(lang);
            for (const l of m.LAYERS) {
                for (const p of l.props) assert.ok(tr.has(`prop.${l.id}.${p}`) || tr.has(`prop.${p}`), `${lang}: ${l.id}.${p}`);
            }
        }
    });
});

describe('the editor’s checks before sending', () => {
    const sq = [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]];
    const crossings = [
        {name: 'a square', ring: sq, want: []},
        {name: 'a bow tie crosses at its middle', ring: [[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]], want: [[1, 1]]},
        {name: 'open ring, same bow tie', ring: [[0, 0], [2, 2], [2, 0], [0, 2]], want: [[1, 1]]},
        {name: 'repeated corners do not count', ring: [[0, 0], [2, 0], [2, 0], [2, 2], [0, 2], [0, 0]], want: []},
        {name: 'a figure of eight of six corners', ring: [[0, 0], [4, 0], [4, 2], [0, 4], [-1, 4], [-1, 2], [0, 0]], want: []},
        {name: 'a ring folding back on itself: the spike’s tip', ring: [[0, 0], [4, 0], [2, 0], [2, 2], [0, 0]], want: [[4, 0]]},
        {name: 'a star crosses five times', ring: [[0, 3], [2, -3], [-3, 1], [3, 1], [-2, -3], [0, 3]], want: 5},
    ];
    for (const c of crossings) {
        test(`selfCrossings: ${c.name}`, () => {
            const got = m.selfCrossings(c.ring);
            if (typeof c.want === 'number') assert.equal(got.length, c.want);
            else assert.deepEqual(got.map((p) => p.map((v) => Math.round(v * 1e9) / 1e9)), c.want);
        });
    }
    const zones = [
        {name: 'fine', g: {type: 'MultiPolygon', coordinates: [[sq]]}, p: {name: 'Z', start: '2021-07-01', end: '2021-07-14'}, want: []},
        {name: 'no shape, no name', g: null, p: {}, want: ['geometry:ed.check.noshape', 'name:ed.check.required']},
        {name: 'too few corners', g: {type: 'Polygon', coordinates: [[[0, 0], [1, 1], [0, 0]]]}, p: {name: 'Z'}, want: ['geometry:ed.check.fewpoints@0,0']},
        {name: 'crossing, with where', g: {type: 'Polygon', coordinates: [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}, p: {name: 'Z'}, want: ['geometry:ed.check.crossing@1,1']},
        {name: 'end before start', g: {type: 'Polygon', coordinates: [sq]}, p: {name: 'Z', start: '2021-07-14', end: '2021-07-01'}, want: ['end:ed.check.endbefore']},
        {name: 'end on the start day', g: {type: 'Polygon', coordinates: [sq]}, p: {name: 'Z', start: '2021-07-14', end: '2021-07-14'}, want: []},
        {name: 'out of range', g: {type: 'Polygon', coordinates: [[[0, 0], [200, 0], [0, 2], [0, 0]]]}, p: {name: 'Z'}, want: ['geometry:ed.check.range']},
    ];
    for (const c of zones) {
        test(`checkZone: ${c.name}`, () => {
            const got = m.checkZone(c.g, c.p).map((x) => `${x.field}:${x.key}${x.at ? `@${x.at.map((v) => Math.round(v * 1e9) / 1e9).join(',')}` : ''}`);
            assert.deepEqual(got, c.want);
        });
    }
    test('largestRing takes the outer ring of the largest part; closed closes it', () => {
        const small = [[[10, 10], [11, 10], [11, 11], [10, 10]]];
        assert.deepEqual(m.largestRing({type: 'MultiPolygon', coordinates: [small, [sq, [[0.5, 0.5], [1, 0.5], [1, 1], [0.5, 0.5]]]]}), sq);
        assert.deepEqual(m.closed([[0, 0], [1, 0], [1, 1]]), [[0, 0], [1, 0], [1, 1], [0, 0]]);
        assert.deepEqual(m.closed(sq), sq);
    });
    test('today is the day in Vietnam (UTC+7)', () => {
        assert.equal(m.today(new Date('2021-07-04T16:59:59Z')), '2021-07-04');
        assert.equal(m.today(new Date('2021-07-04T17:00:00Z')), '2021-07-05');
    });
    test('checkDates finds an end before its start', () => {
        assert.deepEqual(m.checkDates({start: '2021-07-02', end: '2021-07-01', visited_from: '2021-06-01', visited_to: '2021-06-02'}), ['end']);
        assert.deepEqual(m.checkDates({visited_from: '2021-06-03', visited_to: '2021-06-02'}), ['visited_to']);
        assert.deepEqual(m.checkDates({start: '2021-07-02'}), []);
    });
    test('withQueryables takes the server’s vocabularies and properties', () => {
        const f = m.withQueryables(m.fieldsOf('lockdown_points'), {properties: {
            level: {type: 'string', enum: ['hamlet', 'ward']}, geometry: {format: 'geometry-point'}, extra: {type: 'string', format: 'date'}}});
        assert.deepEqual(f.find((x) => x.name === 'level').values, ['hamlet', 'ward']);
        assert.deepEqual(f.find((x) => x.name === 'extra'), {name: 'extra', type: 'date', values: undefined});
        assert.equal(f.find((x) => x.name === 'geometry'), undefined);
        assert.deepEqual(m.fieldsOf('lockdown_points').find((x) => x.name === 'level').values, ['hamlet', 'neighbourhood', 'residential_group'], 'the catalog copy changed');
    });
    test('a failed call keeps the wait, the reasons in both languages and a conflict’s current version', () => {
        const wait = new m.Problem(429, {detail: 'too many sign-in attempts'}, new Headers({'Retry-After': '120'}));
        assert.equal(wait.retryAfter, 120);
        assert.equal(wait.reason('vi'), 'too many sign-in attempts', 'without detail_vi the English reason stands in');
        const bad = new m.Problem(422, {detail: 'invalid', detail_vi: 'không hợp lệ', errors: [{field: 'geometry', reason: 'self-intersection', reason_vi: 'tự cắt', at: [106.6, 11]}]}, new Headers());
        assert.equal(bad.reason('vi'), 'không hợp lệ');
        assert.equal(bad.reason('en'), 'invalid');
        assert.equal(m.fieldReason(bad.errors[0], 'vi'), 'tự cắt');
        assert.equal(m.fieldReason(bad.errors[0], 'en'), 'self-intersection');
        assert.equal(m.fieldReason({reason: 'only English'}, 'vi'), 'only English');
        const stale = new m.Problem(412, {detail: 'stale', current: {type: 'Feature', id: 'z1', properties: {}, geometry: null, revision: 3}}, new Headers({ETag: '"r3"'}));
        assert.equal(stale.etag, '"r3"');
        assert.equal(stale.current.etag, '"r3"');
        assert.equal(new m.Problem(429, {}, new Headers({'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT'})).retryAfter, undefined);
    });
    test('who may touch what', () => {
        assert.equal(m.canEdit({role: 'editor'}), true);
        assert.equal(m.canEdit({role: 'viewer'}), false);
        assert.equal(m.canEdit(undefined), false);
        assert.equal(m.inDistrict({role: 'editor', district: '718'}, {district_code: '718'}), true);
        assert.equal(m.inDistrict({role: 'editor', district: '718'}, {district_code: '721'}), false);
        assert.equal(m.inDistrict({role: 'editor'}, {district_code: '721'}), true);
    });
});

describe('translation table', () => {
    test('every key exists in both languages', () => assert.deepEqual(m.untranslated(), []));
    test('every collection has a title', () => {
        for (const lang of ['vi', 'en']) {
            const tr = new m.Translator(lang);
            for (const id of ['cases', 'contacts', 'medical_facilities', 'epidemic_points', 'lockdown_points',
                'emergency_stations', 'quarantine_zones', ...m.NEARBY_LAYERS, 'districts', 'wards']) {
                assert.ok(tr.has(`layer.${id}`), `${lang}: layer.${id}`);
            }
        }
    });
    test('formats', () => {
        const vi = new m.Translator('vi');
        const en = new m.Translator('en');
        assert.equal(vi.t('popup.cell.cases', {n: 12}), '12 ca dương tính trong khu vực này');
        assert.equal(vi.t('no.such.key'), 'no.such.key');
        assert.equal(vi.date('2021-07-05'), '05/07/2021');
        assert.equal(en.date('2021-07-05'), '05/07/2021');
        assert.equal(vi.distance(850.4), '850 m');
        assert.equal(vi.distance(1234), '1,2 km');
        assert.equal(en.distance(1234), '1.2 km');
        assert.equal(vi.number(1301), '1.301');
    });
    test('the last update is a day, never a time of day', () => {
        const vi = new m.Translator('vi');
        const en = new m.Translator('en');
        assert.equal(vi.t('stats.updated', {d: vi.date('2021-07-05')}), 'Cập nhật ngày 05/07/2021');
        assert.equal(en.t('stats.updated', {d: en.date('2021-07-05')}), 'Last updated 05/07/2021');
        assert.equal(typeof vi.time, 'undefined', 'a time-of-day formatter invites formatting days as instants');
    });
    test('style layer ids map to collections', () => {
        assert.equal(m.collectionOf('quarantine_zones-fill'), 'quarantine_zones');
        assert.equal(m.collectionOf('cases-count'), 'cases');
        assert.equal(m.collectionOf('cases'), 'cases');
        assert.equal(m.collectionOf('background'), undefined);
        assert.equal(m.collectionOf('nearby-places'), undefined);
    });
});
