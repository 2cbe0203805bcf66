// The map page's first view, worked out before MapLibre arrives: where the
// map will open and which tiles it will ask for first. prefetch.ts fetches
// them while MapLibre and its worker still download (seconds on a slow
// network), so that the worker finds them in the HTTP cache. The
// arithmetic follows MapLibre's (fitBounds, then the tiles covering the
// view at the floor of its zoom, within each source's bounds and zooms).

/** PHONE_QUERY is the media query of a phone-sized screen. */
export const PHONE_QUERY = '(max-width: 760px)';

/** Padding is room left around the data's bounds, in CSS pixels. */
export interface Padding {
    top: number;
    bottom: number;
    left: number;
    right: number;
}

/** setLookupOpen opens or folds the lookup control (folded on a phone at first). */
export function setLookupOpen(open: boolean): void {
    document.getElementById('lookup-toggle')?.setAttribute('aria-expanded', String(open));
    document.getElementById('lookup')?.classList.toggle('collapsed', !open);
}

/** lookupPadding keeps the first view of the province clear of the lookup control. */
export function lookupPadding(): Padding {
    const panel = document.getElementById('lookup')!.getBoundingClientRect();
    const map = document.getElementById('map')!.getBoundingClientRect();
    const left = panel.right - map.left;
    return left < map.width / 2
        ? {top: 20, bottom: 20, left: left + 10, right: 50}
        : {top: panel.bottom - map.top + 10, bottom: 10, left: 10, right: 10};
}

const TILE = 512;
const MAX_LAT = 85.051129;

/** mercX and mercY place a longitude and a latitude on the Web Mercator square (0–1). */
const mercX = (lng: number): number => (lng + 180) / 360;
function mercY(lat: number): number {
    const s = Math.sin(Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
}

/** View is a map's view: its centre on the Mercator square, its zoom and its size in pixels. */
export interface View {
    x: number;
    y: number;
    zoom: number;
    width: number;
    height: number;
}

/**
 * fitView is the view MapLibre's fitBounds gives a map of width × height:
 * the bounds as large as the room inside padding allows (at most maxZoom),
 * their middle in the middle of that room.
 */
export function fitView(bounds: [number, number, number, number], width: number, height: number, padding: Padding, maxZoom: number): View {
    const [x0, y0, x1, y1] = [mercX(bounds[0]), mercY(bounds[3]), mercX(bounds[2]), mercY(bounds[1])];
    const room = Math.min((width - padding.left - padding.right) / ((x1 - x0) * TILE), (height - padding.top - padding.bottom) / ((y1 - y0) * TILE));
    const zoom = Math.min(Math.log2(room), maxZoom);
    const world = TILE * 2 ** zoom;
    return {
        x: (x0 + x1) / 2 - (padding.left - padding.right) / 2 / world,
        y: (y0 + y1) / 2 - (padding.top - padding.bottom) / 2 / world,
        zoom, width, height,
    };
}

/** centreView is the view of a map of width × height centred on [lng, lat] at zoom. */
export function centreView(lng: number, lat: number, zoom: number, width: number, height: number): View {
    return {x: mercX(lng), y: mercY(lat), zoom, width, height};
}

/** VectorSource is what firstTiles reads of a style's vector source. */
export interface VectorSource {
    tiles?: string[];
    minzoom?: number;
    maxzoom?: number;
    bounds?: [number, number, number, number];
}

/** firstTiles lists the tile URLs a map showing view asks for first from source. */
export function firstTiles(view: View, source: VectorSource): string[] {
    const template = source.tiles?.[0];
    if (!template || !(view.width > 0 && view.height > 0) || !Number.isFinite(view.zoom)) return [];
    let z = Math.max(0, Math.floor(view.zoom));
    if (z < (source.minzoom ?? 0)) return [];
    z = Math.min(z, source.maxzoom ?? 22);
    const n = 2 ** z;
    // The view's corners on the tile grid of zoom z.
    const half = (px: number) => px / 2 / (TILE * 2 ** view.zoom);
    const lo = (v: number) => Math.max(0, Math.floor(v * n));
    const hi = (v: number) => Math.min(n - 1, Math.ceil(v * n) - 1);
    const [xa, xb] = [lo(view.x - half(view.width)), hi(view.x + half(view.width))];
    const [ya, yb] = [lo(view.y - half(view.height)), hi(view.y + half(view.height))];
    const b = source.bounds ?? [-180, -90, 180, 90];
    const [bx0, by0, bx1, by1] = [Math.floor(mercX(b[0]) * n), Math.floor(mercY(b[3]) * n), Math.ceil(mercX(b[2]) * n), Math.ceil(mercY(b[1]) * n)];
    const out: string[] = [];
    for (let y = Math.max(ya, by0); y <= Math.min(yb, by1 - 1); y++) {
        for (let x = Math.max(xa, bx0); x <= Math.min(xb, bx1 - 1); x++) {
            out.push(template.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y)));
        }
    }
    return out;
}
