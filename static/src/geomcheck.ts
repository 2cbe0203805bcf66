// Checks the editor makes before it sends a zone or a point, so that an
// official sees the mistake at the shape at once; the server checks again and
// its answer is shown the same way.

/** Check is one problem found: the field (or "geometry"), a translation key, where. */
export interface Check {
    field: string;
    key: string;
    at?: [number, number];
}

type Pos = [number, number];

/** distinct drops the closing repeat and consecutive duplicates of a ring. */
export function distinct(ring: number[][]): Pos[] {
    const out: Pos[] = [];
    for (const p of ring) {
        const q: Pos = [p[0], p[1]];
        const last = out[out.length - 1];
        if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
    }
    if (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) out.pop();
    return out;
}

/** crossing is where segments ab and cd cross, or undefined (touching ends do not count). */
export function crossing(a: Pos, b: Pos, c: Pos, d: Pos): Pos | undefined {
    const r = [b[0] - a[0], b[1] - a[1]];
    const s = [d[0] - c[0], d[1] - c[1]];
    const den = r[0] * s[1] - r[1] * s[0];
    if (den === 0) {
        // Parallel: collinear overlap is a crossing too (the ring folds back).
        const cross = (c[0] - a[0]) * r[1] - (c[1] - a[1]) * r[0];
        if (cross !== 0) return undefined;
        const rr = r[0] * r[0] + r[1] * r[1];
        if (rr === 0) return undefined;
        const t0 = ((c[0] - a[0]) * r[0] + (c[1] - a[1]) * r[1]) / rr;
        const t1 = ((d[0] - a[0]) * r[0] + (d[1] - a[1]) * r[1]) / rr;
        const lo = Math.max(0, Math.min(t0, t1));
        const hi = Math.min(1, Math.max(t0, t1));
        if (hi - lo <= 1e-12) return undefined;
        const t = (lo + hi) / 2;
        return [a[0] + t * r[0], a[1] + t * r[1]];
    }
    const t = ((c[0] - a[0]) * s[1] - (c[1] - a[1]) * s[0]) / den;
    const u = ((c[0] - a[0]) * r[1] - (c[1] - a[1]) * r[0]) / den;
    const eps = 1e-12;
    if (t <= eps || t >= 1 - eps || u <= eps || u >= 1 - eps) return undefined;
    return [a[0] + t * r[0], a[1] + t * r[1]];
}

/** selfCrossings lists the points where a ring crosses itself. */
export function selfCrossings(ring: number[][]): Pos[] {
    const p = distinct(ring);
    const n = p.length;
    const out: Pos[] = [];
    if (n < 3) return out;
    // A spike: the ring goes out along a line and straight back over it.
    for (let i = 0; i < n; i++) {
        const a = p[(i + n - 1) % n];
        const b = p[i];
        const c = p[(i + 1) % n];
        const cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
        const dot = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]);
        if (cross === 0 && dot < 0) out.push(b);
    }
    if (n < 4) return out;
    for (let i = 0; i < n; i++) {
        const a = p[i];
        const b = p[(i + 1) % n];
        for (let j = i + 2; j < n; j++) {
            if (i === 0 && j === n - 1) continue; // neighbours through the closing point
            const x = crossing(a, b, p[j], p[(j + 1) % n]);
            if (x) out.push(x);
        }
    }
    return out;
}

/** polygonsOf lists the polygons of a Polygon or MultiPolygon. */
export function polygonsOf(g: GeoJSON.Geometry | null | undefined): number[][][][] {
    if (!g) return [];
    if (g.type === 'Polygon') return [g.coordinates];
    if (g.type === 'MultiPolygon') return g.coordinates;
    return [];
}

/** checkZone checks a zone's shape and dates before it is sent. */
export function checkZone(g: GeoJSON.Geometry | null | undefined, props: {start?: string; end?: string; name?: string}): Check[] {
    const out: Check[] = [];
    const polys = polygonsOf(g);
    if (polys.length === 0) out.push({field: 'geometry', key: 'ed.check.noshape'});
    for (const poly of polys) {
        for (const ring of poly) {
            const pts = distinct(ring);
            if (pts.length < 3) {
                out.push({field: 'geometry', key: 'ed.check.fewpoints', at: pts[0]});
                continue;
            }
            for (const x of selfCrossings(ring)) out.push({field: 'geometry', key: 'ed.check.crossing', at: x});
            for (const q of pts) {
                if (!Number.isFinite(q[0]) || !Number.isFinite(q[1]) || Math.abs(q[0]) > 180 || Math.abs(q[1]) > 90) {
                    out.push({field: 'geometry', key: 'ed.check.range', at: undefined});
                    break;
                }
            }
        }
    }
    if (!props.name || !props.name.trim()) out.push({field: 'name', key: 'ed.check.required'});
    if (props.start && props.end && props.end < props.start) out.push({field: 'end', key: 'ed.check.endbefore'});
    return out;
}

/** largestRing picks the outer ring of the largest polygon (wards may come in parts). */
export function largestRing(g: GeoJSON.Geometry | null | undefined): number[][] | undefined {
    let best: number[][] | undefined;
    let area = -1;
    for (const poly of polygonsOf(g)) {
        const ring = poly[0];
        if (!ring) continue;
        let a = 0;
        for (let i = 0; i + 1 < ring.length; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
        if (Math.abs(a) > area) {
            area = Math.abs(a);
            best = ring;
        }
    }
    return best;
}

/** closed returns the ring with its first point repeated at the end. */
export function closed(ring: number[][]): number[][] {
    const p = distinct(ring).map((q) => [q[0], q[1]]);
    if (p.length) p.push([p[0][0], p[0][1]]);
    return p;
}

/** today is the day in Vietnam (UTC+7), YYYY-MM-DD. */
export function today(now = new Date()): string {
    return new Date(now.getTime() + 7 * 3600e3).toISOString().slice(0, 10);
}
