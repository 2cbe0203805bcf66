// Types and calls of the daily report (/api/bulletin/daily, /series) and
// the ward risk levels (/api/bulletin/ward-risk).

import {getJSON} from './api.ts';

/** Figures are an area's counts of a day; null: not reported. */
export interface Figures {
    cases_health_facility: number | null;
    cases_quarantine_area: number | null;
    cases_lockdown_area: number | null;
    cases_community: number | null;
    treating_tier1: number | null;
    treating_tier2: number | null;
    treating_tier3: number | null;
    treating_home: number | null;
    discharged: number | null;
    deaths: number | null;
    mobile_stations: number | null;
    doses_allocated: number | null;
    dose1: number | null;
    dose2: number | null;
    dose3: number | null;
    doses_12_17: number | null;
    [k: string]: number | null;
}

/** AreaDay is the province's or a district's report of a day. */
export interface AreaDay {
    code?: string;
    name?: string;
    new_cases: number;
    cases_from: 'report' | 'registry';
    treating: number | null;
    /** treating_from says whether patients were reported or counted from the case registry. */
    treating_from?: 'report' | 'registry';
    figures: Figures;
    change: Record<string, number>;
}

/** Daily is the answer of /api/bulletin/daily. */
export interface Daily {
    date: string;
    province: AreaDay;
    districts: AreaDay[];
}

/** ReportDay is one day of /api/bulletin/series. */
export interface ReportDay {
    date: string;
    new_cases: number;
    avg7: number;
}

/** ReportSeries is the answer of /api/bulletin/series. */
export interface ReportSeries {
    from: string;
    to: string;
    district?: string;
    name?: string;
    days: ReportDay[];
}

/** daily gives the report of date (the latest when empty). */
export function daily(date: string | undefined, signal?: AbortSignal): Promise<Daily> {
    return getJSON<Daily>('/api/bulletin/daily', {date}, signal);
}

/** reportSeries gives the days from..to of the province or a district. */
export function reportSeries(from: string, to: string, district: string | undefined, signal?: AbortSignal): Promise<ReportSeries> {
    return getJSON<ReportSeries>('/api/bulletin/series', {from, to, district}, signal);
}

/** wardRiskURL is the GeoJSON of every ward's risk level on date. */
export function wardRiskURL(date: string | undefined): string {
    const u = new URL('/api/bulletin/ward-risk', location.origin);
    u.searchParams.set('f', 'geojson');
    if (date) u.searchParams.set('date', date);
    return u.toString();
}

/** WardRisk is one ward's level of /api/bulletin/ward-risk. */
export interface WardRisk {
    ward: string;
    name?: string;
    district?: string;
    date: string;
    level: number;
    computed: number;
    overridden: boolean;
    reason?: string;
}

/** wardRisk gives every ward's risk level on date (the latest when empty). */
export async function wardRisk(date: string | undefined, signal?: AbortSignal): Promise<WardRisk[]> {
    const r = await getJSON<{date: string; wards: WardRisk[] | null}>('/api/bulletin/ward-risk', {date}, signal);
    return r.wards ?? [];
}
