// basemap-layers.mjs writes the street base map's style layers, as the
// Protomaps basemap package (@protomaps/basemaps) draws its schema, with
// Vietnamese labels, into tiles/tilehttp/basemap_layers.json, which the Go
// style (/style.json) embeds beneath the epidemic layers when a PMTiles
// archive is configured (BANDO_BASEMAP_PMTILES).
//
// Everything the layers need must come from Bando's own origin:
//  - fonts: the package asks for Noto Sans Regular, Medium, Italic and
//    Devanagari; only Noto Sans Regular's glyphs are shipped (dist/fonts),
//    so every text-font becomes "Noto Sans Regular" (one glyph stack, fewer
//    bytes on a slow network);
//  - sprites: the package's icons (road shields, POI and town icons, one-way
//    arrows) live in a sprite sheet on a CDN; icons are dropped, their text
//    kept, and layers that are icons only go.
// Every layer id gets a "basemap-" prefix so it never meets an epidemic
// layer's id, and every layer draws the "basemap" source.
//
// Usage: node tools/basemap-layers.mjs [out]   (build.mjs runs it)

import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {layers, namedFlavor} from '@protomaps/basemaps';

const here = path.dirname(fileURLToPath(import.meta.url));
export const OUT = path.resolve(here, '../../tiles/tilehttp/basemap_layers.json');
const FONT = 'Noto Sans Regular';
const SOURCE = 'basemap';

/** oneFont replaces every font name inside an expression or value with FONT. */
function oneFont(v) {
    if (typeof v === 'string') return /^Noto Sans/.test(v) ? FONT : v;
    if (Array.isArray(v)) return v.map(oneFont);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, oneFont(x)]));
    return v;
}

/** withoutIcons drops icon-* keys of a layout; null for an icon-only layer. */
function withoutIcons(layer) {
    const layout = {...(layer.layout ?? {})};
    const hadIcon = 'icon-image' in layout;
    for (const k of Object.keys(layout)) if (k.startsWith('icon-')) delete layout[k];
    const paint = {...(layer.paint ?? {})};
    for (const k of Object.keys(paint)) if (k.startsWith('icon-')) delete paint[k];
    if (hadIcon && !('text-field' in layout)) return null;
    const out = {...layer};
    if (Object.keys(layout).length) out.layout = layout; else delete out.layout;
    if (Object.keys(paint).length) out.paint = paint; else delete out.paint;
    return out;
}

/** basemapLayers is the list of style layers the Go style embeds. */
export function basemapLayers() {
    return layers(SOURCE, namedFlavor('light'), {lang: 'vi'})
        .map(withoutIcons)
        .filter(Boolean)
        .map((l) => {
            const out = oneFont({...l, id: `basemap-${l.id}`});
            if (l.type !== 'background') out.source = SOURCE;
            return out;
        });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const out = process.argv[2] ?? OUT;
    fs.writeFileSync(out, JSON.stringify(basemapLayers(), null, 1) + '\n');
    console.log(`basemap-layers: wrote ${out}`);
}
