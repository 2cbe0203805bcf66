// Downloads of the day's public data: the bulletin's figures as CSV
// (/api/stats.csv) and the public layers as GeoJSON (the OGC API's items
// as of the day). Cases and contacts come as the public tiles hold them,
// counted grid cells; nothing names, dials or locates a person.

import {h} from './dom.ts';
import type {Translator} from './i18n.ts';

/** GEOJSON_LAYERS are the collections offered as GeoJSON, in this order. */
export const GEOJSON_LAYERS = ['cases', 'contacts', 'quarantine_zones', 'lockdown_points', 'epidemic_points', 'medical_facilities', 'emergency_stations'];

/** ITEMS_LIMIT is the most features one download asks for. */
const ITEMS_LIMIT = 10000;

/**
 * CUMULATIVE are the layers of instants (a case is dated by its report):
 * the map of a day shows those reported by then, so their download asks for
 * the days up to it (datetime=../DAY). datetime=DAY alone would select, per
 * district, the cases of one release day, which is neither the day's new
 * cases nor what the map shows. Periods (contacts in quarantine, zones) are
 * those in force on the day, as the map shows them.
 */
const CUMULATIVE = new Set(['cases']);

/** downloadLinks lists the downloads of one day. */
export function downloadLinks(date: string): Array<{key: string; layer?: string; href: string; file: string}> {
    const d = encodeURIComponent(date);
    return [
        {key: 'download.stats', href: `/api/stats.csv?date=${d}`, file: `binhduong-covid19-${date}.csv`},
        ...GEOJSON_LAYERS.map((id) => ({
            key: CUMULATIVE.has(id) ? `download.${id}` : 'download.layer', layer: id,
            href: `/ogc/collections/${id}/items?f=json&datetime=${CUMULATIVE.has(id) ? `../${d}` : d}&limit=${ITEMS_LIMIT}`,
            file: `binhduong-${id}-${date}.geojson`,
        })),
    ];
}

/** Downloads renders the links of the chosen day into a container. */
export class Downloads {
    private readonly el: HTMLElement;
    private readonly tr: Translator;
    private date?: string;
    /** k, the smallest group published (the style's metadata), once known */
    private minCount?: number;

    constructor(el: HTMLElement, tr: Translator) {
        this.el = el;
        this.tr = tr;
        tr.onChange(() => this.render());
    }

    /** setDate shows the links of date. */
    setDate(date: string | undefined): void {
        this.date = date;
        this.render();
    }

    /** setMinCount names k, the smallest group published, in the note. */
    setMinCount(k: number | undefined): void {
        this.minCount = k;
        this.render();
    }

    private render(): void {
        const t = this.tr.t.bind(this.tr);
        if (!this.date) {
            this.el.replaceChildren();
            return;
        }
        this.el.replaceChildren(
            h('h2', {id: 'download-title'}, t('download.title', {d: this.tr.date(this.date)})),
            h('ul', {className: 'download-list', 'aria-labelledby': 'download-title'},
                ...downloadLinks(this.date).map((l) => h('li', {},
                    h('a', {href: l.href, download: l.file, className: 'download-link', 'data-layer': l.layer ?? 'stats'},
                        t(l.key, {layer: l.layer ? t(`layer.${l.layer}`) : '', d: this.tr.date(this.date ?? '')}))))),
            h('p', {className: 'hint', id: 'download-note'}, this.minCount ? t('download.note.k', {k: this.minCount}) : t('download.note')));
    }
}
