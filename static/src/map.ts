// The map both pages share: the server's style and vector tiles, the date
// the tiles show, and which collections are visible.

import {AttributionControl, Map as MapLibre, setWorkerUrl, type StyleSpecification, type LayerSpecification, type VectorTileSource, type MapGeoJSONFeature, type PointLike} from 'maplibre-gl';
import {collectionOf, layer} from './catalog.ts';
import {absolute, withDate} from './urls.ts';

declare const BANDO_WORKER_URL: string;

/** SOURCE is the id of the style's vector source. */
export const SOURCE = 'bando';

/**
 * HIT_PAD is how far, in pixels, a click reaches around the pointer: the
 * popup lists what is drawn within it, and the pointer cursor shows
 * wherever it reaches something, so that the cursor promises a popup
 * exactly where a click opens one.
 */
export const HIT_PAD = 6;

/** BASEMAP is the id of the style's street base map source, when it has one. */
export const BASEMAP = 'basemap';

/** DEFAULT_VIEW frames Bình Dương province. */
export const DEFAULT_VIEW = {center: [106.67, 11.17] as [number, number], zoom: 9};

/** MapOptions configure createMap. */
export interface MapOptions {
    container: HTMLElement;
    /** the view; without it the map frames the data's bounds */
    center?: [number, number];
    zoom?: number;
    /** room to leave around the data's bounds, for panels over the map */
    padding?: {top: number; bottom: number; left: number; right: number};
    date?: string;
    visible: Set<string>;
    label: string;
    /** MapLibre's control texts, keyed as MapLibre names them */
    locale?: Record<string, string>;
    /** Bando's credit in the page's language (the tiles' own is English) */
    attribution?: string;
    /** the style, if the page started fetching it (fetchStyle) */
    style?: Promise<FetchedStyle>;
}

interface TileJSON {
    tiles: string[];
    minzoom?: number;
    maxzoom?: number;
    bounds?: [number, number, number, number];
    attribution?: string;
}

async function getJSON<T>(url: string): Promise<T> {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`bando: ${url}: ${res.status}`);
    return res.json() as Promise<T>;
}

/** FetchedStyle is the style and the TileJSON of its data source, as the server sent them. */
export interface FetchedStyle {
    style: StyleSpecification;
    tj?: TileJSON;
}

/**
 * fetchStyle fetches the style, and the TileJSON of its data source when the
 * style names one by url (Bando's describes it inline). A page may start it before
 * it knows the date to show, so that on a slow network these round trips
 * overlap the figures' (createMap takes the promise).
 */
export async function fetchStyle(): Promise<FetchedStyle> {
    const style = await getJSON<StyleSpecification>('/style.json');
    const src = style.sources[SOURCE];
    const tj = src?.type === 'vector' && src.url ? await getJSON<TileJSON>(absolute(src.url)) : undefined;
    return {style, tj};
}

/** MIN_COUNT_KEY names k, the smallest group the map shows, in the style's metadata. */
const MIN_COUNT_KEY = 'bando:min_public_count';

/** minCountOf returns k from a style's metadata, when it says. */
export function minCountOf(style: StyleSpecification): number | undefined {
    const k = (style.metadata as Record<string, unknown> | undefined)?.[MIN_COUNT_KEY];
    return typeof k === 'number' && Number.isInteger(k) && k > 1 ? k : undefined;
}

/** loadStyle inlines the style's TileJSON, so tile URLs can carry a date. */
async function loadStyle(fetched: Promise<FetchedStyle>, date: string | undefined, visible: Set<string>, attribution?: string): Promise<{style: StyleSpecification; tiles: string[]; bounds?: [number, number, number, number]}> {
    const {style, tj} = await fetched;
    const src = style.sources[SOURCE];
    if (!src || src.type !== 'vector') throw new Error(`bando: style has no vector source ${SOURCE}`);
    let tiles = (src.tiles ?? []).map(absolute);
    let bounds = src.bounds;
    if (src.url && tj) {
        tiles = tj.tiles.map(absolute);
        bounds = tj.bounds ?? bounds;
        style.sources[SOURCE] = {
            type: 'vector', tiles: tiles.map((t) => withDate(t, date)),
            minzoom: tj.minzoom ?? src.minzoom, maxzoom: tj.maxzoom ?? src.maxzoom,
            bounds: tj.bounds ?? src.bounds, attribution: attribution ? undefined : tj.attribution ?? src.attribution,
        };
    } else {
        // The server's style describes the source inline (no TileJSON round trip).
        src.tiles = tiles.map((t) => withDate(t, date));
        if (attribution) delete src.attribution;
    }
    if (style.glyphs) style.glyphs = absolute(style.glyphs);
    for (const l of style.layers) {
        const c = collectionOf(l.id);
        if (!c) continue;
        l.layout = {...(l.layout ?? {}), visibility: visible.has(c) ? 'visible' : 'none'};
    }
    return {style, tiles, bounds};
}

/** BandoMap wraps the MapLibre map with the app's notions. */
export class BandoMap {
    readonly map: MapLibre;
    private tiles: string[];
    date?: string;
    readonly visible: Set<string>;
    /** hasBaseMap tells whether the style draws a street base map */
    hasBaseMap = false;

    constructor(map: MapLibre, tiles: string[], date: string | undefined, visible: Set<string>) {
        this.map = map;
        this.tiles = tiles;
        this.date = date;
        this.visible = visible;
    }

    private credit?: AttributionControl;

    /** setAttribution shows the map's credits with Bando's own in the page's language. */
    setAttribution(text?: string): void {
        if (this.credit) this.map.removeControl(this.credit);
        this.credit = new AttributionControl({compact: true, customAttribution: text});
        this.map.addControl(this.credit, 'bottom-right');
    }

    /**
     * reloadTiles asks the server again for the tiles of a source (after a
     * failure). NOTE: MapLibre never asks again for a tile that failed (the
     * tile waits for ever, even through setTiles or a new style), so the
     * source's tiles are dropped and the map updates as after a move.
     */
    reloadTiles(source = SOURCE): void {
        const internal = this.map as unknown as {
            style?: {tileManagers?: Record<string, {clearTiles(): void} | undefined>};
            _update?: (sourcesDirty: boolean) => void;
        };
        const tiles = internal.style?.tileManagers?.[source];
        if (!tiles || typeof internal._update !== 'function') return;
        tiles.clearTiles();
        internal._update(true);
    }

    /** setDate shows the map as of date (the server's latest when empty). */
    setDate(date?: string): void {
        if (date === this.date) return;
        this.date = date;
        const src = this.map.getSource<VectorTileSource>(SOURCE);
        src?.setTiles(this.tiles.map((t) => withDate(t, date)));
    }

    /** styleLayers lists the style layer ids that draw collection id. */
    styleLayers(id: string): string[] {
        return (this.map.getStyle()?.layers ?? []).filter((l) => collectionOf(l.id) === id).map((l) => l.id);
    }

    /** setVisible shows or hides every style layer of a collection. */
    setVisible(id: string, on: boolean): void {
        if (on) this.visible.add(id); else this.visible.delete(id);
        for (const l of this.styleLayers(id)) this.map.setLayoutProperty(l, 'visibility', on ? 'visible' : 'none');
    }

    /** minZoom is the lowest zoom any style layer of a collection is drawn at. */
    minZoom(id: string): number {
        const zs = (this.map.getStyle()?.layers ?? []).filter((l) => collectionOf(l.id) === id).map((l) => l.minzoom ?? 0);
        return zs.length ? Math.min(...zs) : 0;
    }

    /** hasLayer tells whether the style draws collection id at all. */
    hasLayer(id: string): boolean {
        return this.styleLayers(id).length > 0;
    }

    /** colour is the legend colour of a collection, read from the style. */
    colour(id: string): string {
        const layers = this.map.getStyle()?.layers ?? [];
        for (const kind of ['circle', 'fill', 'line', 'symbol']) {
            const l = layers.find((x) => collectionOf(x.id) === id && x.type === kind);
            const c = l && paintColour(l);
            if (c) return c;
        }
        return layer(id)?.colour ?? '#888888';
    }

    /**
     * featuresAt lists the bando features drawn around a screen point, within
     * pad pixels (a click's reach, HIT_PAD, by default); a pad of 0 asks for
     * what is drawn at the point itself (a box of no size also caught a
     * symbol whose edge only touched it).
     */
    featuresAt(point: {x: number; y: number}, pad = HIT_PAD): MapGeoJSONFeature[] {
        const box: PointLike | [PointLike, PointLike] = pad > 0 ? [[point.x - pad, point.y - pad], [point.x + pad, point.y + pad]] : [point.x, point.y];
        const layers = (this.map.getStyle()?.layers ?? [])
            .filter((l) => 'source' in l && l.source === SOURCE && this.visible.has(collectionOf(l.id) ?? ''))
            .map((l) => l.id);
        if (layers.length === 0) return [];
        const seen = new Set<string>();
        return this.map.queryRenderedFeatures(box, {layers}).filter((f) => {
            const key = `${f.sourceLayer}/${f.id ?? JSON.stringify(f.properties)}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
        });
    }
}

function paintColour(l: LayerSpecification): string | undefined {
    const paint = (l as {paint?: Record<string, unknown>}).paint ?? {};
    const v = paint[`${l.type === 'symbol' ? 'text' : l.type}-color`];
    return firstColour(v);
}

function firstColour(v: unknown): string | undefined {
    if (typeof v === 'string' && /^(#|rgb|hsl)/.test(v)) return v;
    if (Array.isArray(v)) {
        for (const x of v) {
            const c = firstColour(x);
            if (c) return c;
        }
    }
    return undefined;
}

/** createMap loads the style and builds the map. */
export async function createMap(opts: MapOptions): Promise<BandoMap> {
    setWorkerUrl(absolute(BANDO_WORKER_URL));
    const {style, tiles, bounds} = await loadStyle(opts.style ?? fetchStyle(), opts.date, opts.visible, opts.attribution);
    const view = opts.center && opts.zoom !== undefined
        ? {center: opts.center, zoom: opts.zoom}
        : bounds
            ? {bounds, fitBoundsOptions: {padding: opts.padding ?? 20}}
            : DEFAULT_VIEW;
    const map = new MapLibre({
        container: opts.container,
        style,
        ...view,
        attributionControl: false,
        dragRotate: false,
        pitchWithRotate: false,
        touchPitch: false,
        maxZoom: 18,
        fadeDuration: 0,
        locale: opts.locale,
    });
    map.touchZoomRotate.disableRotation();
    map.getCanvas().setAttribute('aria-label', opts.label);
    const bm = new BandoMap(map, tiles, opts.date, opts.visible);
    bm.setAttribution(opts.attribution);
    bm.hasBaseMap = BASEMAP in style.sources;
    // The browser tests (and curious readers) reach the map from the console.
    Object.assign(window, {bandoMap: map, bando: bm});
    return bm;
}
