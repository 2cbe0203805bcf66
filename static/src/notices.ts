// What the map page says when something is missing or failed, instead of
// showing a bare canvas or "no cases": no street base map configured,
// tiles or the bulletin that failed to load (each with a Retry button), and
// figures that come from the offline copy of the last bulletin.

import {h} from './dom.ts';
import type {Translator} from './i18n.ts';
import {BASEMAP, SOURCE, type BandoMap} from './map.ts';

/** baseMapNotice tells, over the map, that no street base map is configured. */
export function baseMapNotice(container: HTMLElement, bm: BandoMap, tr: Translator): void {
    if (bm.hasBaseMap) return;
    const p = h('p', {className: 'map-notice', id: 'basemap-notice', role: 'status'}, tr.t('basemap.none'));
    tr.onChange(() => { p.textContent = tr.t('basemap.none'); });
    container.append(p);
}

/** Failure is one thing that failed to load, said in words, with how to retry. */
interface Failure {
    text: () => string;
    retry: () => void;
}

/**
 * FailureBanner lists what failed to load, each with a Retry button. It is
 * an alert, so screen readers say it when it appears; it disappears when
 * everything listed has loaded again.
 */
export class FailureBanner {
    readonly el: HTMLElement;
    private readonly tr: Translator;
    private readonly failures = new Map<string, Failure>();

    constructor(parent: HTMLElement, tr: Translator) {
        this.tr = tr;
        this.el = h('div', {className: 'failures', id: 'failures', role: 'alert'});
        this.el.hidden = true;
        parent.prepend(this.el);
        tr.onChange(() => this.render());
    }

    /** show lists (or updates) the failure of kind. */
    show(kind: string, text: () => string, retry: () => void): void {
        this.failures.set(kind, {text, retry});
        this.render();
    }

    /** clear removes kind: it loaded. */
    clear(kind: string): void {
        if (this.failures.delete(kind)) this.render();
    }

    has(kind: string): boolean {
        return this.failures.has(kind);
    }

    private render(): void {
        this.el.hidden = this.failures.size === 0;
        this.el.replaceChildren(...[...this.failures].map(([kind, f]) => {
            const button = h('button', {type: 'button', className: 'retry', 'data-kind': kind}, this.tr.t('failure.retry'));
            button.addEventListener('click', () => {
                this.clear(kind);
                f.retry();
            });
            return h('p', {className: 'failure', 'data-kind': kind}, h('span', {}, f.text()), ' ', button);
        }));
    }
}

/** tileStatus reads the HTTP status from a MapLibre tile error, 0 when there is none (offline). */
function tileStatus(err: unknown): number {
    const s = (err as {status?: unknown} | undefined)?.status;
    return typeof s === 'number' ? s : 0;
}

/**
 * watchTiles shows a failure when tiles of the epidemic layers or of the
 * street base map fail to load, and retries by asking for them again.
 */
export function watchTiles(bm: BandoMap, banner: FailureBanner, tr: Translator): void {
    bm.map.on('error', (e: {sourceId?: string; tile?: unknown; error?: unknown}) => {
        const source = e.sourceId;
        if (source !== SOURCE && source !== BASEMAP) return;
        const status = tileStatus(e.error);
        const key = source === SOURCE ? 'failure.tiles' : 'failure.basemap';
        banner.show(source, () => tr.t(status ? key : `${key}.offline`, {status}), () => bm.reloadTiles(source));
    });
    // NOTE: a failure stays listed until Retry: other tiles of the same
    // source loading fine say nothing about the one that failed.
}
