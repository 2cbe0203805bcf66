// The editor's tables: the case list (paged, status fields editable) with
// the bulletin CSV upload (a dry run first, then the import), and the
// accounts (admins only).

import {h} from './dom.ts';
import {canEdit, Problem, type EditedFeature, type User} from './adminapi.ts';
import {button, problemText, uid, type Ctx} from './adminui.ts';
import {CASE_STATUSES, ROLES} from './adminschema.ts';

const PAGE = 20;

/** Cases is the cases part of the editor. */
export class Cases {
    private readonly ctx: Ctx;
    readonly el: HTMLElement;
    private offset = 0;
    private total?: number;
    private rows: EditedFeature[] = [];
    private table = h('div', {className: 'ed-table-wrap'});
    private upload = h('div', {className: 'ed-upload'});
    private report = h('div', {className: 'ed-report', role: 'status'});
    private csv = '';
    private checked = false;

    constructor(ctx: Ctx) {
        this.ctx = ctx;
        this.el = h('section', {className: 'ed-part', 'data-part': 'cases', hidden: true});
    }

    private get t() {
        return this.ctx.tr.t.bind(this.ctx.tr);
    }

    shown(on: boolean): void {
        if (on) void this.load();
    }

    render(): void {
        const t = this.t;
        this.el.replaceChildren(h('h2', {}, t('ed.cases')), this.table, canEdit(this.ctx.s.user) ? this.upload : '');
        this.renderTable();
        this.renderUpload();
    }

    private async load(): Promise<void> {
        try {
            const r = await this.ctx.s.items('cases', {limit: PAGE, offset: this.offset});
            this.rows = r.features;
            this.total = r.numberMatched;
        } catch (e) {
            this.ctx.say(problemText(this.ctx.tr, e), 'error');
            return;
        }
        this.renderTable();
    }

    private renderTable(): void {
        const t = this.t;
        const edit = canEdit(this.ctx.s.user);
        const body = this.rows.map((c) => {
            const p = c.properties;
            const status = h('select', {'aria-label': t('ed.cases.statusof', {code: String(p.code ?? c.id)}), disabled: !edit},
                ...CASE_STATUSES.map((s) => h('option', {value: s}, t(`value.${s}`))));
            status.value = String(p.status ?? '');
            const date = h('input', {type: 'date', 'aria-label': t('ed.cases.dateof', {code: String(p.code ?? c.id)}), disabled: !edit});
            date.value = String(p.status_date ?? '');
            const msg = h('span', {className: 'ed-meta', role: 'status'});
            const save = edit ? button(t('ed.save'), async () => {
                const now = c.properties;
                const change: Record<string, unknown> = {};
                if (status.value !== String(now.status ?? '')) change.status = status.value;
                if (date.value !== String(now.status_date ?? '')) change.status_date = date.value || null;
                if (!Object.keys(change).length) {
                    msg.textContent = t('ed.nochange');
                    return;
                }
                try {
                    const f = await this.ctx.s.patch('cases', c.id, c.etag ?? '', {properties: change});
                    Object.assign(c, {properties: f.properties ?? {...now, ...change}, etag: f.etag, revision: f.revision});
                    msg.textContent = t('ed.saved', {rev: f.revision ?? '?'});
                } catch (e) {
                    msg.textContent = e instanceof Problem && e.status === 422 ? e.errors.map((x) => (this.ctx.tr.lang === 'vi' ? x.reason_vi ?? x.reason : x.reason)).join(' ') || problemText(this.ctx.tr, e) : problemText(this.ctx.tr, e);
                }
            }, {'data-case': c.id}) : null;
            return h('tr', {},
                h('th', {scope: 'row'}, String(p.code ?? c.id)),
                h('td', {}, this.ctx.tr.date(String(p.report_date ?? ''))),
                h('td', {}, String(p.district_code ?? '')),
                h('td', {}, status), h('td', {}, date), h('td', {}, save, msg));
        });
        const from = this.rows.length ? this.offset + 1 : 0;
        const to = this.offset + this.rows.length;
        const more = this.total === undefined ? this.rows.length === PAGE : to < this.total;
        this.table.replaceChildren(
            h('table', {className: 'ed-table'},
                h('caption', {}, t('ed.cases.page', {from, to, total: this.total ?? '…'})),
                h('thead', {}, h('tr', {}, ...['prop.code', 'prop.report_date', 'prop.district_code', 'prop.status', 'prop.status_date', 'ed.actions'].map((k) => h('th', {scope: 'col'}, t(k))))),
                h('tbody', {}, ...body)),
            h('div', {className: 'ed-pager'},
                button(t('ed.prev'), () => {
                    this.offset = Math.max(0, this.offset - PAGE);
                    void this.load();
                }, this.offset === 0 ? {disabled: true} : {}),
                button(t('ed.next'), () => {
                    this.offset += PAGE;
                    void this.load();
                }, more ? {} : {disabled: true})));
    }

    private renderUpload(): void {
        const t = this.t;
        const fileId = uid('csv');
        const modeId = uid('mode');
        const file = h('input', {id: fileId, type: 'file', accept: '.csv,text/csv'});
        const mode = h('select', {id: modeId}, h('option', {value: 'upsert'}, t('ed.csv.upsert')), h('option', {value: 'replace'}, t('ed.csv.replace')));
        const importBtn = button(t('ed.csv.import'), () => void this.send(mode.value, false), {'data-action': 'csv-import', disabled: !this.checked});
        file.addEventListener('change', async () => {
            this.csv = file.files?.[0] ? await file.files[0].text() : '';
            this.checked = false;
            importBtn.disabled = true;
            this.report.replaceChildren();
        });
        mode.addEventListener('change', () => {
            this.checked = false;
            importBtn.disabled = true;
        });
        this.upload.replaceChildren(
            h('h3', {}, t('ed.csv')),
            h('p', {className: 'ed-meta'}, t('ed.csv.hint')),
            h('div', {className: 'ed-field'}, h('label', {for: fileId}, t('ed.csv.file')), file),
            h('div', {className: 'ed-field'}, h('label', {for: modeId}, t('ed.csv.mode')), mode),
            h('div', {className: 'ed-actions'},
                button(t('ed.csv.dryrun'), async () => {
                    this.checked = await this.send(mode.value, true);
                    importBtn.disabled = !this.checked;
                }, {'data-action': 'csv-dryrun'}),
                importBtn),
            this.report);
    }

    private async send(mode: string, dry: boolean): Promise<boolean> {
        const t = this.t;
        if (!this.csv) {
            this.report.replaceChildren(h('p', {className: 'ed-field-error'}, t('ed.csv.nofile')));
            return false;
        }
        try {
            const r = await this.ctx.s.importCases(this.csv, mode, dry);
            const n = (k: string) => (typeof r[k] === 'number' ? r[k] as number : 0);
            const summary = t('ed.csv.summary', {rows: n('rows'), new: n('new'), updated: n('updated'), unchanged: n('unchanged'), deleted: n('deleted')});
            this.report.replaceChildren(h('p', {className: 'ed-ok'}, t(dry ? 'ed.csv.dryok' : 'ed.csv.done', {summary})));
            if (!dry) {
                this.checked = false;
                this.csv = '';
                void this.load();
            }
            return true;
        } catch (e) {
            const errs = e instanceof Problem ? e.errors : [];
            this.report.replaceChildren(
                h('p', {className: 'ed-field-error'}, problemText(this.ctx.tr, e)),
                errs.length ? h('table', {className: 'ed-table ed-csv-errors'},
                    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, t('ed.csv.line')), h('th', {scope: 'col'}, t('ed.csv.field')), h('th', {scope: 'col'}, t('ed.csv.reason')))),
                    h('tbody', {}, ...errs.slice(0, 500).map((x) => h('tr', {},
                        h('td', {}, String(x.line ?? '')), h('td', {}, x.field ?? ''),
                        h('td', {}, (this.ctx.tr.lang === 'vi' ? x.reason_vi ?? x.reason : x.reason ?? x.reason_vi) ?? ''))))) : '');
            return false;
        }
    }
}

/** Users is the accounts part of the editor (admins only). */
export class Users {
    private readonly ctx: Ctx;
    readonly el: HTMLElement;
    private users: User[] = [];
    private msg = h('p', {className: 'ed-form-msg', role: 'status'});

    constructor(ctx: Ctx) {
        this.ctx = ctx;
        this.el = h('section', {className: 'ed-part', 'data-part': 'users', hidden: true});
    }

    private get t() {
        return this.ctx.tr.t.bind(this.ctx.tr);
    }

    shown(on: boolean): void {
        if (on) void this.load();
    }

    private async load(): Promise<void> {
        try {
            this.users = await this.ctx.s.users();
        } catch (e) {
            this.msg.textContent = problemText(this.ctx.tr, e);
        }
        this.render();
    }

    private roleSelect(label: string, value: string): HTMLSelectElement {
        const s = h('select', {'aria-label': label}, ...ROLES.map((r) => h('option', {value: r}, this.t(`ed.role.${r}`))));
        s.value = value;
        return s;
    }

    render(): void {
        const t = this.t;
        const rows = this.users.map((u) => {
            const role = this.roleSelect(t('ed.users.roleof', {name: u.name}), u.role);
            const district = h('input', {type: 'text', inputmode: 'numeric', 'aria-label': t('ed.users.districtof', {name: u.name}), size: 5});
            district.value = u.district ?? '';
            return h('tr', {className: u.disabled ? 'ed-disabled' : ''},
                h('th', {scope: 'row'}, u.name),
                h('td', {}, role), h('td', {}, district),
                h('td', {}, u.disabled ? t('ed.users.disabled') : t('ed.users.active')),
                h('td', {},
                    button(t('ed.save'), () => void this.act(() => this.ctx.s.updateUser(u.name, {role: role.value, district: district.value.trim()})), {'data-user': u.name}),
                    u.disabled ? null : button(t('ed.users.disable'), () => {
                        if (window.confirm(t('ed.users.disable.confirm', {name: u.name}))) void this.act(() => this.ctx.s.disableUser(u.name));
                    }, {'data-disable': u.name})));
        });
        const nameId = uid('u-name');
        const pwId = uid('u-pw');
        const roleId = uid('u-role');
        const distId = uid('u-dist');
        const name = h('input', {id: nameId, type: 'text', autocomplete: 'off', required: true});
        const pw = h('input', {id: pwId, type: 'password', autocomplete: 'new-password', required: true, minlength: 8});
        const role = h('select', {id: roleId}, ...ROLES.map((r) => h('option', {value: r}, t(`ed.role.${r}`))));
        role.value = 'editor';
        const dist = h('input', {id: distId, type: 'text', inputmode: 'numeric'});
        const add = h('form', {className: 'ed-form', 'aria-label': t('ed.users.add')},
            h('div', {className: 'ed-field'}, h('label', {for: nameId}, t('ed.users.name')), name),
            h('div', {className: 'ed-field'}, h('label', {for: roleId}, t('ed.users.role')), role),
            h('div', {className: 'ed-field'}, h('label', {for: distId}, t('ed.users.district')), dist),
            h('div', {className: 'ed-field'}, h('label', {for: pwId}, t('ed.users.password')), pw),
            h('button', {type: 'submit'}, t('ed.users.add')));
        add.addEventListener('submit', (e) => {
            e.preventDefault();
            void this.act(() => this.ctx.s.addUser({name: name.value.trim(), role: role.value, district: dist.value.trim() || undefined, password: pw.value}));
        });
        this.el.replaceChildren(
            h('h2', {}, t('ed.users')),
            h('div', {className: 'ed-table-wrap'}, h('table', {className: 'ed-table'},
                h('thead', {}, h('tr', {}, ...['ed.users.name', 'ed.users.role', 'ed.users.district', 'ed.users.state', 'ed.actions'].map((k) => h('th', {scope: 'col'}, t(k))))),
                h('tbody', {}, ...rows))),
            this.msg,
            h('h3', {}, t('ed.users.add')),
            add);
    }

    private async act(f: () => Promise<void>): Promise<void> {
        try {
            await f();
            this.msg.textContent = this.t('ed.done');
            await this.load();
            this.msg.textContent = this.t('ed.done');
        } catch (e) {
            this.msg.textContent = problemText(this.ctx.tr, e);
        }
    }
}
