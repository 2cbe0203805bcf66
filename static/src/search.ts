// The search box: places, wards and districts by name, accents optional
// (the server folds them). Picking a result frames it on the map.

import {search, type SearchResult} from './api.ts';
import {h} from './dom.ts';
import type {Translator} from './i18n.ts';
import type {BandoMap} from './map.ts';
import {Marker} from 'maplibre-gl';
import './places.css';

const LIMIT = 8;
const DELAY_MS = 250;

/** SearchBox wires the search form of the page. */
export class SearchBox {
    private readonly input: HTMLInputElement;
    private readonly list: HTMLElement;
    private readonly label: HTMLElement;
    private readonly bm: BandoMap;
    private readonly tr: Translator;
    private timer = 0;
    private abort?: AbortController;
    private results: SearchResult[] = [];
    private marker?: Marker;

    constructor(form: HTMLFormElement, bm: BandoMap, tr: Translator) {
        this.bm = bm;
        this.tr = tr;
        this.label = form.querySelector('label') as HTMLElement;
        this.input = form.querySelector('input') as HTMLInputElement;
        this.list = form.querySelector('.search-results') as HTMLElement;
        form.addEventListener('submit', (e) => {
            e.preventDefault();
            void this.run(true);
        });
        this.input.addEventListener('input', () => {
            clearTimeout(this.timer);
            this.timer = window.setTimeout(() => void this.run(false), DELAY_MS);
        });
        this.input.addEventListener('keydown', (e) => {
            if (e.key === 'ArrowDown') {
                (this.list.querySelector('button') as HTMLElement | null)?.focus();
                e.preventDefault();
            } else if (e.key === 'Escape') {
                this.clear();
            }
        });
        this.list.addEventListener('keydown', (e) => this.moveFocus(e));
        // A click elsewhere folds the results away (the marker stays).
        document.addEventListener('click', (e) => {
            if (!form.contains(e.target as Node)) this.list.replaceChildren();
        });
        this.text();
        tr.onChange(() => {
            this.text();
            this.show();
        });
    }

    private text(): void {
        this.label.textContent = this.tr.t('search.label');
        this.input.placeholder = this.tr.t('search.placeholder');
        this.list.setAttribute('aria-label', this.tr.t('search.results'));
    }

    private moveFocus(e: KeyboardEvent): void {
        const buttons = [...this.list.querySelectorAll('button')];
        const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
        if (e.key === 'ArrowDown' && i < buttons.length - 1) buttons[i + 1].focus();
        else if (e.key === 'ArrowUp') (i > 0 ? buttons[i - 1] : this.input).focus();
        else if (e.key === 'Escape') { this.clear(); this.input.focus(); } else return;
        e.preventDefault();
    }

    private async run(pickFirst: boolean): Promise<void> {
        const q = this.input.value.trim();
        this.abort?.abort();
        if (q.length < 2) {
            this.results = [];
            this.list.replaceChildren();
            return;
        }
        this.abort = new AbortController();
        try {
            this.results = await search(q, LIMIT, this.abort.signal);
            this.show();
            if (pickFirst && this.results[0]) this.pick(this.results[0]);
        } catch (err) {
            if ((err as Error).name === 'AbortError') return;
            this.list.replaceChildren(h('li', {className: 'search-empty'}, this.tr.t('search.failed')));
        }
    }

    private show(): void {
        const q = this.input.value.trim();
        if (q.length < 2) return;
        if (this.results.length === 0) {
            this.list.replaceChildren(h('li', {className: 'search-empty', role: 'status'}, this.tr.t('search.none', {q})));
            return;
        }
        this.list.replaceChildren(...this.results.map((r) => h('li', {},
            h('button', {type: 'button', className: 'search-result', onclick: () => this.pick(r)},
                h('span', {className: 'search-name'}, r.name),
                h('span', {className: 'search-kind'}, this.tr.t(`layer.${r.collection}`)),
                where(r) ? h('span', {className: 'search-where'}, where(r)) : null))));
    }

    private pick(r: SearchResult): void {
        const map = this.bm.map;
        const b = r.bbox;
        if (b && (b[2] - b[0] > 1e-4 || b[3] - b[1] > 1e-4)) {
            map.fitBounds([[b[0], b[1]], [b[2], b[3]]], {padding: 40, maxZoom: 15, duration: 600});
        } else {
            map.flyTo({center: [r.lon, r.lat], zoom: Math.max(map.getZoom(), 15), duration: 600});
        }
        this.marker?.remove();
        this.marker = new Marker({color: '#0b57d0'}).setLngLat([r.lon, r.lat]).addTo(map);
        this.marker.getElement().setAttribute('aria-label', r.name);
        // The chosen button goes away with the list: the keyboard goes
        // back to the box rather than to the page's start.
        const refocus = this.list.contains(document.activeElement);
        this.list.replaceChildren();
        this.input.value = r.name;
        if (refocus) this.input.focus();
    }

    /** clear empties the results and removes the marker. */
    clear(): void {
        this.results = [];
        this.list.replaceChildren();
        this.marker?.remove();
        this.marker = undefined;
    }
}

/**
 * where tells a result apart from others of the same name: its address, then
 * its ward and district unless the address already names them.
 */
function where(r: SearchResult): string {
    const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase();
    const bare = (s: string) => s.replace(/^(Phường|Xã|Thị trấn|Thành phố|Thị xã|Huyện) /, '');
    const address = r.address ?? '';
    const areas = [r.ward, r.district].filter((s): s is string => !!s && !fold(address).includes(fold(bare(s))));
    return [address, ...areas].filter(Boolean).join(', ');
}
