// /s/{staffToken}: the venue staff's scanner for the other mode of Decision
// 2666: a visitor shows their personal QR code, the staff's device camera
// reads it (jsQR on the video frames, loaded only on this page), and the
// pass goes to POST /api/s/{staffToken}/checkins. Each recorded visitor is
// listed by a masked, short line (never a raw number); a visitor without
// the code is entered by hand.

import './checkin.css';
import {h} from './dom.ts';
import {call, Failure, passOf, tokenFrom, type Visit} from './checkinapi.ts';
import {mask, Words} from './checkintext.ts';

type Decode = (data: Uint8ClampedArray, width: number, height: number, opts?: {inversionAttempts?: 'dontInvert' | 'onlyInvert' | 'attemptBoth' | 'invertFirst'}) => {data: string} | null;

/** Entry is one line of the recorded list. */
interface Entry {
    ok: boolean;
    text: string;
}

/**
 * Pending is a scan made while the device was offline, sent later in one
 * batch with the time it was made. It stays in memory only: a number typed
 * by hand is not written to the venue's device.
 */
interface Pending {
    pass?: string;
    identity?: string;
    at: string;
}

/** RETRY is how often a device with scans waiting tries to send them, in ms. */
const RETRY = 15000;

/** SAME_PASS is how long a pass seen again is not sent again (the code stays in front of the camera). */
const SAME_PASS = 8000;
/** FRAME is the interval between decoded frames, in ms: enough for a queue, light on a phone. */
const FRAME = 150;

class Scanner {
    private readonly w = new Words();
    private readonly token = tokenFrom(location.pathname);
    private readonly main = document.getElementById('ci-main') as HTMLElement;
    private readonly video = h('video', {id: 'st-video', playsinline: true, muted: true, autoplay: true});
    private readonly canvas = document.createElement('canvas');
    private stream?: MediaStream;
    private decode?: Decode;
    private timer = 0;
    private cameraState: 'off' | 'on' | 'denied' | 'none' = 'off';
    private cameraReason = '';
    private entries: Entry[] = [];
    private last = {pass: '', at: 0};
    private fatal?: Failure;
    private queue: Pending[] = [];
    private flushing = false;
    private manualErr = '';

    private get t() {
        return this.w.t.bind(this.w);
    }

    async start(): Promise<void> {
        window.addEventListener('online', () => void this.flush());
        window.setInterval(() => void this.flush(), RETRY);
        this.chrome();
        this.render();
        document.body.dataset.ready = 'true';
        await this.startCamera();
    }

    private chrome(): void {
        const t = this.t;
        document.title = `${t('staff.title')} · ${t('brand')}`;
        const sw = document.getElementById('ci-lang') as HTMLButtonElement;
        sw.textContent = t('lang.switch');
        sw.lang = this.w.lang === 'vi' ? 'en' : 'vi';
        sw.setAttribute('aria-label', t('lang.switch.label'));
        sw.onclick = () => {
            this.w.toggle();
            this.chrome();
            this.render();
            sw.focus();
        };
        (document.getElementById('ci-brand') as HTMLElement).textContent = t('brand');
    }

    private render(): void {
        const t = this.t;
        if (this.fatal) {
            this.main.replaceChildren(h('h1', {}, t('staff.title')), this.failureBox(this.fatal));
            return;
        }
        const state = {on: 'staff.camera.on', off: 'staff.camera.off', denied: 'staff.camera.denied', none: 'staff.camera.none'}[this.cameraState];
        const toggle = this.cameraState === 'on'
            ? h('button', {type: 'button', className: 'ci-secondary', id: 'st-camera', onclick: () => this.stopCamera()}, t('staff.camera.stop'))
            : h('button', {type: 'button', className: 'ci-primary', id: 'st-camera', onclick: () => void this.startCamera()}, t('staff.camera.start'));
        this.video.setAttribute('aria-label', t('staff.video'));
        const input = h('input', {type: 'text', id: 'st-identity', inputmode: 'tel', autocomplete: 'off', maxlength: 40,
            'aria-describedby': 'st-identity-err', 'aria-invalid': this.manualErr ? 'true' : undefined});
        const manual = h('form', {className: 'st-manual', novalidate: true},
            h('label', {for: 'st-identity'}, t('staff.manual.label')), input,
            h('button', {type: 'submit', className: 'ci-secondary'}, t('staff.manual.submit')),
            h('p', {className: 'ci-field-error', id: 'st-identity-err', role: this.manualErr ? 'alert' : undefined}, this.manualErr));
        manual.addEventListener('submit', (e) => {
            e.preventDefault();
            const v = input.value.trim();
            if (!v) return;
            void this.send({identity: v}, t('staff.who.number', {masked: mask(v)})).then((ok) => {
                if (ok) input.value = '';
            });
        });
        this.main.replaceChildren(
            h('h1', {}, t('staff.title')),
            h('section', {className: 'st-box'},
                h('p', {className: 'ci-hint'}, t('staff.hint')),
                h('div', {className: 'st-video-wrap', hidden: this.cameraState !== 'on'}, this.video),
                h('p', {className: 'ci-note', role: 'status', id: 'st-camera-state'}, t(state, {reason: this.cameraReason})),
                this.cameraState === 'none' ? null : toggle),
            h('section', {className: 'st-box', 'aria-labelledby': 'st-list-title'},
                h('h2', {id: 'st-list-title'}, t('staff.list')),
                h('p', {className: 'ci-note', id: 'st-queue', role: 'status'}, this.queueText()),
                h('ul', {className: 'st-list', id: 'st-list', 'aria-live': 'polite'},
                    ...(this.entries.length ? this.entries.map((e) => h('li', {className: e.ok ? 'st-ok' : 'st-bad'}, e.text)) : [h('li', {}, t('staff.empty'))]))),
            h('section', {className: 'st-box', 'aria-labelledby': 'st-manual-title'},
                h('h2', {id: 'st-manual-title'}, t('staff.manual')), manual),
            h('p', {className: 'ci-privacy'}, t('privacy')));
        // The video element is moved, not rebuilt: it keeps playing.
        if (this.cameraState === 'on' && this.video.paused) void this.video.play().catch(() => undefined);
    }

    private failureBox(f: Failure): HTMLElement {
        const t = this.t;
        const text = f.status === 404 ? t('staff.404') : f.status === 410 ? t('staff.410') : f.status === 0 ? t('err.offline')
            : f.status === 429 ? t('err.429', {s: f.retryAfter ?? 60}) : t('err.other', {status: f.status});
        return h('div', {className: 'ci-alert', role: 'alert', 'data-status': f.status}, h('p', {}, text));
    }

    private async startCamera(): Promise<void> {
        if (!navigator.mediaDevices?.getUserMedia) {
            this.cameraState = 'none';
            this.render();
            return;
        }
        try {
            const [stream, mod] = await Promise.all([
                navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment', width: {ideal: 1280}, height: {ideal: 720}}, audio: false}),
                this.decode ? Promise.resolve(null) : import('jsqr'),
            ]);
            if (mod) this.decode = (mod.default as unknown as Decode);
            this.stream = stream;
            this.video.srcObject = stream;
            this.cameraState = 'on';
            this.render();
            await this.video.play().catch(() => undefined);
            this.timer = window.setInterval(() => this.scanFrame(), FRAME);
        } catch (e) {
            this.cameraState = 'denied';
            this.cameraReason = (e as Error)?.name ?? String(e);
            this.render();
        }
    }

    private stopCamera(): void {
        clearInterval(this.timer);
        for (const tr of this.stream?.getTracks() ?? []) tr.stop();
        this.stream = undefined;
        this.video.srcObject = null;
        this.cameraState = 'off';
        this.render();
        document.getElementById('st-camera')?.focus();
    }

    private busy = false;

    private scanFrame(): void {
        const v = this.video;
        if (this.busy || !this.decode || v.readyState < 2 || !v.videoWidth) return;
        // Decode at most 640 px wide: enough for a code held up to the camera.
        const scale = Math.min(1, 640 / v.videoWidth);
        const w = Math.round(v.videoWidth * scale);
        const ht = Math.round(v.videoHeight * scale);
        this.canvas.width = w;
        this.canvas.height = ht;
        const ctx = this.canvas.getContext('2d', {willReadFrequently: true});
        if (!ctx) return;
        ctx.drawImage(v, 0, 0, w, ht);
        const img = ctx.getImageData(0, 0, w, ht);
        const found = this.decode(img.data, w, ht, {inversionAttempts: 'dontInvert'});
        if (!found?.data) return;
        const pass = passOf(found.data);
        const now = Date.now();
        if (pass === this.last.pass && now - this.last.at < SAME_PASS) return;
        this.last = {pass, at: now};
        this.busy = true;
        void this.send({pass}, this.t('staff.who.pass')).finally(() => (this.busy = false));
    }

    /** send records one visitor; the answer is whether it was recorded. */
    private async send(body: {pass?: string; identity?: string}, who: string): Promise<boolean> {
        const t = this.t;
        if (body.identity !== undefined) this.manualError('');
        try {
            const r = await call<{visit: Visit; repeat?: boolean}>(`/api/s/${encodeURIComponent(this.token)}/checkins`, body);
            const v = r.data.visit;
            const repeat = r.status === 200 || r.data.repeat === true;
            this.add({ok: true, text: t(repeat ? 'staff.repeat' : 'staff.ok', {who, time: this.w.time(v?.start ?? new Date().toISOString())})});
            this.flash();
            return true;
        } catch (e) {
            const f = e as Failure;
            if (f.status === 404 || f.status === 410) {
                this.fatal = f;
                this.stopCamera();
                return false;
            } else if (f.status === 422 || f.status === 400) {
                const reason = f.fieldReason('identity', this.w.lang) ?? f.fieldReason('pass', this.w.lang) ?? f.reason(this.w.lang);
                if (body.identity !== undefined) this.manualError(t('identity.bad', {reason}));
                else this.add({ok: false, text: t('staff.badpass', {reason})});
            } else if (f.status === 0) {
                // Offline: kept, with its time, and sent when the network is back.
                this.queue.push({...body, at: new Date().toISOString()});
                this.add({ok: false, text: t('staff.queued', {who})});
                this.showQueue();
                return true;
            } else {
                this.add({ok: false, text: this.failureText(f)});
            }
            return false;
        }
    }

    private queueText(): string {
        return this.queue.length ? this.t('staff.waiting', {n: this.queue.length}) : '';
    }

    private showQueue(): void {
        const el = document.getElementById('st-queue');
        if (el) el.textContent = this.queueText();
    }

    /**
     * flush sends the scans made offline in one batch. A row the server
     * refuses (422 naming #/checkins/{i}) is dropped with a line saying so,
     * and the rest are sent again; nothing is recorded from a refused batch.
     */
    private async flush(): Promise<void> {
        if (this.flushing || !this.queue.length || this.fatal) return;
        this.flushing = true;
        const t = this.t;
        try {
            while (this.queue.length) {
                const rows = this.queue.slice();
                try {
                    await call<{recorded?: number}>(`/api/s/${encodeURIComponent(this.token)}/checkins`, {checkins: rows});
                    this.queue.splice(0, rows.length);
                    this.add({ok: true, text: t('staff.sent', {n: rows.length})});
                } catch (e) {
                    const f = e as Failure;
                    const row = f.status === 422 ? rowOf(f) : undefined;
                    if (row !== undefined && row < rows.length) {
                        this.queue.splice(row, 1);
                        this.add({ok: false, text: t('staff.dropped', {reason: f.reason(this.w.lang)})});
                        continue;
                    }
                    if (f.status === 404 || f.status === 410) {
                        this.fatal = f;
                        this.stopCamera();
                    }
                    break;
                }
            }
        } finally {
            this.flushing = false;
            this.showQueue();
        }
    }

    private failureText(f: Failure): string {
        const t = this.t;
        return f.status === 0 ? t('err.offline') : f.status === 429 ? t('err.429', {s: f.retryAfter ?? 60}) : t('err.other', {status: f.status});
    }

    /** add puts a line at the top of the list; the rest of the page (a half-typed number, focus) stays. */
    private add(e: Entry): void {
        this.entries.unshift(e);
        this.entries.length = Math.min(this.entries.length, 50);
        const list = document.getElementById('st-list');
        if (list) list.replaceChildren(...this.entries.map((x) => h('li', {className: x.ok ? 'st-ok' : 'st-bad'}, x.text)));
        else this.render();
    }

    /** manualError says why a number typed by hand was refused, at its input. */
    private manualError(text: string): void {
        this.manualErr = text;
        const input = document.getElementById('st-identity');
        const err = document.getElementById('st-identity-err');
        if (!input || !err) return;
        err.textContent = text;
        if (text) {
            input.setAttribute('aria-invalid', 'true');
            err.setAttribute('role', 'alert');
            input.focus();
        } else {
            input.removeAttribute('aria-invalid');
        }
    }

    private flash(): void {
        const wrap = this.video.parentElement;
        wrap?.classList.add('st-flash');
        setTimeout(() => wrap?.classList.remove('st-flash'), 600);
    }
}

/** rowOf reads the row a refused batch names (#/checkins/{i}/…). */
function rowOf(f: Failure): number | undefined {
    for (const e of f.errors) {
        const m = /^#?\/checkins\/(\d+)/.exec(e.pointer ?? e.field ?? '');
        if (m) return Number(m[1]);
    }
    return undefined;
}

void new Scanner().start();
