// The layer catalog as the web app shows it. Collection ids are the
// server's contract (features/collections.go); titles live in i18n.ts.
// Popups list only properties the server's catalog makes public: which case
// a contact or an epidemiological point belongs to is not public (a list of
// one person's places is a path), so neither is shown nor asked for.

// The words of the operating properties the layers below show come with them.
import './placestext.ts';

export type Group = 'situation' | 'lookup' | 'boundary';

/** Layer is one collection the map can show. */
export interface Layer {
    id: string;
    group: Group;
    /** people layers are aggregated below zoom 13 into cells with a count */
    people?: boolean;
    /** properties shown in a popup, in order */
    props: string[];
    /** colour used when the style gives none the legend can read */
    colour: string;
    /** shown when the page opens without a layer list */
    visible: boolean;
}

const place = ['address', 'phone', 'opening_hours', 'district_code', 'ward_code'];
/** shop is what a lookup place says: its operating status first. */
const shop = ['status', 'opening_hours', 'delivery_phone', 'address', 'phone', 'district_code', 'ward_code'];

/** LAYERS lists every collection in display order. */
export const LAYERS: Layer[] = [
    {id: 'cases', group: 'situation', people: true, colour: '#d7191c', visible: true,
        props: ['code', 'report_date', 'origin', 'detected_in', 'cluster', 'status', 'district_code', 'ward_code']},
    {id: 'contacts', group: 'situation', people: true, colour: '#fdae61', visible: true,
        props: ['tier', 'quarantine_start', 'quarantine_end', 'district_code', 'ward_code']},
    {id: 'medical_facilities', group: 'situation', colour: '#2b83ba', visible: true,
        props: ['kind', 'beds', 'free_beds', ...place]},
    {id: 'epidemic_points', group: 'situation', colour: '#9e0142', visible: true,
        props: ['address', 'visited_from', 'visited_to', 'district_code', 'ward_code']},
    {id: 'lockdown_points', group: 'situation', colour: '#5e3c99', visible: true,
        props: ['address', 'level', 'start', 'end', 'district_code', 'ward_code']},
    {id: 'emergency_stations', group: 'situation', colour: '#1a9641', visible: true, props: place},
    {id: 'quarantine_zones', group: 'situation', colour: '#f46d43', visible: true,
        props: ['status', 'level', 'start', 'end', 'revision', 'district_code', 'ward_code']},
    {id: 'markets', group: 'lookup', colour: '#8c510a', visible: false, props: shop},
    {id: 'shopping_centres', group: 'lookup', colour: '#c51b7d', visible: false, props: shop},
    {id: 'convenience_stores', group: 'lookup', colour: '#01665e', visible: false, props: shop},
    {id: 'mask_sale_points', group: 'lookup', colour: '#35978f', visible: false, props: shop},
    {id: 'supermarkets', group: 'lookup', colour: '#762a83', visible: false, props: shop},
    {id: 'petrol_stations', group: 'lookup', colour: '#4d4d4d', visible: false, props: shop},
    {id: 'districts', group: 'boundary', colour: '#555555', visible: true, props: ['code', 'level']},
    {id: 'wards', group: 'boundary', colour: '#999999', visible: true, props: ['code', 'level', 'district_code']},
];

/** layer finds a catalog entry by collection id. */
export function layer(id: string): Layer | undefined {
    return LAYERS.find((l) => l.id === id);
}

/** NEARBY_LAYERS are the services "near me" lists. */
export const NEARBY_LAYERS = LAYERS
    .filter((l) => l.group === 'lookup' || l.id === 'medical_facilities' || l.id === 'emergency_stations')
    .map((l) => l.id);

/** collectionOf tells which collection a style layer id draws. */
export function collectionOf(styleLayerId: string): string | undefined {
    for (const l of LAYERS) {
        if (styleLayerId === l.id || styleLayerId.startsWith(`${l.id}-`)) return l.id;
    }
    return undefined;
}

/** Vocabulary properties whose values are words to translate. */
export const ENUMERATED = new Set(['origin', 'detected_in', 'status', 'report_session', 'level', 'kind']);

/** Date properties, shown in the reader's date format. */
export const DATES = new Set([
    'report_date', 'status_date', 'quarantine_start', 'quarantine_end',
    'visited_from', 'visited_to', 'start', 'end',
]);
