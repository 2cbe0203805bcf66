// Popup contents: the public attributes of what was clicked. Aggregated
// cells of the people layers show only their counts.

import {DATES, ENUMERATED, LAYERS, layer} from './catalog.ts';
import {h} from './dom.ts';
import {formatOpeningHours} from './hours.ts';
import type {Translator} from './i18n.ts';
import type {BandoMap} from './map.ts';
import {SOURCE} from './map.ts';

/** Shown is the little popups need from a rendered feature. */
export interface Shown {
    collection: string;
    properties: Record<string, unknown>;
}

const MAX_SHOWN = 4;
const MAX_LINES = 6;

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
    if (prop === 'opening_hours') return formatOpeningHours(tr, s);
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
    const title = h('h2', {}, t(`layer.${f.collection}`));
    if (cat?.people && typeof p.count === 'number' && p.code === undefined && p.tier === undefined) {
        return h('section', {className: 'popup-cell'}, title,
            h('p', {className: 'popup-count'}, tr.tn(`popup.cell.${f.collection}`, p.count)),
            h('p', {className: 'popup-note'}, t('popup.cell.note')));
    }
    const heading = p.name ?? p.code;
    const rows = (cat?.props ?? [])
        .filter((k) => !(k === 'code' && heading === p.code))
        .map((k) => [k, value(tr, names, k, p[k])] as const)
        .filter((r): r is readonly [string, string] => r[1] !== undefined)
        .map(([k, v]) => [k, k === 'phone' ? phoneLink(tr, v) : v] as const);
    return h('section', {},
        title,
        heading !== undefined ? h('p', {className: 'popup-name'}, String(heading)) : null,
        rows.length ? h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, label(tr, f.collection, k)), h('dd', {}, v)])) : null,
        cat?.people ? h('p', {className: 'popup-note'}, t('popup.point.note')) : null);
}

/**
 * phoneLink makes a phone number tap-to-call: the tel: address keeps only
 * the digits and a leading +.
 */
export function phoneLink(tr: Translator, phone: string): HTMLAnchorElement {
    const dial = phone.replace(/(?!^\+)[^\d]/g, '');
    return h('a', {href: `tel:${dial}`, className: 'popup-tel', 'aria-label': tr.t('popup.call', {phone})}, phone);
}

/** line sums up one person of a people layer in a line. */
function line(tr: Translator, names: Names, f: Shown): string {
    const p = f.properties;
    const v = (k: string) => value(tr, names, k, p[k]);
    const parts = f.collection === 'cases'
        ? [v('code'), v('report_date'), v('status')]
        : [v('tier'), [v('quarantine_start'), v('quarantine_end')].filter(Boolean).join('–') || undefined];
    return parts.filter(Boolean).join(' · ');
}

/** crowd sums up several people of one layer snapped to the same point. */
function crowd(tr: Translator, names: Names, group: Shown[]): HTMLElement {
    const t = tr.t.bind(tr);
    const c = group[0].collection;
    const shown = group.slice(0, MAX_LINES);
    const area = [value(tr, names, 'ward_code', group[0].properties.ward_code), value(tr, names, 'district_code', group[0].properties.district_code)]
        .filter(Boolean).join(', ');
    return h('section', {className: 'popup-crowd'},
        h('h2', {}, t(`layer.${c}`)),
        h('p', {className: 'popup-count'}, tr.tn(`popup.here.${c}`, group.length)),
        h('ul', {}, ...shown.map((f) => h('li', {}, line(tr, names, f)))),
        group.length > shown.length ? h('p', {className: 'popup-more'}, tr.tn(`popup.more.${c}`, group.length - shown.length)) : null,
        area ? h('p', {className: 'popup-where'}, area) : null,
        h('p', {className: 'popup-note'}, t('popup.point.note')));
}

/**
 * popupContent builds the popup for the features found at a click. first
 * lists the collections drawn right under the pointer, topmost first: what
 * was clicked comes before what was merely near (a zone clicked at
 * province zoom before the case cells beside it).
 */
export function popupContent(tr: Translator, names: Names, found: Shown[], first: string[] = []): HTMLElement {
    const rank = (c: string) => {
        const hit = first.indexOf(c);
        if (hit >= 0) return hit - first.length;
        const i = LAYERS.findIndex((l) => l.id === c);
        return i < 0 ? LAYERS.length : i;
    };
    const isArea = (f: Shown) => f.collection === 'wards' || f.collection === 'districts';
    const areas = found.filter(isArea).sort((a, b) => rank(b.collection) - rank(a.collection));
    const things = found.filter((f) => !isArea(f)).sort((a, b) => rank(a.collection) - rank(b.collection));
    const parts: HTMLElement[] = [];
    let left = 0;
    for (const c of [...new Set(things.map((f) => f.collection))]) {
        const group = things.filter((f) => f.collection === c);
        const single = group.filter((f) => typeof f.properties.count !== 'number' || f.properties.code !== undefined || f.properties.tier !== undefined);
        if (layer(c)?.people && single.length > 1) {
            parts.push(crowd(tr, names, single));
            group.filter((f) => !single.includes(f)).forEach((f) => parts.push(section(tr, names, f)));
        } else {
            for (const f of group) {
                if (parts.length < MAX_SHOWN) parts.push(section(tr, names, f)); else left++;
            }
        }
    }
    if (!things.length) areas.slice(0, MAX_SHOWN).forEach((f) => parts.push(section(tr, names, f)));
    // Where the click fell, as a line under what was clicked.
    const where = things.length ? areas.map((a) => a.properties.name).filter((n) => typeof n === 'string').join(', ') : '';
    return h('div', {className: 'popup', role: 'dialog', 'aria-label': tr.t(`layer.${(things[0] ?? areas[0])?.collection ?? 'cases'}`)},
        ...parts,
        left > 0 ? h('p', {className: 'popup-more'}, tr.tn('popup.more', left)) : null,
        where ? h('p', {className: 'popup-where'}, where) : null);
}
