// "Near me": the browser's location, or a point the user clicks, lists the
// nearest services with distances and shows them on the map.

import {nearby, type Place} from './api.ts';
import {NEARBY_LAYERS} from './catalog.ts';
import {h} from './dom.ts';
import type {Translator} from './i18n.ts';
import type {BandoMap} from './map.ts';
import type {GeoJSONSource, LngLat} from 'maplibre-gl';
import type {Feature} from 'geojson';

const SOURCE = 'nearby';
const RADII = [1000, 2000, 5000, 10000];
const LIMIT = 10;

/** NearMe renders the near-me block of the lookup control. */
export class NearMe {
    private readonly el: HTMLElement;
    private readonly bm: BandoMap;
    private readonly tr: Translator;
    private radius = 5000;
    private places: Place[] = [];
    private center?: [number, number];
    private status = '';
    private busy = false;
    /** picking is true while the next map click chooses the point. */
    picking = false;

    constructor(el: HTMLElement, bm: BandoMap, tr: Translator) {
        this.el = el;
        this.bm = bm;
        this.tr = tr;
        this.addLayers();
        this.render();
        tr.onChange(() => this.render());
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
            paint: {'circle-radius': 11, 'circle-color': '#ffffff', 'circle-stroke-width': 2.5, 'circle-stroke-color': '#0b57d0'},
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
            properties: {kind: 'place', rank: i + 1, name: p.name},
        }));
        if (this.center) {
            features.push({type: 'Feature', geometry: {type: 'Point', coordinates: this.center}, properties: {kind: 'center'}});
        }
        this.bm.map.getSource<GeoJSONSource>(SOURCE)?.setData({type: 'FeatureCollection', features});
    }

    /** locate asks the browser for the user's position. */
    locate(): void {
        if (!('geolocation' in navigator)) {
            this.say(this.tr.t('near.denied'));
            return;
        }
        this.say(this.tr.t('near.loading'), true);
        navigator.geolocation.getCurrentPosition(
            (pos) => void this.query(pos.coords.longitude, pos.coords.latitude),
            () => this.say(this.tr.t('near.denied')),
            {enableHighAccuracy: false, timeout: 10000, maximumAge: 60000},
        );
    }

    /** pick makes the next map click choose the point (or cancels picking). */
    pick(): void {
        this.picking = !this.picking;
        this.bm.map.getCanvas().style.cursor = this.picking ? 'crosshair' : '';
        this.say(this.picking ? this.tr.t('near.picking') : '');
    }

    /** picked takes the point the user clicked. */
    picked(at: LngLat): void {
        this.picking = false;
        this.bm.map.getCanvas().style.cursor = '';
        void this.query(at.lng, at.lat);
    }

    private async query(lon: number, lat: number): Promise<void> {
        this.center = [lon, lat];
        this.say(this.tr.t('near.loading'), true);
        try {
            const r = await nearby({lon, lat, radius: this.radius, layers: NEARBY_LAYERS, limit: LIMIT});
            this.places = r.places ?? [];
            this.status = '';
            this.busy = false;
            this.draw();
            this.fit();
            this.render();
        } catch {
            this.say(this.tr.t('near.failed'));
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
        this.places = [];
        this.center = undefined;
        this.status = '';
        this.draw();
        this.render();
    }

    private say(status: string, busy = false): void {
        this.status = status;
        this.busy = busy;
        this.render();
    }

    private render(): void {
        const t = this.tr.t.bind(this.tr);
        const radius = h('select', {id: 'near-radius', onchange: (e: Event) => {
            this.radius = Number((e.target as HTMLSelectElement).value);
            if (this.center) void this.query(this.center[0], this.center[1]);
        }}, ...RADII.map((r) => h('option', {value: r, selected: r === this.radius}, this.tr.distance(r))));
        const list = this.center && !this.busy
            ? this.places.length === 0
                ? h('p', {className: 'near-empty'}, t('near.none', {r: this.tr.distance(this.radius)}))
                : h('ol', {className: 'near-list', 'aria-label': t('near.results', {n: this.places.length})},
                    ...this.places.map((p) => h('li', {},
                        h('button', {type: 'button', className: 'near-place', onclick: () => this.bm.map.flyTo({center: [p.lon, p.lat], zoom: Math.max(this.bm.map.getZoom(), 16)})},
                            h('span', {className: 'near-name'}, p.name),
                            h('span', {className: 'near-meta'}, `${t(`layer.${p.collection}`)} · ${this.tr.distance(p.distance_m)}`),
                            typeof p.properties?.address === 'string' ? h('span', {className: 'near-address'}, p.properties.address) : null))))
            : null;
        this.el.replaceChildren(
            h('h2', {}, t('near.title')),
            h('div', {className: 'near-actions'},
                h('button', {type: 'button', id: 'near-me', onclick: () => this.locate()}, t('near.me')),
                h('button', {type: 'button', id: 'near-pick', 'aria-pressed': String(this.picking), onclick: () => this.pick()},
                    this.picking ? t('near.cancel') : t('near.pick'))),
            h('div', {className: 'near-radius'}, h('label', {for: 'near-radius'}, t('near.radius')), radius,
                this.center ? h('button', {type: 'button', className: 'link', onclick: () => this.clear()}, t('near.clear')) : null),
            h('p', {className: 'near-status', role: 'status', 'aria-live': 'polite'}, this.status),
            list ?? '');
    }
}
