// The ward risk layer (Resolution 128/NQ-CP): every ward coloured by its
// level on the chosen date, 1 low (green) to 4 very high (red), with a
// toggle, a legend and a popup giving the level, the date and, when an
// editor overrode the computed level, the reason.

import type {GeoJSONSource, MapGeoJSONFeature, PointLike} from 'maplibre-gl';
import {h} from './dom.ts';
import type {Translator} from './i18n.ts';
import {SOURCE, type BandoMap} from './map.ts';
import {wardRiskURL} from './reportapi.ts';

const RISK_SOURCE = 'ward-risk';
const FILL = 'ward-risk-fill';
const LINE = 'ward-risk-line';

/** RISK_COLOURS are the colours of levels 1–4 (0: no level known). */
export const RISK_COLOURS: Record<number, string> = {0: '#9e9e9e', 1: '#2e7d32', 2: '#f9d71c', 3: '#ef6c00', 4: '#c62828'};

/** WardRiskLayer adds the layer, hidden until its toggle is checked. */
export class WardRiskLayer {
    private readonly bm: BandoMap;
    private readonly tr: Translator;
    private readonly el: HTMLElement;
    private date?: string;
    private on = false;

    constructor(container: HTMLElement, bm: BandoMap, tr: Translator, date?: string) {
        this.bm = bm;
        this.tr = tr;
        this.date = date;
        this.el = h('fieldset', {className: 'ward-risk', id: 'ward-risk'});
        container.append(this.el);
        this.addLayers();
        this.render();
        tr.onChange(() => this.render());
    }

    private addLayers(): void {
        const map = this.bm.map;
        map.addSource(RISK_SOURCE, {type: 'geojson', data: {type: 'FeatureCollection', features: []}});
        // Under the data's points and labels, over the base map.
        const before = (map.getStyle()?.layers ?? []).find((l) => 'source' in l && l.source === SOURCE)?.id;
        const colour = ['match', ['get', 'level'], 1, RISK_COLOURS[1], 2, RISK_COLOURS[2], 3, RISK_COLOURS[3], 4, RISK_COLOURS[4], RISK_COLOURS[0]];
        map.addLayer({id: FILL, type: 'fill', source: RISK_SOURCE, layout: {visibility: 'none'},
            paint: {'fill-color': colour as never, 'fill-opacity': 0.45}}, before);
        map.addLayer({id: LINE, type: 'line', source: RISK_SOURCE, layout: {visibility: 'none'},
            paint: {'line-color': '#37474f', 'line-width': 0.6}}, before);
    }

    /** setDate shows the levels of date (the latest when empty). */
    setDate(date?: string): void {
        this.date = date;
        if (this.on) this.reload();
    }

    private reload(): void {
        this.bm.map.getSource<GeoJSONSource>(RISK_SOURCE)?.setData(wardRiskURL(this.date));
    }

    private toggle(on: boolean): void {
        this.on = on;
        for (const id of [FILL, LINE]) this.bm.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
        if (on) this.reload();
    }

    private render(): void {
        const t = this.tr.t.bind(this.tr);
        const box = h('input', {type: 'checkbox', id: 'toggle-ward-risk', checked: this.on,
            onchange: () => this.toggle(box.checked)});
        this.el.replaceChildren(
            h('legend', {}, t('risk.title')),
            h('div', {className: 'legend-row'}, box, h('label', {for: 'toggle-ward-risk'}, t('risk.toggle'))),
            h('ul', {className: 'risk-legend', id: 'risk-legend'}, ...[1, 2, 3, 4, 0].map((level) => {
                const swatch = h('span', {className: 'risk-swatch', 'aria-hidden': 'true'});
                swatch.style.background = RISK_COLOURS[level];
                return h('li', {}, swatch, t(`risk.level.${level}`));
            })));
        if (this.on) {
            const b = this.el.querySelector<HTMLInputElement>('#toggle-ward-risk');
            if (b) b.checked = true;
        }
    }

    /** covers says whether the layer is shown with a ward under a screen point (a click there opens its popup). */
    covers(point: {x: number; y: number}): boolean {
        return this.on && this.bm.map.queryRenderedFeatures([point.x, point.y], {layers: [FILL]}).length > 0;
    }

    /** contentAt is the popup content of the ward under a screen point, if the layer is shown. */
    contentAt(point: {x: number; y: number}): HTMLElement | undefined {
        if (!this.on) return undefined;
        const at: PointLike = [point.x, point.y];
        const f: MapGeoJSONFeature | undefined = this.bm.map.queryRenderedFeatures(at, {layers: [FILL]})[0];
        if (!f) return undefined;
        const p = f.properties as Record<string, string | number | boolean | undefined>;
        const t = this.tr.t.bind(this.tr);
        const level = Number(p.level ?? 0);
        const swatch = h('span', {className: 'risk-swatch', 'aria-hidden': 'true'});
        swatch.style.background = RISK_COLOURS[level] ?? RISK_COLOURS[0];
        return h('section', {className: 'popup-risk', id: 'popup-risk'},
            h('h3', {}, String(p.name ?? p.ward ?? '')),
            h('p', {className: 'risk-level'}, swatch, t(`risk.level.${level}`)),
            h('p', {}, t('risk.date', {d: this.tr.date(String(p.date ?? ''))})),
            p.overridden ? h('p', {className: 'risk-reason'}, t('risk.overridden', {reason: String(p.reason ?? '')})) : null,
            p.overridden && p.until ? h('p', {}, t('risk.until', {d: this.tr.date(String(p.until))})) : null,
            p.overridden && p.computed !== undefined ? h('p', {}, t('risk.computed', {level: t(`risk.level.${Number(p.computed)}`)})) : null);
    }
}
