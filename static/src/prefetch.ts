// The map page's first, small script: it asks for the latest figures and
// the first view's tiles while MapLibre and its worker still download
// (on slow 3G they arrive some ten seconds after the page), so that the
// map finds its tiles in the HTTP cache instead of asking for them one
// round trip or two later. It works out the first view as the map will
// (firstview.ts); a wrong guess costs a few kB, never a wrong map.

import {stats, type Stats} from './api.ts';
import {centreView, firstTiles, fitView, lookupPadding, PHONE_QUERY, setLookupOpen, type VectorSource} from './firstview.ts';
import {parseView} from './hashview.ts';
import {latestOf} from './stats.ts';
import {withDate} from './urls.ts';

declare global {
    interface Window {
        /** bandoEarly hands what this script fetched to app.ts */
        bandoEarly?: {stats: Promise<Stats | undefined>};
    }
}

/** MAX_ZOOM is the map's deepest zoom (map.ts), which fitting the bounds keeps to. */
const MAX_ZOOM = 18;
/** DATA_SOURCE is the style's source of Bando's tiles (map.ts SOURCE), whose tile URLs carry the date. */
const DATA_SOURCE = 'bando';

interface StyleSource extends VectorSource {
    type?: string;
    data?: unknown;
}

/** styleSheets resolves once the page's style sheets apply (the map's box depends on them). */
function styleSheets(): Promise<unknown> {
    const pending = [...document.querySelectorAll<HTMLLinkElement>('link[rel=stylesheet]')].filter((l) => !l.sheet);
    return Promise.all(pending.map((l) => new Promise((resolve) => {
        l.addEventListener('load', resolve, {once: true});
        l.addEventListener('error', resolve, {once: true});
    })));
}

async function prefetch(latest: Promise<Stats | undefined>): Promise<void> {
    const view = parseView(location.hash);
    const res = await fetch('/style.json');
    if (!res.ok) return;
    const style = await res.json() as {sources?: Record<string, StyleSource>};
    const s = await latest;
    const date = view.date ?? (s && latestOf(s));
    await styleSheets();
    // The lookup control folds on a phone before the map opens (app.ts).
    setLookupOpen(!window.matchMedia(PHONE_QUERY).matches);
    const box = document.getElementById('map')?.getBoundingClientRect();
    const bounds = style.sources?.[DATA_SOURCE]?.bounds;
    if (!box || !style.sources) return;
    const first = view.zoom !== undefined && view.lat !== undefined && view.lon !== undefined
        ? centreView(view.lon, view.lat, view.zoom, box.width, box.height)
        : bounds ? fitView(bounds, box.width, box.height, lookupPadding(), MAX_ZOOM) : undefined;
    if (!first) return;
    const urls: string[] = [];
    for (const [name, src] of Object.entries(style.sources)) {
        if (src.type === 'vector') {
            urls.push(...firstTiles(first, name === DATA_SOURCE ? {...src, tiles: src.tiles?.map((t) => withDate(t, date))} : src));
        } else if (src.type === 'geojson' && typeof src.data === 'string') {
            urls.push(src.data);
        }
    }
    for (const u of urls) void fetch(u).catch(() => undefined);
}

const latest = stats(undefined).catch(() => undefined);
window.bandoEarly = {stats: latest};
void prefetch(latest).catch(() => undefined);
