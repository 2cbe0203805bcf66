// The embeddable banner at /embed?layers=&z=&c=lon,lat&lang=: the headline
// figures and a compact map, for the provincial portal's iframe.

import './embed.css';
import {NavigationControl, Popup} from 'maplibre-gl';
import {stats, type Stats} from './api.ts';
import {collectionOf, LAYERS, layer} from './catalog.ts';
import {byId, h} from './dom.ts';
import {formatHash, parseLayers} from './hash.ts';
import {initialLang, Translator} from './i18n.ts';
import {createMap, DEFAULT_VIEW, fetchStyle, type BandoMap} from './map.ts';
import {Names, popupContent} from './popup.ts';
import {coveredBy, openPopup} from './popupview.ts';
import {sizeLegend} from './sizelegend.ts';
import {latestOf} from './stats.ts';

interface EmbedParams {
    layers: string[];
    zoom?: number;
    center?: [number, number];
}

/** readParams takes the embed's settings from the address, with defaults. */
function readParams(q: URLSearchParams): EmbedParams {
    const layers = q.has('layers') ? parseLayers(q.get('layers') ?? '') : [];
    const z = Number(q.get('z'));
    const c = (q.get('c') ?? '').split(',').map(Number);
    const center: [number, number] | undefined = c.length === 2 && c.every(Number.isFinite) && Math.abs(c[0]) <= 180 && Math.abs(c[1]) <= 85
        ? [c[0], c[1]] : undefined;
    const zoom = q.has('z') && Number.isFinite(z) && z >= 0 && z <= 20 ? z : undefined;
    return {
        layers: layers.length ? layers : LAYERS.filter((l) => l.visible).map((l) => l.id),
        // Without both, the map frames the province.
        zoom: center ? zoom ?? DEFAULT_VIEW.zoom : undefined,
        center: zoom !== undefined ? center ?? DEFAULT_VIEW.center : center,
    };
}

/** todayInVietnam is today's date where the bulletins are dated (UTC+7). */
function todayInVietnam(): string {
    return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

function banner(tr: Translator, s: Stats | undefined, p: EmbedParams): HTMLElement {
    const t = tr.t.bind(tr);
    const fig = (id: string, label: string, n: number | undefined, sub?: string) => h('div', {className: 'fig', id: `banner-${id}`},
        h('span', {className: 'fig-value'}, n === undefined ? '–' : tr.number(n)),
        h('span', {className: 'fig-label'}, label, sub ? h('span', {className: 'fig-sub'}, ` ${sub}`) : null));
    const since = s?.community_since_wave_start;
    const full = new URL('/', location.origin);
    if (tr.lang !== 'vi') full.searchParams.set('lang', tr.lang);
    if (p.center && p.zoom !== undefined) {
        full.hash = formatHash({zoom: p.zoom, lat: p.center[1], lon: p.center[0], layers: p.layers});
    } else {
        full.hash = `&layers=${p.layers.join(',')}`;
    }
    return h('header', {className: 'banner'},
        h('h1', {}, t('app.short')),
        h('div', {className: 'figs'},
            fig('community', t('embed.community'), since?.total, since ? t('embed.since', {d: tr.date(since.since)}) : undefined),
            fig('today', s && s.date !== todayInVietnam() ? t('embed.dayNew', {d: tr.date(s.date)}) : t('embed.today'), s?.new_cases?.total),
            fig('deaths', t('embed.deaths'), s?.deaths),
            h('div', {className: 'fig fig-update', id: 'banner-updated'},
                h('span', {className: 'fig-label'}, t('embed.updated')),
                h('span', {className: 'fig-date'}, s?.last_update ? tr.date(s.last_update) : '–'))),
        h('a', {className: 'full', href: full.href, target: '_blank', rel: 'noopener'}, `${t('embed.full')} →`));
}

/**
 * embedLegend is the banner map's legend: a swatch per shown layer and the
 * size of counted cells, folded away by default so the map stays in view.
 */
function embedLegend(tr: Translator, bm: BandoMap, shown: string[]): HTMLElement {
    const items = shown.filter((id) => layer(id)?.group !== 'boundary' && bm.hasLayer(id)).map((id) => {
        const sw = h('span', {className: `swatch swatch-${layer(id)?.group ?? ''}${id === 'quarantine_zones' ? ' swatch-area' : ''}${id === 'contacts' ? ' swatch-ring' : ''}`, 'aria-hidden': 'true'});
        sw.style.setProperty('--c', id === 'contacts' ? String(bm.map.getPaintProperty('contacts', 'circle-stroke-color') ?? bm.colour(id)) : bm.colour(id));
        return h('li', {}, sw, tr.t(`layer.${id}`));
    });
    return h('details', {className: 'embed-legend', id: 'embed-legend'},
        h('summary', {}, tr.t('embed.legend')),
        h('ul', {}, ...items),
        sizeLegend(bm, tr));
}

async function main(): Promise<void> {
    const tr = new Translator(initialLang());
    document.documentElement.lang = tr.lang;
    document.title = tr.t('app.short');
    const p = readParams(new URLSearchParams(location.search));
    const root = byId('banner');
    // The style's round trips run beside the figures' (seconds each on 3G).
    const style = fetchStyle();
    style.catch(() => undefined);
    let s: Stats | undefined;
    try {
        const latest = latestOf(await stats(undefined));
        s = await stats(latest);
    } catch {
        s = undefined;
    }
    root.replaceWith(banner(tr, s, p));
    const bm = await createMap({
        container: byId('map'), center: p.center, zoom: p.zoom, date: s?.date, style,
        visible: new Set([...p.layers, 'districts']), label: tr.t('app.map'), locale: tr.maplibreLocale(),
        attribution: tr.t('attribution'),
    });
    const names = new Names(bm);
    for (const d of s?.by_district ?? []) names.add(d.district_code, d.district_name);
    bm.map.addControl(new NavigationControl({showCompass: false}), 'top-right');
    let popup: Popup | undefined;
    bm.map.on('click', (e) => {
        popup?.remove();
        const found = bm.featuresAt(e.point);
        if (!found.length) return;
        const first = [...new Set(bm.featuresAt(e.point, 0).map((f) => collectionOf(f.layer.id) ?? ''))];
        const legend = document.getElementById('embed-legend');
        const free = coveredBy(bm.map.getContainer().getBoundingClientRect(), legend ? [legend.getBoundingClientRect()] : []);
        popup = openPopup(bm.map, e.lngLat,
            popupContent(tr, names, found.map((f) => ({collection: f.sourceLayer ?? '', properties: f.properties})), first), {free});
    });
    // The pointer shows wherever a click opens a popup: the same reach.
    bm.map.on('mousemove', (e) => {
        bm.map.getCanvas().style.cursor = bm.featuresAt(e.point).length ? 'pointer' : '';
    });
    bm.map.on('load', () => {
        byId('map').append(embedLegend(tr, bm, p.layers));
        document.body.dataset.ready = 'true';
    });
}

void main();
