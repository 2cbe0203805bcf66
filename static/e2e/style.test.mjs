// The MapLibre style served at /style.json, checked by MapLibre's own style
// validator (@maplibre/maplibre-gl-style-spec), and against the TileJSON it
// points to: every layer's source-layer is one the tiles hold. No browser.

import assert from 'node:assert/strict';
import {test} from 'node:test';
import {validateStyleMin} from '@maplibre/maplibre-gl-style-spec';
import {BASE} from './helpers.mjs';

async function getJSON(url) {
    const res = await fetch(url);
    assert.equal(res.status, 200, `GET ${url}`);
    return res.json();
}

test('the style passes MapLibre\'s style validator', async () => {
    const style = await getJSON(`${BASE}/style.json`);
    const errors = validateStyleMin(style).map((e) => e.message);
    assert.deepEqual(errors, [], `style.json breaks the MapLibre style specification:\n${errors.join('\n')}`);
    assert.ok(style.layers.length > 10, `the style has only ${style.layers.length} layers; the check proves little`);
});

test('the validator is not blind: a broken style fails it', async () => {
    const style = await getJSON(`${BASE}/style.json`);
    style.layers[0].type = 'polygon';
    assert.notEqual(validateStyleMin(style).length, 0);
});

test('every source-layer of the style is a layer of its tiles', async () => {
    const style = await getJSON(`${BASE}/style.json`);
    const held = new Map();
    for (const [name, source] of Object.entries(style.sources)) {
        if (source.type !== 'vector') continue;
        // The style describes its sources inline (no TileJSON round trip);
        // their TileJSON, which lists the layers, sits beside the tiles.
        const url = source.url ?? source.tiles?.[0]?.replace(/\/\{z\}\/\{x\}\/\{y\}\.mvt.*$/, '.json');
        const tj = url ? await getJSON(new URL(url, BASE).href) : source;
        held.set(name, new Set(tj.vector_layers.map((l) => l.id)));
    }
    assert.ok(held.size > 0, 'the style has no vector source');
    for (const layer of style.layers) {
        if (!layer['source-layer']) continue;
        assert.ok(held.get(layer.source)?.has(layer['source-layer']),
            `layer ${layer.id} draws ${layer.source}/${layer['source-layer']}, which the TileJSON does not list`);
    }
});
