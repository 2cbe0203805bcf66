// Where a popup goes: inside the map's free area (the map less the panels
// floating over it), with its close button on screen, on a phone as on a
// desktop. The popup opens above or below the point, whichever side has
// more room, is no larger than the free area, and the map pans until the
// whole popup is inside it.

import {Popup, type LngLatLike, type Map as MapLibre} from 'maplibre-gl';

/** Insets are pixels of the map's box that panels cover, side by side. */
export interface Insets {
    top: number;
    right: number;
    bottom: number;
    left: number;
}

const MARGIN = 8;
const MAX_WIDTH = 320;
/** TIP is room for the popup's tip and its distance from the point. */
const TIP = 14;

/**
 * coveredBy gives the insets of the map box that the panels cover: each
 * panel takes the strip along the side of the map that loses the least of
 * it (a panel on the left a strip on the left, a folded legend in a corner
 * a narrow strip). A hidden panel (no size) covers nothing.
 */
export function coveredBy(map: DOMRect, panels: DOMRect[]): Insets {
    const out = {top: MARGIN, right: MARGIN, bottom: MARGIN, left: MARGIN};
    for (const p of panels) {
        if (p.width === 0 || p.height === 0) continue;
        if (p.right <= map.left || p.left >= map.right || p.bottom <= map.top || p.top >= map.bottom) continue;
        const strips: Array<[keyof Insets, number, number]> = [
            ['left', p.right - map.left, (p.right - map.left) * map.height],
            ['right', map.right - p.left, (map.right - p.left) * map.height],
            ['top', p.bottom - map.top, (p.bottom - map.top) * map.width],
            ['bottom', map.bottom - p.top, (map.bottom - p.top) * map.width],
        ];
        const [side, depth] = strips.reduce((a, b) => (b[2] < a[2] ? b : a));
        out[side] = Math.max(out[side], depth + MARGIN);
    }
    return out;
}

/** PopupPlace says how to open a popup at a point of the map. */
export interface PopupPlace {
    /** the map's free area */
    free: Insets;
    /** move keyboard focus into the popup (opened from the keyboard) */
    focus?: boolean;
}

/**
 * openPopup opens content at lngLat, sized for and kept inside the free
 * area of the map.
 */
export function openPopup(map: MapLibre, lngLat: LngLatLike, content: HTMLElement, place: PopupPlace): Popup {
    const box = map.getContainer().getBoundingClientRect();
    const f = place.free;
    const freeW = Math.max(120, box.width - f.left - f.right);
    const freeH = Math.max(120, box.height - f.top - f.bottom);
    const pt = map.project(lngLat);
    const above = pt.y - f.top;
    const below = box.height - f.bottom - pt.y;
    // Below the point (anchor top) unless there is more room above it.
    const anchor = below >= above ? 'top' : 'bottom';
    const width = Math.min(MAX_WIDTH, freeW - 2 * MARGIN);
    // The popup's height is capped by the whole free area: the map pans
    // when the side the popup opens on is shorter than the popup.
    content.style.maxHeight = `${Math.max(100, freeH - TIP - 50)}px`;
    const popup = new Popup({maxWidth: `${width}px`, anchor, focusAfterOpen: place.focus ?? false, offset: 8, className: 'bando-popup'})
        .setLngLat(lngLat)
        .setDOMContent(content)
        .addTo(map);
    keepInside(map, popup, f);
    // Once more after the browser has laid the content out (its fonts and
    // wrapped lines) and moved focus into it: the first measure can be of a
    // narrower box, and a popup opened from the in-view list on a phone ran
    // off the map's right edge.
    requestAnimationFrame(() => {
        if (popup.isOpen()) keepInside(map, popup, f);
    });
    return popup;
}

/** keepInside pans the map so that the popup lies inside the free area. */
export function keepInside(map: MapLibre, popup: Popup, free: Insets): void {
    const box = map.getContainer().getBoundingClientRect();
    const r = popup.getElement().getBoundingClientRect();
    const left = box.left + free.left;
    const right = box.right - free.right;
    const top = box.top + free.top;
    const bottom = box.bottom - free.bottom;
    let dx = 0;
    let dy = 0;
    if (r.left < left) dx = left - r.left;
    else if (r.right > right) dx = Math.max(right - r.right, left - r.left);
    if (r.top < top) dy = top - r.top;
    else if (r.bottom > bottom) dy = Math.max(bottom - r.bottom, top - r.top);
    // Panning by (x, y) moves what is drawn by (-x, -y).
    if (dx !== 0 || dy !== 0) map.panBy([-dx, -dy], {animate: false});
}
