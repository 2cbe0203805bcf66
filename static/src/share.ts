// Sharing the current view: its address (the view lives in the hash) to
// copy, and the same address as a QR code drawn here, in the browser. The
// QR encoder loads on the first click (qr.ts), not with the first view.

import {h} from './dom.ts';
import {datedHash} from './hash.ts';
import type {Translator} from './i18n.ts';

/** Share wires the share button to its dialog. */
export class Share {
    private readonly tr: Translator;
    private readonly button: HTMLButtonElement;
    private readonly dialog = h('dialog', {id: 'share-dialog', className: 'share-dialog', 'aria-labelledby': 'share-title'});
    private readonly title = h('h2', {id: 'share-title'});
    private readonly linkLabel = h('label', {for: 'share-link'});
    private readonly link = h('input', {id: 'share-link', type: 'url', readonly: true});
    private readonly copy = h('button', {type: 'button', id: 'share-copy', onclick: () => void this.copyLink()});
    private readonly status = h('p', {id: 'share-status', role: 'status', className: 'hint'});
    private readonly qr = h('canvas', {id: 'share-qr', role: 'img'});
    private readonly close = h('button', {type: 'button', id: 'share-close', onclick: () => this.dialog.close()});

    /** day is the day the map shows (YYYY-MM-DD), which the link names. */
    private readonly day: () => string | undefined;

    constructor(button: HTMLButtonElement, tr: Translator, day: () => string | undefined) {
        this.tr = tr;
        this.button = button;
        this.day = day;
        this.dialog.append(this.title, this.linkLabel, h('div', {className: 'share-row'}, this.link, this.copy), this.status, this.qr, h('div', {className: 'share-actions'}, this.close));
        document.body.append(this.dialog);
        button.addEventListener('click', () => void this.show());
        this.dialog.addEventListener('close', () => this.button.focus());
        tr.onChange(() => this.text());
        this.text();
    }

    private text(): void {
        const t = this.tr.t.bind(this.tr);
        this.button.textContent = t('share.button');
        this.title.textContent = t('share.title');
        this.linkLabel.textContent = t('share.link');
        this.copy.textContent = t('share.copy');
        this.close.textContent = t('share.close');
        this.qr.setAttribute('aria-label', t('share.qr'));
    }

    /**
     * show opens the dialog with the address of the view as it is now,
     * naming the day shown even when the page follows the latest bulletin:
     * the recipient opens it later, when the latest may be another day.
     */
    async show(): Promise<void> {
        const {drawQR} = await import('./qr.ts');
        const link = new URL(location.href);
        link.hash = datedHash(link.hash, this.day());
        const url = link.href;
        this.link.value = url;
        this.status.textContent = '';
        drawQR(this.qr, url);
        this.qr.dataset.url = url;
        this.dialog.showModal();
        this.link.select();
    }

    private async copyLink(): Promise<void> {
        try {
            await navigator.clipboard.writeText(this.link.value);
            this.status.textContent = this.tr.t('share.copied');
        } catch {
            this.link.select();
            this.status.textContent = this.tr.t('share.copyFailed');
        }
    }
}
