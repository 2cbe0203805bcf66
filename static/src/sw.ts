// The service worker (/sw.js): what the map needs to open offline.
//  - the app shell (the page and its assets, listed at build time in
//    BANDO_SHELL) is cached on install; pages go to the network first and
//    fall back to their copy, so an offline reload shows the map, not the
//    browser's error page;
//  - the style, TileJSON, glyphs, area labels and the bulletin (/api/stats,
//    /api/stats/series) go to the network first and keep their last
//    answer; an answer given from that copy carries X-Bando-Offline, which
//    the page shows as "offline, bulletin of <date>";
//  - tiles (epidemic and street) go to the network first and the last
//    MAX_TILES seen are kept, least recently used dropped first.
// Nothing personal passes through it: the officials' pages and every
// non-GET request go straight to the network.

declare const BANDO_SHELL: string[];
declare const BANDO_SW_VERSION: string;

interface ExtendableEvent extends Event {
    waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
    request: Request;
    respondWith(r: Promise<Response>): void;
}
interface Scope {
    addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
    addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
    skipWaiting(): Promise<void>;
    clients: {claim(): Promise<void>};
    location: Location;
}

const sw = globalThis as unknown as Scope;
const SHELL = `bando-shell-${BANDO_SW_VERSION}`;
const DATA = 'bando-data';
const TILES = 'bando-tiles';
/** MAX_TILES bounds the tiles kept: a few views of the province. */
const MAX_TILES = 400;
const OFFLINE_HEADER = 'X-Bando-Offline';

sw.addEventListener('install', (e) => {
    e.waitUntil(caches.open(SHELL).then((c) => c.addAll(['/', ...BANDO_SHELL])).then(() => sw.skipWaiting()));
});

sw.addEventListener('activate', (e) => {
    e.waitUntil(caches.keys()
        .then((names) => Promise.all(names.filter((n) => n.startsWith('bando-shell-') && n !== SHELL).map((n) => caches.delete(n))))
        .then(() => sw.clients.claim()));
});

/** kind sorts a request into how it is kept, or undefined to leave it alone. */
function kind(req: Request, url: URL): 'page' | 'asset' | 'data' | 'tile' | undefined {
    if (req.method !== 'GET' || url.origin !== sw.location.origin) return undefined;
    const p = url.pathname;
    if (req.mode === 'navigate') return p === '/' || p === '/embed' ? 'page' : undefined;
    if (p.startsWith('/assets/')) return 'asset';
    if (p.endsWith('.mvt') && (p.startsWith('/tiles/') || p.startsWith('/basemap/'))) return 'tile';
    if (p === '/style.json' || p === '/basemap.json' || (p.startsWith('/tiles/') && p.endsWith('.json')) ||
        p.startsWith('/fonts/') || p === '/api/labels' || p === '/api/stats' || p === '/api/stats/series') return 'data';
    return undefined;
}

sw.addEventListener('fetch', (e) => {
    const url = new URL(e.request.url);
    switch (kind(e.request, url)) {
    case 'page': e.respondWith(page(e.request)); break;
    case 'asset': e.respondWith(cacheFirst(e.request)); break;
    case 'data': e.respondWith(networkFirst(e.request, DATA)); break;
    case 'tile': e.respondWith(tile(e.request)); break;
    }
});

/** page answers a navigation from the network, else from the shell's copy. */
async function page(req: Request): Promise<Response> {
    const cache = await caches.open(SHELL);
    try {
        const res = await fetch(req);
        if (res.ok) await cache.put(new URL(req.url).pathname, res.clone());
        return res;
    } catch (err) {
        const kept = await cache.match(new URL(req.url).pathname) ?? await cache.match('/');
        if (kept) return kept;
        throw err;
    }
}

/** cacheFirst answers hashed assets, which never change under their name. */
async function cacheFirst(req: Request): Promise<Response> {
    const kept = await caches.match(req);
    if (kept) return kept;
    const res = await fetch(req);
    if (res.ok) {
        const cache = await caches.open(SHELL);
        await cache.put(req, res.clone());
    }
    return res;
}

/** networkFirst keeps the last good answer, and gives it marked when the network fails. */
async function networkFirst(req: Request, name: string): Promise<Response> {
    const cache = await caches.open(name);
    try {
        const res = await fetch(req);
        if (res.ok) await cache.put(req, res.clone());
        return res;
    } catch (err) {
        const kept = await cache.match(req);
        if (!kept) throw err;
        const headers = new Headers(kept.headers);
        headers.set(OFFLINE_HEADER, '1');
        return new Response(kept.body, {status: kept.status, statusText: kept.statusText, headers});
    }
}

/**
 * tile answers from the network and keeps the tile; offline it gives the
 * kept copy and marks it most recently used. Empty tiles (204) are kept
 * too: they say "nothing here", which is true offline as well.
 */
async function tile(req: Request): Promise<Response> {
    const cache = await caches.open(TILES);
    try {
        const res = await fetch(req);
        if (res.status === 200 || res.status === 204) {
            await cache.put(req, res.clone());
            await trim(cache);
        }
        return res;
    } catch (err) {
        const kept = await cache.match(req);
        if (!kept) throw err;
        // NOTE: Cache keeps insertion order; putting the tile again moves
        // it to the end, which makes the order least recently used first.
        await cache.put(req, kept.clone());
        return kept;
    }
}

/** trim drops the least recently used tiles beyond MAX_TILES. */
async function trim(cache: Cache): Promise<void> {
    const keys = await cache.keys();
    const extra = keys.length - MAX_TILES;
    for (let i = 0; i < extra; i++) await cache.delete(keys[i]);
}
