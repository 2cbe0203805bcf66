// "What is in view": the features the map draws in its current view as a
// list of buttons, for keyboards and screen readers that cannot point at
// a dot. It follows the map (each move, each loaded tile); Enter on an
// entry opens that feature's popup, as a click on the map would.

import type {MapGeoJSONFeature} from 'maplibre-gl';
import {collectionOf, LAYERS, layer} from './catalog.ts';
import {h} from './dom.ts';
import type {Translator} from './i18n.ts';
import type {BandoMap} from './map.ts';
import {SOURCE} from './map.ts';
import type {Names, Shown} from './popup.ts';

const MAX_LISTED = 60;

/** Entry is one feature of the list. */
export interface Entry {
    shown: Shown;
    at: [number, number];
}

/** anchorOf is where a feature's popup opens: a point itself, an area's middle. */
export function anchorOf(f: {geometry: GeoJSON.Geometry}): [number, number] | undefined {
    const g = f.geometry;
    if (g.type === 'Point') return [g.coordinates[0], g.coordinates[1]];
    const xs: number[] = [];
    const ys: number[] = [];
    const walk = (c: unknown): void => {
        if (Array.isArray(c) && typeof c[0] === 'number') {
            xs.push(c[0] as number);
            ys.push(c[1] as number);
        } else if (Array.isArray(c)) c.forEach(walk);
    };
    if ('coordinates' in g) walk(g.coordinates);
    if (!xs.length) return undefined;
    return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}

/**
 * InView renders the list into a container. open is called with an entry
 * when the user picks it.
 */
export class InView {
    private readonly bm: BandoMap;
    private readonly tr: Translator;
    private readonly names: Names;
    private readonly open: (e: Entry) => void;
    private entries: Entry[] = [];
    private more = 0;
    private timer?: number;
    private readonly details = h('details', {className: 'inview', id: 'inview'});
    private readonly summary = h('summary', {id: 'inview-title'});
    private readonly hint = h('p', {className: 'hint'});
    private readonly list = h('ul', {className: 'inview-list', id: 'inview-list', 'aria-labelledby': 'inview-title'});
    private readonly foot = h('p', {className: 'hint', id: 'inview-more'});

    constructor(el: HTMLElement, bm: BandoMap, tr: Translator, names: Names, open: (e: Entry) => void) {
        this.bm = bm;
        this.tr = tr;
        this.names = names;
        this.open = open;
        this.details.append(this.summary, this.hint, this.list, this.foot);
        el.replaceChildren(this.details);
        const later = () => {
            window.clearTimeout(this.timer);
            this.timer = window.setTimeout(() => this.update(), 250);
        };
        bm.map.on('moveend', later);
        bm.map.on('idle', later);
        tr.onChange(() => this.render());
        this.update();
    }

    /** update reads what the map draws now. */
    update(): void {
        const layers = (this.bm.map.getStyle()?.layers ?? [])
            .filter((l) => 'source' in l && l.source === SOURCE)
            .filter((l) => {
                const c = collectionOf(l.id);
                return c !== undefined && this.bm.visible.has(c) && layer(c)?.group !== 'boundary';
            })
            .map((l) => l.id);
        const seen = new Set<string>();
        const found: MapGeoJSONFeature[] = layers.length ? this.bm.map.queryRenderedFeatures(undefined, {layers}) : [];
        const entries: Entry[] = [];
        for (const f of found) {
            const c = f.sourceLayer ?? collectionOf(f.layer.id) ?? '';
            const key = `${c}/${f.id ?? JSON.stringify(f.properties)}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const at = anchorOf(f);
            if (at) entries.push({shown: {collection: c, properties: f.properties}, at});
        }
        const rank = (c: string) => LAYERS.findIndex((l) => l.id === c);
        entries.sort((a, b) => rank(a.shown.collection) - rank(b.shown.collection) || this.title(a).localeCompare(this.title(b)));
        const same = entries.length === this.entries.length + this.more &&
            entries.slice(0, MAX_LISTED).every((e, i) => this.entries[i] && this.title(this.entries[i]) === this.title(e) &&
                this.entries[i].at[0] === e.at[0] && this.entries[i].at[1] === e.at[1]);
        if (same) return;
        this.entries = entries.slice(0, MAX_LISTED);
        this.more = entries.length - this.entries.length;
        this.render();
    }

    /** title names an entry: its name, or what a counted cell holds. */
    private title(e: Entry): string {
        const p = e.shown.properties;
        const c = e.shown.collection;
        if (typeof p.name === 'string') return p.name;
        if (typeof p.count === 'number' && (c === 'cases' || c === 'contacts')) return this.tr.tn(`popup.cell.${c}`, p.count);
        if (typeof p.code === 'string') return p.code;
        return this.tr.t(`layer.${c}`);
    }

    private render(): void {
        const t = this.tr.t.bind(this.tr);
        const n = this.entries.length + this.more;
        this.summary.textContent = t('inview.title', {n: this.tr.number(n)});
        this.hint.textContent = n ? t('inview.hint') : t('inview.none');
        const focused = document.activeElement instanceof HTMLElement && this.list.contains(document.activeElement)
            ? document.activeElement.dataset.key : undefined;
        this.list.replaceChildren(...this.entries.map((e, i) => {
            const where = [e.shown.properties.ward_code, e.shown.properties.district_code]
                .map((code, j) => typeof code === 'string' ? this.names.name(j === 0 ? 'wards' : 'districts', code) : undefined)
                .filter(Boolean).join(', ');
            return h('li', {},
                h('button', {type: 'button', className: 'inview-item', 'data-key': `${e.shown.collection}/${i}`, onclick: () => this.open(e)},
                    h('span', {className: 'inview-kind'}, t(`layer.${e.shown.collection}`)),
                    h('span', {className: 'inview-name'}, this.title(e)),
                    where ? h('span', {className: 'inview-where'}, where) : null));
        }));
        if (focused) this.list.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
        this.foot.textContent = this.more ? t('inview.more', {n: this.tr.number(this.more)}) : '';
        this.foot.hidden = !this.more;
    }
}
