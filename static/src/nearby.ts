// "Near me": the browser's location, or a point the user clicks, lists the
// nearest services with distances and shows them on the map.

import {nearby, zonesAt, type Area, type Place, type ZonesAt} from './api.ts';
import {NEARBY_LAYERS} from './catalog.ts';
import {h} from './dom.ts';
import {areaLine, operatingLines} from './placeinfo.ts';
import type {Translator} from './i18n.ts';
import type {BandoMap} from './map.ts';
import type {GeoJSONSource, LngLat} from 'maplibre-gl';
import type {Feature} from 'geojson';

const SOURCE = 'nearby';
const RADII = [1000, 2000, 5000, 10000];
const LIMIT = 10;

/** Status is the line under the controls: a translation key and its values. */
interface Status {
    key: string;
    vars?: Record<string, string | number>;
}

/**
 * NearMe renders the near-me block of the lookup control. Its controls are
 * built once and only their state and texts change afterwards, so keyboard
 * focus stays on the control the user used; the status line and the list are
 * updated in place.
 */
export class NearMe {
    private readonly el: HTMLElement;
    private readonly bm: BandoMap;
    private readonly tr: Translator;
    private radius = 5000;
    private places: Place[] = [];
    private center?: [number, number];
    /** here says which isolation areas hold the chosen point. */
    private here?: ZonesAt;
    private status?: Status;
    private abort?: AbortController;
    /** picking is true while the next map click chooses the point. */
    picking = false;

    private readonly title = h('h2', {});
    private readonly meButton = h('button', {type: 'button', id: 'near-me', onclick: () => this.locate()});
    private readonly pickButton = h('button', {type: 'button', id: 'near-pick', onclick: () => this.pick()});
    private readonly radiusLabel = h('label', {for: 'near-radius'});
    private readonly radiusSelect = h('select', {id: 'near-radius', onchange: () => this.setRadius(Number(this.radiusSelect.value))},
        ...RADII.map((r) => h('option', {value: r, selected: r === this.radius})));
    private readonly clearButton = h('button', {type: 'button', id: 'near-clear', className: 'link', onclick: () => this.clear()});
    private readonly openNow = h('input', {type: 'checkbox', id: 'near-open-now', onchange: () => this.refresh()});
    private readonly freeBeds = h('input', {type: 'checkbox', id: 'near-free-beds', onchange: () => this.refresh()});
    private readonly openNowLabel = h('label', {for: 'near-open-now'});
    private readonly freeBedsLabel = h('label', {for: 'near-free-beds'});
    private readonly filtersLegend = h('legend', {});
    private readonly statusLine = h('p', {className: 'near-status', role: 'status', 'aria-live': 'polite'});
    /** hereLine says whether the chosen point lies in an isolation area; warning, whether listed places do. */
    private readonly hereLine = h('p', {className: 'near-here', role: 'status'});
    private readonly warning = h('p', {className: 'near-warning', role: 'alert'});
    private readonly results = h('div', {className: 'near-results'});

    constructor(el: HTMLElement, bm: BandoMap, tr: Translator) {
        this.el = el;
        this.bm = bm;
        this.tr = tr;
        this.addLayers();
        this.el.replaceChildren(
            this.title,
            h('div', {className: 'near-actions'}, this.meButton, this.pickButton),
            h('div', {className: 'near-radius'}, this.radiusLabel, this.radiusSelect, this.clearButton),
            h('fieldset', {className: 'near-filters'}, this.filtersLegend,
                h('span', {className: 'near-filter'}, this.openNow, this.openNowLabel),
                h('span', {className: 'near-filter'}, this.freeBeds, this.freeBedsLabel)),
            this.statusLine,
            this.hereLine,
            this.warning,
            this.results);
        this.text();
        this.show();
        tr.onChange(() => {
            this.text();
            this.show();
        });
    }

    private addLayers(): void {
        const map = this.bm.map;
        map.addSource(SOURCE, {type: 'geojson', data: {type: 'FeatureCollection', features: []}});
        map.addLayer({
            id: 'nearby-center', type: 'circle', source: SOURCE, filter: ['==', ['get', 'kind'], 'center'],
            paint: {'circle-radius': 7, 'circle-color': '#0b57d0', 'circle-stroke-width': 3, 'circle-stroke-color': '#ffffff'},
        });
        map.addLayer({
            id: 'nearby-places', type: 'circle', source: SOURCE, filter: ['==', ['get', 'kind'], 'place'],
            paint: {
                'circle-radius': 11, 'circle-color': ['case', ['get', 'flagged'], '#fde7e9', '#ffffff'],
                'circle-stroke-width': ['case', ['get', 'flagged'], 3.5, 2.5],
                'circle-stroke-color': ['case', ['get', 'flagged'], '#b3261e', '#0b57d0'],
            },
        });
        map.addLayer({
            id: 'nearby-rank', type: 'symbol', source: SOURCE, filter: ['==', ['get', 'kind'], 'place'],
            layout: {
                'text-field': ['to-string', ['get', 'rank']], 'text-font': ['Noto Sans Regular'], 'text-size': 12,
                'text-allow-overlap': true, 'text-ignore-placement': true,
            },
            paint: {'text-color': '#0b57d0'},
        });
    }

    private draw(): void {
        const features: Feature[] = this.places.map((p, i) => ({
            type: 'Feature', geometry: {type: 'Point', coordinates: [p.lon, p.lat]},
            properties: {kind: 'place', rank: i + 1, name: p.name, flagged: p.in_zone !== null && p.in_zone !== undefined},
        }));
        if (this.center) {
            features.push({type: 'Feature', geometry: {type: 'Point', coordinates: this.center}, properties: {kind: 'center'}});
        }
        this.bm.map.getSource<GeoJSONSource>(SOURCE)?.setData({type: 'FeatureCollection', features});
    }

    /** locate asks the browser for the user's position. */
    locate(): void {
        if (!('geolocation' in navigator)) {
            this.say({key: 'near.denied'});
            return;
        }
        this.say({key: 'near.loading'});
        navigator.geolocation.getCurrentPosition(
            (pos) => void this.query(pos.coords.longitude, pos.coords.latitude),
            () => this.say({key: 'near.denied'}),
            {enableHighAccuracy: false, timeout: 10000, maximumAge: 60000},
        );
    }

    /** pick makes the next map click choose the point (or cancels picking). */
    pick(): void {
        this.picking = !this.picking;
        this.bm.map.getCanvas().style.cursor = this.picking ? 'crosshair' : '';
        this.say(this.picking ? {key: 'near.picking'} : undefined);
    }

    /** picked takes the point the user clicked. */
    picked(at: LngLat): void {
        this.picking = false;
        this.bm.map.getCanvas().style.cursor = '';
        void this.query(at.lng, at.lat);
    }

    private setRadius(r: number): void {
        this.radius = r;
        this.refresh();
    }

    /** refresh asks again for the chosen point, after a change of radius or filter. */
    private refresh(): void {
        if (this.center) void this.query(this.center[0], this.center[1]);
    }

    /** date is the day the map shows: isolation areas are those in force that day. */
    private date(): string | undefined {
        // NOTE: the map's own date (YYYY-MM-DD), not the date field, which
        // shows the day as people write it (dd/mm/yyyy).
        return this.bm.date || undefined;
    }

    private async query(lon: number, lat: number): Promise<void> {
        this.abort?.abort();
        const abort = (this.abort = new AbortController());
        this.center = [lon, lat];
        this.places = [];
        this.here = undefined;
        this.draw();
        this.say({key: 'near.loading'});
        try {
            const date = this.date();
            const [r, here] = await Promise.all([
                nearby({lon, lat, radius: this.radius, layers: NEARBY_LAYERS, limit: LIMIT,
                    openNow: this.openNow.checked, freeBeds: this.freeBeds.checked, date}, abort.signal),
                zonesAt({lon, lat, date}, abort.signal),
            ]);
            if (abort.signal.aborted) return;
            this.places = r.places ?? [];
            this.here = here;
            this.draw();
            this.fit();
            this.say(this.places.length
                ? {key: 'near.results', vars: {n: this.places.length}}
                : {key: 'near.none'});
        } catch {
            if (!abort.signal.aborted) this.say({key: 'near.failed'});
        }
    }

    private fit(): void {
        if (!this.center) return;
        const pts = [this.center, ...this.places.map((p) => [p.lon, p.lat] as [number, number])];
        const lons = pts.map((p) => p[0]);
        const lats = pts.map((p) => p[1]);
        this.bm.map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]],
            {padding: this.padding(), maxZoom: 16, duration: 500});
    }

    /** padding keeps the fitted places clear of the lookup panel over the map. */
    private padding(): {top: number; bottom: number; left: number; right: number} {
        const pad = {top: 50, bottom: 50, left: 50, right: 60};
        const map = this.bm.map.getContainer().getBoundingClientRect();
        const panel = this.el.closest('.lookup')?.getBoundingClientRect();
        if (!panel || panel.width === 0) return pad;
        if (panel.right - map.left < map.width / 2) pad.left = panel.right - map.left + 30;
        else if (panel.bottom - map.top < map.height / 2) pad.top = panel.bottom - map.top + 30;
        return pad;
    }

    /** clear removes the results from the list and the map. */
    clear(): void {
        // The clear button hides itself: keep the keyboard in the panel.
        const refocus = document.activeElement === this.clearButton;
        this.abort?.abort();
        this.places = [];
        this.center = undefined;
        this.here = undefined;
        this.draw();
        this.say(undefined);
        if (refocus) this.pickButton.focus();
    }

    private say(status: Status | undefined): void {
        this.status = status;
        this.show();
    }

    /** text writes the texts that change only with the language. */
    private text(): void {
        const t = this.tr.t.bind(this.tr);
        this.title.textContent = t('near.title');
        this.meButton.textContent = t('near.me');
        this.radiusLabel.textContent = t('near.radius');
        this.clearButton.textContent = t('near.clear');
        this.filtersLegend.textContent = t('near.filters');
        this.openNowLabel.textContent = t('near.open_now');
        this.freeBedsLabel.textContent = t('near.free_beds');
        for (const o of this.radiusSelect.options) o.textContent = this.tr.distance(Number(o.value));
    }

    /** show brings the controls' state, the status line and the list up to date, in place. */
    private show(): void {
        const t = this.tr.t.bind(this.tr);
        this.pickButton.textContent = this.picking ? t('near.cancel') : t('near.pick');
        this.pickButton.setAttribute('aria-pressed', String(this.picking));
        this.clearButton.hidden = !this.center;
        // The radius is written when shown, in the language of the moment.
        const vars = {...this.status?.vars, r: this.tr.distance(this.radius)};
        const n = this.status?.vars?.n;
        this.statusLine.textContent = !this.status ? ''
            : typeof n === 'number' ? this.tr.tn(this.status.key, n, vars) : t(this.status.key, vars);
        this.showHere();
        const flagged = this.places.filter((p) => p.in_zone).length;
        this.warning.hidden = flagged === 0;
        this.warning.textContent = flagged ? t('near.zone_warning', {n: flagged}) : '';
        this.results.replaceChildren(...(this.places.length ? [this.list()] : []));
    }

    /** showHere says whether the chosen point itself lies in an isolation area. */
    private showHere(): void {
        const here = this.here;
        this.hereLine.hidden = !here;
        this.hereLine.classList.toggle('near-here-inside', !!here?.inside);
        if (!here) {
            this.hereLine.textContent = '';
            return;
        }
        this.hereLine.textContent = here.inside
            ? this.tr.t('near.here_in', {list: here.areas.map((a: Area) => areaLine(this.tr, a)).join('; ')})
            : this.tr.t('near.here_free');
    }

    private list(): HTMLElement {
        const t = this.tr.t.bind(this.tr);
        return h('ol', {className: 'near-list', 'aria-label': this.tr.tn('near.results', this.places.length)},
            ...this.places.map((p) => h('li', {},
                h('button', {type: 'button', className: 'near-place', onclick: () => this.bm.map.flyTo({center: [p.lon, p.lat], zoom: Math.max(this.bm.map.getZoom(), 16)})},
                    h('span', {className: 'near-name'}, p.name),
                    h('span', {className: 'near-meta'}, `${t(`layer.${p.collection}`)} · ${this.tr.distance(p.distance_m)}`),
                    p.in_zone ? h('span', {className: 'near-zone'}, `⚠ ${areaLine(this.tr, p.in_zone)}`) : null,
                    ...operatingLines(this.tr, p).map((l) => h('span', {className: `near-operating ${l.className}`}, l.text)),
                    typeof p.properties?.address === 'string' ? h('span', {className: 'near-address'}, p.properties.address) : null))));
    }
}
