// /c/{token}: the page a phone's camera opens from a venue's QR code. No
// app and no map: the venue's name, the person's phone or ID number (asked
// once, then remembered on this phone until "not me / forget"), an optional
// health declaration, the check-in, its confirmation with the time, the
// check-out, and the person's own QR code for venues whose staff scan.
// Vietnamese first, English by the switch.

import './checkin.css';
import {h} from './dom.ts';
import {call, Failure, tokenFrom, type PublicVenue, type Visit} from './checkinapi.ts';
import {mask, read, SYMPTOMS, Words, write} from './checkintext.ts';

const IDENTITY_KEY = 'bando.identity';
const PASS_KEY = 'bando.pass';
const visitKey = (token: string) => `bando.visit.${token}`;

/** Kept is the visit this phone last made at this venue. */
interface Kept {
    id: number | string;
    start: string;
    end?: string;
    /** receipt proves to the server that this phone made the visit (repeat scans, check-out). */
    receipt?: string;
}

/** Page is the state of the check-in page. */
class Page {
    private readonly w = new Words();
    private readonly token = tokenFrom(location.pathname);
    private readonly main = document.getElementById('ci-main') as HTMLElement;
    private venue?: PublicVenue;
    private failure?: Failure;
    private view: 'form' | 'done' | 'out' = 'form';
    private repeat = false;
    private message = '';
    private passSVG = '';
    private busy = false;
    /** the declaration's inputs keep their values across language switches */
    private decl = {symptoms: new Set<string>(), f0: false, travel: '', open: false};
    private typed = '';
    private fieldErr: {field: string; text: string} | undefined;

    private get t() {
        return this.w.t.bind(this.w);
    }

    async start(): Promise<void> {
        window.addEventListener('online', () => {
            if (!this.venue) void this.load();
        });
        this.chrome();
        await this.load();
    }

    private chrome(): void {
        const t = this.t;
        document.title = `${t('title')} · ${t('brand')}`;
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

    private async load(): Promise<void> {
        this.failure = undefined;
        if (!this.token) {
            this.failure = new Failure(404, {});
        } else {
            this.main.setAttribute('aria-busy', 'true');
            try {
                this.venue = (await call<PublicVenue>(`/api/c/${encodeURIComponent(this.token)}`)).data;
            } catch (e) {
                this.failure = e as Failure;
            }
            this.main.removeAttribute('aria-busy');
        }
        this.render();
        document.body.dataset.ready = 'true';
    }

    private render(): void {
        const t = this.t;
        const parts: Node[] = [];
        if (this.venue) {
            const v = this.venue.venue;
            parts.push(h('section', {className: 'ci-venue', 'aria-labelledby': 'ci-venue-name'},
                h('p', {className: 'ci-eyebrow'}, t('venue.label')),
                h('h1', {id: 'ci-venue-name'}, v.name),
                v.category ? h('p', {className: 'ci-meta'}, t(`category.${v.category}`)) : null,
                v.address ? h('p', {className: 'ci-meta'}, v.address) : null));
        }
        if (this.failure && (!this.venue || this.failure.status === 0 || this.failure.status === 429 || this.failure.status >= 500)) {
            parts.push(this.failureBox(this.failure));
        } else if (this.failure && this.venue) {
            // 404/410 after a successful load: the venue was revoked meanwhile.
            parts.push(this.failureBox(this.failure));
        }
        if (this.venue && !(this.failure && [404, 410].includes(this.failure.status))) {
            if (this.view === 'form') parts.push(this.form());
            else parts.push(this.confirmation());
        }
        if (!this.venue && !this.failure) parts.push(h('p', {className: 'ci-meta'}, t('loading')));
        parts.push(h('p', {className: 'ci-privacy'}, t('privacy')));
        this.main.replaceChildren(...parts);
    }

    private failureBox(f: Failure): HTMLElement {
        const t = this.t;
        let text: string;
        switch (f.status) {
        case 0: text = t('err.offline'); break;
        case 404: text = t('err.404'); break;
        case 410: text = t('err.410'); break;
        case 429: text = t('err.429', {s: f.retryAfter ?? 60}); break;
        default: text = t('err.other', {status: f.status});
        }
        const retry = f.status === 0 || f.status === 429 || f.status >= 500;
        return h('div', {className: 'ci-alert', role: 'alert', 'data-status': f.status},
            h('p', {}, text),
            retry ? h('button', {type: 'button', className: 'ci-secondary', onclick: () => void (this.venue ? this.clearFailure() : this.load())}, t('retry')) : null);
    }

    private clearFailure(): void {
        this.failure = undefined;
        this.render();
    }

    private identity(): string {
        return read(IDENTITY_KEY) ?? '';
    }

    private kept(): Kept | undefined {
        try {
            const k = JSON.parse(read(visitKey(this.token)) ?? 'null') as Kept | null;
            // A visit older than a day is long closed by the default stay.
            if (k && Date.now() - new Date(k.start).getTime() < 24 * 3600e3) return k;
        } catch {
            // a broken value is forgotten below
        }
        return undefined;
    }

    private form(): HTMLElement {
        const t = this.t;
        const known = this.identity();
        const err = (field: string) => (this.fieldErr?.field === field ? this.fieldErr.text : '');
        const children: Array<Node | null> = [];
        let input: HTMLInputElement | undefined;
        if (known) {
            children.push(h('p', {className: 'ci-who', id: 'ci-who'}, t('identity.remembered', {masked: mask(known)}), ' ',
                h('button', {type: 'button', className: 'ci-link', onclick: () => this.forget()}, t('identity.forget'))));
            if (err('identity')) children.push(h('p', {className: 'ci-field-error', role: 'alert', id: 'ci-identity-err'}, err('identity')));
        } else {
            input = h('input', {id: 'ci-identity', name: 'identity', type: 'text', inputmode: 'tel', autocomplete: 'tel', required: true,
                'aria-describedby': 'ci-identity-hint ci-identity-err', 'aria-invalid': err('identity') ? 'true' : undefined, maxlength: 40});
            input.value = this.typed;
            input.addEventListener('input', () => (this.typed = input!.value));
            children.push(h('div', {className: 'ci-field'},
                h('label', {for: 'ci-identity'}, t('identity.label')),
                input,
                h('p', {className: 'ci-hint', id: 'ci-identity-hint'}, t('identity.hint')),
                h('p', {className: 'ci-field-error', id: 'ci-identity-err', role: err('identity') ? 'alert' : undefined}, err('identity'))));
        }
        children.push(this.declaration(err));
        const submit = h('button', {type: 'submit', className: 'ci-primary', id: 'ci-submit', disabled: this.busy}, t(this.busy ? 'checkin.busy' : 'checkin'));
        children.push(submit);
        const kept = this.kept();
        if (kept && !kept.end && known) {
            children.push(h('div', {className: 'ci-open'},
                h('p', {}, t('open.at', {time: this.w.time(kept.start)})),
                h('button', {type: 'button', className: 'ci-secondary', onclick: () => void this.checkout()}, t('checkout'))));
        }
        if (this.message) children.push(h('p', {className: 'ci-note', role: 'status'}, this.message));
        // A venue whose staff scan: the person shows their own code instead of checking in here.
        children.push(this.passBox());
        const form = h('form', {className: 'ci-form', novalidate: true, 'aria-labelledby': 'ci-venue-name'}, ...children);
        form.addEventListener('submit', (e) => {
            e.preventDefault();
            void this.checkin(input);
        });
        return form;
    }

    private declaration(err: (f: string) => string): HTMLElement {
        const t = this.t;
        const boxes = SYMPTOMS.map((s) => {
            const id = `ci-sym-${s}`;
            const box = h('input', {type: 'checkbox', id, name: 'symptoms', value: s, checked: this.decl.symptoms.has(s)});
            box.addEventListener('change', () => (box.checked ? this.decl.symptoms.add(s) : this.decl.symptoms.delete(s)));
            return h('div', {className: 'ci-check'}, box, h('label', {for: id}, t(`symptom.${s}`)));
        });
        const f0 = h('input', {type: 'checkbox', id: 'ci-f0', name: 'contact_f0', checked: this.decl.f0});
        f0.addEventListener('change', () => (this.decl.f0 = f0.checked));
        const travel = h('input', {type: 'text', id: 'ci-travel', name: 'travel', maxlength: 500, autocomplete: 'off',
            'aria-describedby': 'ci-travel-err', 'aria-invalid': err('travel') ? 'true' : undefined});
        travel.value = this.decl.travel;
        travel.addEventListener('input', () => (this.decl.travel = travel.value));
        const details = h('details', {className: 'ci-decl', open: this.decl.open || !!err('travel') || !!err('declaration')},
            h('summary', {}, t('decl.title')),
            h('fieldset', {},
                h('legend', {}, t('decl.symptoms')),
                ...boxes),
            h('div', {className: 'ci-check'}, f0, h('label', {for: 'ci-f0'}, t('decl.f0'))),
            h('div', {className: 'ci-field'}, h('label', {for: 'ci-travel'}, t('decl.travel')), travel,
                h('p', {className: 'ci-field-error', id: 'ci-travel-err'}, err('travel'))),
            err('declaration') ? h('p', {className: 'ci-field-error', role: 'alert'}, err('declaration')) : null);
        details.addEventListener('toggle', () => (this.decl.open = details.open));
        return details;
    }

    private forget(): void {
        write(IDENTITY_KEY, null);
        write(PASS_KEY, null);
        write(visitKey(this.token), null);
        this.typed = '';
        this.passSVG = '';
        this.view = 'form';
        this.fieldErr = undefined;
        this.message = this.t('identity.forgotten');
        this.render();
        document.getElementById('ci-identity')?.focus();
    }

    private async checkin(input?: HTMLInputElement): Promise<void> {
        const t = this.t;
        const identity = input ? input.value.trim() : this.identity();
        this.message = '';
        this.fieldErr = undefined;
        if (!identity) {
            this.fieldErr = {field: 'identity', text: t('identity.empty')};
            this.render();
            document.getElementById('ci-identity')?.focus();
            return;
        }
        const body: Record<string, unknown> = {identity};
        const d = this.decl;
        if (d.symptoms.size || d.f0 || d.travel.trim()) {
            body.declaration = {symptoms: SYMPTOMS.filter((s) => d.symptoms.has(s)), contact_f0: d.f0, travel: d.travel.trim()};
        }
        this.busy = true;
        this.render();
        try {
            const before = this.kept();
            if (before?.receipt) body.receipt = before.receipt;
            const r = await call<{visit?: Visit; repeat?: boolean; receipt?: string}>(`/api/c/${encodeURIComponent(this.token)}/checkin`, body);
            write(IDENTITY_KEY, identity);
            const v = r.data.visit;
            // A repeat scan from a phone without the visit's receipt is
            // answered without the visit: nothing to keep, no check-out here.
            write(visitKey(this.token), v ? JSON.stringify({id: v.id, start: v.start, receipt: r.data.receipt} satisfies Kept) : null);
            this.repeat = r.status === 200 || r.data.repeat === true;
            this.view = 'done';
            this.decl = {symptoms: new Set(), f0: false, travel: '', open: false};
            this.typed = '';
        } catch (e) {
            this.onFailure(e as Failure);
        } finally {
            this.busy = false;
        }
        this.render();
        this.focusResult();
    }

    /** onFailure puts a refused field at its input, the rest in the alert. */
    private onFailure(f: Failure): void {
        const t = this.t;
        const lang = this.w.lang;
        if (f.status === 422 || f.status === 400) {
            const travel = f.fieldReason('declaration.travel', lang) ?? f.fieldReason('travel', lang);
            const decl = f.fieldReason('declaration', lang) ?? f.fieldReason('symptoms', lang);
            const who = f.fieldReason('identity', lang) ?? f.fieldReason('phone', lang) ?? f.fieldReason('id_number', lang);
            if (travel !== undefined) this.fieldErr = {field: 'travel', text: t('decl.travel.bad', {reason: travel || f.reason(lang)})};
            else if (decl !== undefined) this.fieldErr = {field: 'declaration', text: t('decl.bad', {reason: decl || f.reason(lang)})};
            else this.fieldErr = {field: 'identity', text: t('identity.bad', {reason: who || f.reason(lang)})};
            if (this.fieldErr.field === 'identity' && this.identity()) {
                // The remembered number is refused: ask for it again.
                write(IDENTITY_KEY, null);
            }
            return;
        }
        this.failure = f;
    }

    private focusResult(): void {
        const target = document.querySelector<HTMLElement>('[aria-invalid="true"], .ci-alert, .ci-done h2');
        if (target) {
            if (!target.hasAttribute('tabindex') && !/INPUT|BUTTON/.test(target.tagName)) target.tabIndex = -1;
            target.focus();
        }
    }

    private confirmation(): HTMLElement {
        const t = this.t;
        const kept = this.kept();
        const start = kept?.start ?? '';
        const out: Array<Node | null> = [];
        if (this.view === 'out' && kept?.end) {
            out.push(h('h2', {}, '✓ ', t('checkout.done', {time: this.w.time(kept.end)})));
        } else {
            out.push(h('h2', {}, '✓ ', t(this.repeat ? 'repeat.title' : 'done.title')));
            const stay = this.venue?.default_stay_minutes;
            if (start) {
                out.push(h('p', {className: 'ci-time'}, t(this.repeat ? 'repeat.at' : 'done.at', {time: this.w.time(start)})));
                if (stay) out.push(h('p', {className: 'ci-hint'}, t('done.stay', {n: stay})));
                out.push(h('button', {type: 'button', className: 'ci-primary', id: 'ci-checkout', onclick: () => void this.checkout()}, t('checkout')));
            } else {
                out.push(h('p', {className: 'ci-time'}, t('repeat.elsewhere', {n: stay ?? 0})));
            }
        }
        if (this.message) out.push(h('p', {className: 'ci-note', role: 'status'}, this.message));
        const who = this.identity();
        if (who) {
            out.push(h('p', {className: 'ci-who'}, t('identity.remembered', {masked: mask(who)}), ' ',
                h('button', {type: 'button', className: 'ci-link', onclick: () => this.forget()}, t('identity.forget'))));
        }
        out.push(h('button', {type: 'button', className: 'ci-secondary', onclick: () => this.again()}, t('again')));
        out.push(this.passBox());
        return h('section', {className: `ci-done${this.view === 'out' ? ' ci-out' : ''}`, 'aria-live': 'polite'}, ...out);
    }

    private again(): void {
        this.view = 'form';
        this.message = '';
        this.render();
        document.getElementById('ci-submit')?.focus();
    }

    private passBox(): HTMLElement {
        const t = this.t;
        if (!this.passSVG) {
            return h('div', {className: 'ci-pass'},
                h('button', {type: 'button', className: 'ci-secondary', id: 'ci-pass-show', onclick: () => void this.showPass()}, t('pass.show')));
        }
        return h('div', {className: 'ci-pass'},
            h('h3', {id: 'ci-pass-title', tabindex: -1}, t('pass.title')),
            h('img', {id: 'ci-pass-img', src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(this.passSVG)}`, alt: t('pass.alt'), width: 240, height: 240}),
            h('p', {className: 'ci-hint'}, t('pass.hint')),
            h('button', {type: 'button', className: 'ci-secondary', onclick: () => {
                this.passSVG = '';
                this.render();
            }}, t('pass.hide')));
    }

    private async showPass(): Promise<void> {
        const identity = this.identity() || this.typed.trim();
        this.fieldErr = undefined;
        if (!identity) {
            this.fieldErr = {field: 'identity', text: this.t('identity.empty')};
            this.render();
            document.getElementById('ci-identity')?.focus();
            return;
        }
        try {
            // The pass is kept for the number it was made for, to show again offline.
            const kept = JSON.parse(read(PASS_KEY) ?? 'null') as {svg: string; at: number; for: string} | null;
            if (kept && kept.for === identity && Date.now() - kept.at < 20 * 24 * 3600e3) this.passSVG = kept.svg;
        } catch {
            // fetch a new one below
        }
        if (!this.passSVG) {
            try {
                const r = await call<{pass: string; svg: string}>(`/api/c/${encodeURIComponent(this.token)}/pass`, {identity});
                this.passSVG = r.data.svg;
                write(IDENTITY_KEY, identity);
                write(PASS_KEY, JSON.stringify({svg: r.data.svg, at: Date.now(), for: identity}));
                this.typed = '';
            } catch (e) {
                this.onFailure(e as Failure);
            }
        }
        this.render();
        document.getElementById(this.passSVG ? 'ci-pass-title' : 'ci-identity')?.focus();
    }

    private async checkout(): Promise<void> {
        const identity = this.identity();
        if (!identity) return;
        this.message = '';
        try {
            const receipt = this.kept()?.receipt ?? '';
            const r = await call<{visit: Visit}>(`/api/c/${encodeURIComponent(this.token)}/checkout`, {identity, receipt});
            const v = r.data.visit;
            write(visitKey(this.token), JSON.stringify({id: v.id, start: v.start, end: v.end ?? new Date().toISOString(), receipt} satisfies Kept));
            this.view = 'out';
        } catch (e) {
            const f = e as Failure;
            if (f.status === 409 || (f.status === 422 && f.field === 'receipt')) {
                // No open visit, or none this phone holds the receipt of.
                write(visitKey(this.token), null);
                this.message = this.t('checkout.none');
            } else {
                this.onFailure(f);
            }
        }
        this.render();
        this.focusResult();
    }
}

void new Page().start();
