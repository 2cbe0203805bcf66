// Popup contents: the public attributes of what was clicked. Aggregated
// cells of the people layers show only their counts.

import {DATES, ENUMERATED, layer} from './catalog.ts';
import {h} from './dom.ts';
import type {Translator} from './i18n.ts';
import type {BandoMap} from './map.ts';
import {SOURCE} from './map.ts';

/** Shown is the little popups need from a rendered feature. */
export interface Shown {
    collection: string;
    properties: Record<string, unknown>;
}

const MAX_SHOWN = 4;

/** Names resolves area codes to names for popups. */
export class Names {
    private readonly known = new Map<string, string>();
    private readonly bm: BandoMap;

    constructor(bm: BandoMap) {
        this.bm = bm;
    }

    /** add remembers a name for a code. */
    add(code: string, name: string): void {
        this.known.set(code, name);
    }

    /** name gives the name of a district or ward code, if the map knows it. */
    name(collection: 'districts' | 'wards', code: string): string | undefined {
        const hit = this.known.get(code);
        if (hit) return hit;
        const f = this.bm.map.querySourceFeatures(SOURCE, {sourceLayer: collection, filter: ['==', ['get', 'code'], code]})[0];
        const name = f?.properties?.name;
        if (typeof name === 'string') {
            this.known.set(code, name);
            return name;
        }
        return undefined;
    }
}

function value(tr: Translator, names: Names, prop: string, v: unknown): string | undefined {
    if (v === null || v === undefined || v === '') return undefined;
    const s = String(v);
    if (prop === 'district_code') return names.name('districts', s) ?? s;
    if (prop === 'ward_code') return names.name('wards', s);
    if (DATES.has(prop)) return tr.date(s);
    if (ENUMERATED.has(prop) && tr.has(`value.${s}`)) return tr.t(`value.${s}`);
    if (typeof v === 'number') return tr.number(v);
    return s;
}

/** label names a property, with a collection's own wording when it has one. */
function label(tr: Translator, collection: string, prop: string): string {
    const own = `prop.${collection}.${prop}`;
    return tr.has(own) ? tr.t(own) : tr.t(`prop.${prop}`);
}

function section(tr: Translator, names: Names, f: Shown): HTMLElement {
    const t = tr.t.bind(tr);
    const cat = layer(f.collection);
    const p = f.properties;
    const title = h('h3', {}, t(`layer.${f.collection}`));
    if (cat?.people && typeof p.count === 'number' && p.code === undefined && p.tier === undefined) {
        return h('section', {className: 'popup-cell'}, title,
            h('p', {className: 'popup-count'}, t(`popup.cell.${f.collection}`, {n: tr.number(p.count)})),
            h('p', {className: 'popup-note'}, t('popup.cell.note')));
    }
    const heading = p.name ?? p.code;
    const rows = (cat?.props ?? [])
        .filter((k) => !(k === 'code' && heading === p.code))
        .map((k) => [k, value(tr, names, k, p[k])] as const)
        .filter((r): r is readonly [string, string] => r[1] !== undefined);
    return h('section', {},
        title,
        heading !== undefined ? h('p', {className: 'popup-name'}, String(heading)) : null,
        rows.length ? h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, label(tr, f.collection, k)), h('dd', {}, v)])) : null);
}

/** popupContent builds the popup for the features found at a click. */
export function popupContent(tr: Translator, names: Names, found: Shown[]): HTMLElement {
    const areas = found.filter((f) => f.collection === 'wards' || f.collection === 'districts')
        .sort((a, b) => (a.collection === 'wards' ? -1 : 1) - (b.collection === 'wards' ? -1 : 1));
    const things = found.filter((f) => !areas.includes(f))
        .sort((a, b) => Number(a.collection === 'quarantine_zones') - Number(b.collection === 'quarantine_zones'));
    const main = things.length ? things : areas;
    const shown = main.slice(0, MAX_SHOWN);
    const more = main.length - shown.length;
    // Where the click fell, as a line under what was clicked.
    const where = things.length ? areas.map((a) => a.properties.name).filter((n) => typeof n === 'string').join(', ') : '';
    return h('div', {className: 'popup', role: 'dialog', 'aria-label': tr.t(`layer.${shown[0]?.collection ?? 'cases'}`)},
        ...shown.map((f) => section(tr, names, f)),
        more > 0 ? h('p', {className: 'popup-more'}, tr.t('popup.more', {n: more})) : null,
        where ? h('p', {className: 'popup-where'}, where) : null);
}
