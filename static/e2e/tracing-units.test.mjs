// Unit tests of the tracing screen's pure parts (src/admintracingmodel.ts,
// src/admintracingtext.ts): the F0 list as typed, Vietnam times, each
// reason in plain words in both languages, the tier filter, the exposure
// map's GeoJSON, the runs API's shapes; no browser, no server.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {before, describe, test} from 'node:test';
import {fileURLToPath, pathToFileURL} from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let m;
let vi;
let en;

before(async () => {
    const out = await esbuild.build({
        stdin: {
            contents: `
                export * from './src/admintracingmodel.ts';
                export {TRACING_TEXTS} from './src/admintracingtext.ts';
                export {Translator, untranslated, addTexts} from './src/i18n.ts';`,
            resolveDir: root, loader: 'ts',
        },
        bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error',
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bando-tracing-units-')), 'units.mjs');
    fs.writeFileSync(file, out.outputFiles[0].text);
    m = await import(pathToFileURL(file).href);
    m.addTexts(m.TRACING_TEXTS);
    vi = new m.Translator('vi');
    en = new m.Translator('en');
});

describe('the F0 list', () => {
    const cases = [
        {in: 'BD-1', want: {case: 'BD-1'}},
        {in: 'BN12345', want: {case: 'BN12345'}},
        {in: '0912345678', want: {phone: '0912345678'}},
        {in: '0912 345 678', want: {phone: '0912345678'}},
        {in: '+84912345678', want: {phone: '+84912345678'}},
        {in: '012345678901', want: {id_number: '012345678901'}},
        {in: '123456789', want: {id_number: '123456789'}},
        {in: 'sdt: 0912.345.678', want: {phone: '0912345678'}},
        {in: 'CCCD: 012345678901', want: {id_number: '012345678901'}},
        {in: 'mã: 0912345678', want: {case: '0912345678'}},
        {in: '12345', want: undefined},
        {in: 'a b c', want: undefined},
        {in: '<script>', want: undefined},
        {in: 'phone:', want: undefined},
    ];
    for (const c of cases) test(`classify ${JSON.stringify(c.in)}`, () => assert.deepEqual(m.classify(c.in), c.want));

    test('one a line, blanks and # comments skipped, bad and repeated lines named by number', () => {
        const r = m.parseF0s('BD-1\n\n# a note\n0912345678\nxx yy\nBD-1\r\n012345678901\n');
        assert.deepEqual(r.f0, [{case: 'BD-1'}, {phone: '0912345678'}, {id_number: '012345678901'}]);
        assert.deepEqual(r.lines, [1, 4, 7]);
        assert.deepEqual(r.problems, [{line: 5, value: 'xx yy', kind: 'bad'}, {line: 6, value: 'BD-1', kind: 'dup'}]);
    });
    test('a problem field names its F0', () => {
        assert.equal(m.lineOfField('f0[2].phone'), 2);
        assert.equal(m.lineOfField('/f0/0/onset'), 0);
        assert.equal(m.lineOfField('f0.3'), 3);
        assert.equal(m.lineOfField('reason'), -1);
        assert.equal(m.lineOfField(undefined), -1);
    });
});

describe('Vietnam times', () => {
    test('a datetime-local value is Vietnam time', () => {
        assert.equal(m.vnLocal('2021-08-20T08:00'), '2021-08-20T08:00:00+07:00');
        assert.equal(m.vnLocal(''), '');
        assert.equal(m.vnLocal('2021-02-30T08:00'), undefined);
        assert.equal(m.vnLocal('20/08/2021'), undefined);
    });
    test('instants read on Vietnam’s clock, days too', () => {
        assert.equal(m.vnTime(vi, '2021-08-20T01:30:00Z'), '20/08/2021 08:30');
        assert.equal(m.vnTime(en, '2021-08-19T17:05:00Z'), '20/08/2021 00:05');
        assert.equal(m.vnDay(vi, '2021-08-19T17:00:00Z'), '20/08/2021');
        assert.equal(m.vnDay(vi, '2021-08-20'), '20/08/2021');
        assert.equal(m.vnDay(vi, '0001-01-01T00:00:00Z'), '');
        assert.equal(m.vnToday(Date.parse('2021-08-19T17:00:00Z')), '2021-08-20');
        assert.ok(m.zeroTime('0001-01-01T00:00:00Z') && m.zeroTime(null) && !m.zeroTime('2021-08-20T00:00:00Z'));
    });
    test('a span names its day once', () => {
        assert.equal(m.vnSpan(vi, '2021-08-20T01:00:00Z', '2021-08-20T01:45:00Z'), '20/08/2021 08:00–08:45');
        assert.equal(m.vnSpan(vi, '2021-08-20T16:00:00Z', '2021-08-20T17:30:00Z'), '20/08/2021 23:00 – 21/08/2021 00:30');
    });
});

describe('reasons in plain words', () => {
    const at = {via: 'BD-1', start: '2021-08-20T01:00:00Z', end: '2021-08-20T01:23:00Z'};
    const cases = [
        {r: {...at, kind: 'venue', tier: 'F1', venue: {id: 'v1', name: 'Chợ Lái Thiêu', category: 'market', lon: 106.7, lat: 10.9, overlap_minutes: 23}},
            vi: 'Qua BD-1: check-in trùng 23 phút tại Chợ Lái Thiêu (Chợ) (20/08/2021 08:00–08:23)',
            en: 'Via BD-1: check-ins overlapping 23 minutes at Chợ Lái Thiêu (Market) (20/08/2021 08:00–08:23)'},
        {r: {...at, kind: 'ride', tier: 'F1', ride: {enterprise: 'pouyuen', bus: '61B-123.45', date: '2021-08-20', trip: 'am', seat: '4', via_seat: '5'}},
            vi: /^Qua BD-1: đi chung xe đưa đón 61B-123\.45 của pouyuen, chuyến sáng ngày 20\/08\/2021, ghế 4 \(nguồn ghế 5\)/,
            en: /^Via BD-1: rode the same shuttle bus 61B-123\.45 of pouyuen, morning trip on 20\/08\/2021, seat 4 \(source in seat 5\)/},
        {r: {...at, kind: 'room', tier: 'F1', residence: {ward: '71803', boarding_house: 'Bình An', room: '12', via_room: '12', days: 3}},
            vi: /^Qua BD-1: cùng phòng trọ 12, nhà trọ Bình An, 3 ngày/, en: /^Via BD-1: same boarding-house room 12 at Bình An, 3 days/},
        {r: {...at, kind: 'house', tier: 'epi', residence: {boarding_house: 'Bình An', room: '3', via_room: '12', days: 1}},
            vi: /cùng nhà trọ Bình An \(phòng 3, nguồn ở phòng 12\), 1 ngày/, en: /same boarding house Bình An \(room 3, source in room 12\), 1 days/},
        {r: {...at, kind: 'household', tier: 'F1', residence: {address: '5 Đường 30/4', days: 2}},
            vi: /cùng hộ gia đình tại 5 Đường 30\/4, 2 ngày/, en: /same household at 5 Đường 30\/4, 2 days/},
        {r: {...at, kind: 'line', tier: 'F1', line: {enterprise: 'pouyuen', site: 'X1', line: 'L3', shift: 'ca1', days: 2}},
            vi: /cùng chuyền L3\/ca ca1, xưởng X1 của pouyuen, 2 ngày/, en: /same line L3\/shift ca1, site X1 of pouyuen, 2 days/},
        {r: {...at, kind: 'proximity', tier: 'F1', proximity: {minutes: 20, points: 2, closest_m: 7.4}},
            vi: /ở gần nhau 20 phút \(gần nhất 7 m\)/, en: /close to each other for 20 minutes \(closest 7 m\)/},
    ];
    for (const c of cases) {
        test(`${c.r.kind} (${c.r.tier})`, () => {
            for (const [tr, want] of [[vi, c.vi], [en, c.en]]) {
                const got = m.reasonText(tr, c.r);
                if (typeof want === 'string') assert.equal(got, want);
                else assert.match(got, want);
            }
        });
    }
    test('missing evidence says unknown, never "undefined"', () => {
        const got = m.reasonText(vi, {kind: 'room', tier: 'F1', via: 'BD-1', start: '', end: ''});
        assert.doesNotMatch(got, /undefined|null/);
        assert.match(got, /chưa rõ/);
    });
});

const contacts = [
    {key: 'aa', tier: 'F1', level: 1, via: ['BD-1'], reasons: [
        {kind: 'venue', tier: 'F1', via: 'BD-1', start: '', end: '', venue: {id: 'v1', name: 'Chợ', lon: 106.7, lat: 10.9, overlap_minutes: 30}},
        {kind: 'room', tier: 'F1', via: 'BD-1', start: '', end: '', residence: {room: '1'}}]},
    {key: 'bb', tier: 'F2', level: 2, via: ['F1:aaaaaaaa'], reasons: [
        {kind: 'venue', tier: 'F1', via: 'F1:aaaaaaaa', start: '', end: '', venue: {id: 'v2', name: 'Gym', lon: 106.8, lat: 11.0}}]},
    {key: 'cc', tier: 'epi', level: 0, via: ['BD-1'], reasons: [
        {kind: 'venue', tier: 'epi', via: 'BD-1', start: '', end: '', venue: {id: 'v1', name: 'Chợ', lon: 106.7, lat: 10.9}},
        {kind: 'venue', tier: 'epi', via: 'BD-1', start: '', end: '', venue: {id: 'v3', name: 'Siêu thị', lon: 106.6, lat: 10.8}}]},
];

describe('contacts and the exposure map', () => {
    test('tiers are counted in order and filtered', () => {
        assert.deepEqual(m.tierCounts(contacts), [['F1', 1], ['F2', 1], ['epi', 1]]);
        assert.deepEqual(m.filterContacts(contacts, 'epi').map((c) => c.key), ['cc']);
        assert.equal(m.filterContacts(contacts, '').length, 3);
        assert.equal(m.tierName(vi, 'epi'), 'Yếu tố dịch tễ');
        assert.equal(m.tierName(en, 'F4'), 'F4');
    });
    test('exposure venues: one point per venue, F1 when any reason is', () => {
        const vs = m.exposureVenues(contacts);
        assert.deepEqual(vs.map((v) => [v.id, v.tier, v.count]), [['v1', 'F1', 2], ['v2', 'F1', 1], ['v3', 'epi', 1]]);
        const fc = m.venueFeatures(vs);
        assert.deepEqual(fc.features[0].geometry, {type: 'Point', coordinates: [106.7, 10.9]});
        const zone = {type: 'Feature', properties: {wards: ['71803']}, geometry: {type: 'MultiPolygon', coordinates: [[[[106.5, 10.7], [106.9, 10.7], [106.9, 11.2], [106.5, 10.7]]]]}};
        assert.deepEqual(m.bounds(vs, zone), [106.5, 10.7, 106.9, 11.2]);
        assert.deepEqual(m.bounds([], null), undefined);
        assert.deepEqual(m.zoneWards(zone), ['71803']);
        assert.equal(m.zoneFeatures(null).features.length, 0);
        assert.equal(m.zoneFeatures(zone).features.length, 1);
    });
    test('the runs API’s lists, in either shape', () => {
        assert.deepEqual(m.runsOf({runs: [{id: 'r1'}]}), [{id: 'r1'}]);
        assert.deepEqual(m.runsOf([{id: 'r2'}]), [{id: 'r2'}]);
        assert.deepEqual(m.runsOf(null), []);
        assert.deepEqual(m.labelsOf({id: 'r', f0: [{label: 'BD-1'}, 'BD-2']}), ['BD-1', 'BD-2']);
        assert.deepEqual(m.casesOf({cases: [{code: 'BD-1'}]}), [{code: 'BD-1'}]);
        assert.deepEqual(m.casesOf({type: 'FeatureCollection', features: [{id: 'BD-2', properties: {ward: 'Lạc Lộc'}}]}), [{ward: 'Lạc Lộc', code: 'BD-2'}]);
    });
});

describe('the server’s refusals', () => {
    const cases = [
        {e: {pointer: '#/f0/0/case', detail: 'no case "BD-9"'}, at: {f0: 0, name: 'case'}, vi: 'không có ca “BD-9”', en: 'no case "BD-9"'},
        {e: {pointer: '#/f0/1', detail: 'the same person as #/f0/0'}, at: {f0: 1, name: '1'}, vi: 'cùng một người với dòng 2', en: 'the same person as #/f0/0'},
        {e: {pointer: '#/f0/2/onset', detail: 'give the onset (or positive sample) of a phone or ID number, e.g. 2021-08-20'}, at: {f0: 2, name: 'onset'},
            vi: 'với số điện thoại hay CCCD, nhập thời điểm khởi phát (hoặc lấy mẫu dương tính)'},
        {e: {pointer: '#/reason', detail: 'say why, in at least 5 characters (a case number, an outbreak); it is logged'}, at: {f0: -1, name: 'reason'},
            vi: 'ghi lý do, ít nhất 5 ký tự (mã ca, ổ dịch); lý do được ghi nhật ký'},
        {e: {field: 'depth', reason: 'bad', reason_vi: 'sai'}, at: {f0: -1, name: 'depth'}, vi: 'sai', en: 'bad'},
        {e: {pointer: '#/f0', detail: 'something new'}, at: {f0: -1, name: 'f0'}, vi: 'something new'},
        {e: {pointer: '#/f0', detail: 'F0 "ID 07********21": the same person is given twice'}, at: {f0: -1, name: 'f0'},
            vi: 'F0 “ID 07********21”: một người được nhập hai lần (chẳng hạn số điện thoại và số CCCD của cùng một người)'},
    ];
    for (const c of cases) {
        test(c.e.detail ?? c.e.reason, () => {
            assert.deepEqual(m.fieldOf(c.e), c.at);
            assert.equal(m.serverReason(vi, c.e, (i) => [2, 3][i] ?? i + 1), c.vi);
            if (c.en) assert.equal(m.serverReason(en, c.e), c.en);
        });
    }
});

describe('the tracing screen’s words', () => {
    test('every key exists in both languages', () => assert.deepEqual(m.untranslated(), []));
    test('the same keys in both tables', () => assert.deepEqual(Object.keys(m.TRACING_TEXTS.vi).sort(), Object.keys(m.TRACING_TEXTS.en).sort()));
});
