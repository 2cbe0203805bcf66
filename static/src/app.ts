// The public map at /: the map, its lookup control, legend, search, near-me,
// date control and statistics, in Vietnamese or English.

import './app.css';
import {NavigationControl, Popup, ScaleControl, type LngLatLike, type Map as MapLibreMap} from 'maplibre-gl';
import {collectionOf, LAYERS} from './catalog.ts';
import {byId, h} from './dom.ts';
import {Downloads} from './download.ts';
import {Headline} from './headline.ts';
import {InView} from './inview.ts';
import {formatHash, parseHash, type View} from './hash.ts';
import {initialLang, isLang, Translator} from './i18n.ts';
import {Legend} from './legend.ts';
import {lookupPadding, PHONE_QUERY, setLookupOpen} from './firstview.ts';
import {createMap, fetchStyle, minCountOf, type BandoMap} from './map.ts';
import {NearMe} from './nearby.ts';
import {Names, popupContent, type Shown} from './popup.ts';
import {coveredBy, openPopup, type Insets} from './popupview.ts';
import {Share} from './share.ts';
import {sizeLegend} from './sizelegend.ts';
import {SearchBox} from './search.ts';
import {addDays, latestOf, StatsPanel} from './stats.ts';
import type {Stats} from './api.ts';
import {Timeline} from './timeline.ts';
import {stats} from './api.ts';
import {baseMapNotice, FailureBanner, watchTiles} from './notices.ts';
import {registerServiceWorker} from './offline.ts';
import {ReportPanel} from './report.ts';
import {daily} from './reportapi.ts';
import {WardRiskLayer} from './wardrisk.ts';

const PHONE = window.matchMedia(PHONE_QUERY);

function staticText(tr: Translator): void {
    const t = tr.t.bind(tr);
    document.title = t('app.title');
    byId('title').textContent = t('app.title');
    byId('date-label').textContent = t('date.label');
    byId('lang-label').textContent = t('lang.label');
    byId('lookup-title').textContent = t('lookup.toggle');
    byId('lookup-hint').textContent = t('lookup.hint');
    byId('tab-layers').textContent = t('layers.toggle');
    byId('tab-stats').textContent = t('stats.toggle');
    const canvas = document.querySelector('#map canvas');
    canvas?.setAttribute('aria-label', t('app.map'));
    byId('side').setAttribute('aria-label', `${t('group.situation')}, ${t('stats.title')}`);
}

/** freeArea is the part of the map no panel covers, for popups. */
function freeArea(): Insets {
    return coveredBy(byId('map').getBoundingClientRect(), [byId('lookup').getBoundingClientRect()]);
}

/**
 * firstDrawn resolves once the map has drawn its first view (or after ten
 * seconds, should it not).
 */
function firstDrawn(map: MapLibreMap): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        map.once('load', () => {
            clearTimeout(timer);
            resolve();
        });
    });
}

function visibleFrom(view: Partial<View>): Set<string> {
    return new Set(view.layers ?? LAYERS.filter((l) => l.visible).map((l) => l.id));
}

/** App holds the page's parts together. */
class App {
    readonly tr: Translator;
    readonly stats: StatsPanel;
    readonly headline: Headline;
    readonly downloads: Downloads;
    readonly timeline: Timeline;
    readonly banner: FailureBanner;
    readonly report: ReportPanel;
    risk?: WardRiskLayer;
    bm!: BandoMap;
    names!: Names;
    near!: NearMe;
    /** date is the date the user chose; undefined follows the latest bulletin */
    chosenDate?: string;
    latest?: string;
    private popup?: Popup;

    constructor(tr: Translator) {
        this.tr = tr;
        this.stats = new StatsPanel(byId('stats'), tr);
        this.headline = new Headline(byId('headline'), tr);
        this.downloads = new Downloads(byId('download'), tr);
        this.timeline = new Timeline(tr);
        new Share(byId<HTMLButtonElement>('share'), tr, () => this.chosenDate ?? this.latest);
        this.banner = new FailureBanner(document.querySelector<HTMLElement>('.map-wrap') ?? document.body, tr);
        this.stats.onFailure = (date, retry) => this.banner.show('bulletin',
            () => (date ? tr.t('failure.bulletin.date', {d: tr.date(date)}) : tr.t('failure.bulletin')), retry);
        this.stats.onRecover = () => this.banner.clear('bulletin');
        this.report = new ReportPanel(byId('report'), tr);
    }

    async start(): Promise<void> {
        const view = parseHash(location.hash);
        this.chosenDate = view.date;
        // The style's round trips run beside the figures' (a slow network
        // pays seconds for each one in a row).
        const style = fetchStyle();
        style.then((s) => this.downloads.setMinCount(minCountOf(s.style)), () => undefined);
        // prefetch.ts asked for the latest figures already (with the first view's tiles).
        const latestStats = await (window.bandoEarly?.stats ?? stats(undefined).catch(() => undefined));
        this.latest = latestStats && latestOf(latestStats);
        const date = view.date ?? this.latest;
        if (date) this.timeline.show(date);
        this.downloads.setDate(date);
        // The headline shows the latest figures at once when they are the
        // day shown (the page has them already).
        if (latestStats && latestStats.date === date) this.headline.show(latestStats);
        // NOTE: the panels' figures load after the map's first view, not
        // before it: a browser sends at most six requests at a time to a
        // site, and on a slow network each that waits for a free one costs
        // the map another round trip (seconds on 3G).
        const panels = (): Promise<Stats | undefined> => {
            if (this.latest) {
                const since = latestStats?.community_since_wave_start?.since;
                const from = since && since < this.latest ? since : addDays(this.latest, -90);
                this.setSpan(from, this.latest);
                if (date) this.timeline.show(date);
                // The daily report may run later than the case registry (late 2021).
                void daily(undefined).then((d) => {
                    if (this.latest && d.date > this.latest) this.setSpan(from, d.date);
                }, () => undefined);
            }
            const first = this.stats.load(date);
            void this.report.load(date);
            return first;
        };
        try {
            this.bm = await createMap({
                container: byId('map'),
                center: view.lon !== undefined && view.lat !== undefined ? [view.lon, view.lat] : undefined,
                zoom: view.zoom,
                padding: lookupPadding(),
                date,
                visible: visibleFrom(view),
                label: this.tr.t('app.map'),
                locale: this.tr.maplibreLocale(),
                attribution: this.tr.t('attribution'),
                style,
            });
        } catch {
            byId('map').replaceChildren(h('p', {className: 'error', role: 'alert'}, this.tr.t('error.style')));
            void panels();
            return;
        }
        const first = firstDrawn(this.bm.map).then(panels);
        baseMapNotice(byId('map'), this.bm, this.tr);
        watchTiles(this.bm, this.banner, this.tr);
        this.names = new Names(this.bm);
        this.stats.onLoad = (s) => {
            for (const d of s.by_district ?? []) this.names.add(d.district_code, d.district_name);
            this.headline.show(s);
        };
        void first.then((s) => {
            if (s) this.stats.onLoad(s);
        });
        const map = this.bm.map;
        map.addControl(new NavigationControl({showCompass: false}), 'top-right');
        map.addControl(new ScaleControl({unit: 'metric'}), 'bottom-left');
        map.on('load', () => this.ready());
        this.timeline.onDate = (d) => this.setDate(d);
        this.tr.onChange(() => this.bm.setAttribution(this.tr.t('attribution')));
    }

    /**
     * opensPopupAt says whether a click at a screen point opens a popup (the
     * pointer cursor shows there): something drawn within the click's reach,
     * or a ward of the risk layer under the point.
     */
    private opensPopupAt(point: {x: number; y: number}): boolean {
        return this.bm.featuresAt(point).length > 0 || (this.risk?.covers(point) ?? false);
    }

    /** showAt opens the popup of what the map draws around a screen point. */
    private showAt(point: {x: number; y: number}, lngLat: LngLatLike): void {
        const found = this.bm.featuresAt(point);
        const risk = this.risk?.contentAt(point);
        this.popup?.remove();
        if (found.length === 0 && !risk) return;
        // What lies right under the pointer, topmost first, comes first.
        const first = [...new Set(this.bm.featuresAt(point, 0).map((f) => collectionOf(f.layer.id) ?? ''))];
        this.show(lngLat, found.map((f) => ({collection: f.sourceLayer ?? f.layer.id, properties: f.properties})), first, false, risk);
    }

    /** show opens the popup of what is shown (and the ward's risk level, when its layer is on). */
    private show(lngLat: LngLatLike, shown: Shown[], first: string[], focus: boolean, risk?: HTMLElement): void {
        this.popup?.remove();
        const content = shown.length ? popupContent(this.tr, this.names, shown, first) : h('div', {});
        if (risk) content.append(risk);
        this.popup = openPopup(this.bm.map, lngLat, content, {free: freeArea(), focus});
    }

    private ready(): void {
        const map = this.bm.map;
        new Legend(byId('situation'), ['situation', 'boundary'], this.bm, this.tr, () => this.saveHash());
        const sizes = () => byId('situation').querySelector('#size-legend')?.replaceWith(sizeLegend(this.bm, this.tr));
        byId('situation').querySelector('.legend-situation')?.after(sizeLegend(this.bm, this.tr));
        this.tr.onChange(sizes);
        new Legend(byId('lookup-legend'), ['lookup'], this.bm, this.tr, () => this.saveHash());
        this.risk = new WardRiskLayer(byId('situation'), this.bm, this.tr, this.bm.date);
        this.near = new NearMe(byId('near'), this.bm, this.tr);
        new SearchBox(byId<HTMLFormElement>('search'), this.bm, this.tr);
        map.on('click', (e) => {
            if (this.near.picking) {
                this.near.picked(e.lngLat);
                return;
            }
            this.showAt(e.point, e.lngLat);
        });
        new InView(byId('inview-box'), this.bm, this.tr, this.names, (entry) => {
            this.show(entry.at, [entry.shown], [entry.shown.collection], true);
        });
        map.on('mousemove', (e) => {
            if (this.near.picking) return;
            map.getCanvas().style.cursor = this.opensPopupAt(e.point) ? 'pointer' : '';
        });
        map.on('moveend', () => this.saveHash());
        window.addEventListener('hashchange', () => this.applyHash());
        staticText(this.tr);
        document.body.dataset.ready = 'true';
    }

    /**
     * setSpan sets the days the page shows: the slider's range, and the
     * span the panels fetch their charts' series over once (a step of the
     * slider then asks for that day's figures alone).
     */
    private setSpan(first: string, last: string): void {
        this.timeline.setRange(first, last);
        this.stats.setSpan(first, last);
        this.report.setSpan(first, last);
    }

    private setDate(date?: string): void {
        this.chosenDate = date && date !== this.latest ? date : undefined;
        const d = date ?? this.latest;
        this.bm.setDate(d);
        this.popup?.remove();
        if (d) this.timeline.show(d);
        this.downloads.setDate(d);
        void this.stats.load(d);
        void this.report.load(d);
        this.risk?.setDate(d);
        this.saveHash();
    }

    private saveHash(): void {
        const c = this.bm.map.getCenter();
        const hash = formatHash({zoom: this.bm.map.getZoom(), lat: c.lat, lon: c.lng, layers: [...this.bm.visible], date: this.chosenDate});
        if (hash !== location.hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
    }

    private applyHash(): void {
        const v = parseHash(location.hash);
        if (v.zoom !== undefined && v.lat !== undefined && v.lon !== undefined) {
            this.bm.map.jumpTo({center: [v.lon, v.lat], zoom: v.zoom});
        }
        if (v.layers) {
            const on = new Set(v.layers);
            for (const l of LAYERS) this.bm.setVisible(l.id, on.has(l.id));
            for (const box of document.querySelectorAll<HTMLInputElement>('input[name=layer]')) box.checked = on.has(box.value);
        }
        if (v.date !== this.chosenDate) this.setDate(v.date);
    }
}

function wireChrome(tr: Translator): void {
    const lang = byId<HTMLSelectElement>('lang');
    lang.value = tr.lang;
    lang.addEventListener('change', () => {
        if (!isLang(lang.value)) return;
        tr.set(lang.value);
        const q = new URLSearchParams(location.search);
        q.set('lang', lang.value);
        history.replaceState(null, '', `${location.pathname}?${q}${location.hash}`);
    });
    const toggle = byId<HTMLButtonElement>('lookup-toggle');
    setLookupOpen(!PHONE.matches);
    toggle.addEventListener('click', () => setLookupOpen(toggle.getAttribute('aria-expanded') !== 'true'));
    const side = byId('side');
    for (const tab of ['layers', 'stats']) {
        byId(`tab-${tab}`).addEventListener('click', () => {
            const open = side.dataset.tab !== tab;
            side.dataset.tab = open ? tab : '';
            for (const b of document.querySelectorAll('.side-tabs button')) {
                b.setAttribute('aria-pressed', String(open && b.id === `tab-${tab}`));
            }
        });
    }
    tr.onChange(() => staticText(tr));
}

const tr = new Translator(initialLang());
document.documentElement.lang = tr.lang;
staticText(tr);
wireChrome(tr);
void new App(tr).start();
registerServiceWorker();
