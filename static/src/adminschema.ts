// What the editor may change in each collection: the properties officials
// fill in, their types and vocabularies. It mirrors the server's catalog
// (features/collections.go); the server's queryables add vocabularies it
// knows, and the server checks every write again.

/** Field is one editable property. */
export interface Field {
    name: string;
    type: 'string' | 'date' | 'integer';
    required?: boolean;
    values?: string[];
}

const LEVELS = ['hamlet', 'neighbourhood', 'residential_group'];
const AREA: Field[] = [{name: 'district_code', type: 'string'}, {name: 'ward_code', type: 'string'}];
const PLACE: Field[] = [
    {name: 'name', type: 'string', required: true},
    {name: 'address', type: 'string'},
    {name: 'phone', type: 'string'},
    {name: 'opening_hours', type: 'string'},
    ...AREA,
];

/** PLACE_STATUSES are how a lookup place serves under the restrictions of the day. */
export const PLACE_STATUSES = ['open', 'closed', 'open_restricted', 'delivery_only'];

/** SHOP is a lookup place: a place with its operating status (hours as "Mo-Su 05:00-19:00"). */
const SHOP: Field[] = [
    ...PLACE,
    {name: 'status', type: 'string', values: PLACE_STATUSES},
    {name: 'delivery_phone', type: 'string'},
];

/** ZONE_STATUSES are the life of a zone: draft → published → lifted. */
export const ZONE_STATUSES = ['draft', 'published', 'lifted'];

/** ZONE_LEVELS are the levels a zone or lockdown was drawn at. */
export const ZONE_LEVELS = LEVELS;

/** CASE_STATUSES are a case's statuses. */
export const CASE_STATUSES = ['under_treatment', 'recovered', 'died'];

/** POINT_COLLECTIONS are the point collections officials edit, in menu order. */
export const POINT_COLLECTIONS = [
    'lockdown_points', 'epidemic_points', 'medical_facilities', 'emergency_stations',
    'markets', 'shopping_centres', 'convenience_stores', 'mask_sale_points', 'supermarkets', 'petrol_stations',
];

/** ROLES are the accounts' roles. */
export const ROLES = ['admin', 'editor', 'tracer', 'enterprise', 'viewer'];

const FIELDS: Record<string, Field[]> = {
    lockdown_points: [
        {name: 'name', type: 'string', required: true},
        {name: 'address', type: 'string'},
        {name: 'level', type: 'string', values: LEVELS},
        {name: 'start', type: 'date'},
        {name: 'end', type: 'date'},
        ...AREA,
    ],
    epidemic_points: [
        {name: 'name', type: 'string', required: true},
        {name: 'address', type: 'string'},
        {name: 'visited_from', type: 'date'},
        {name: 'visited_to', type: 'date'},
        ...AREA,
    ],
    medical_facilities: [
        {name: 'kind', type: 'string', values: ['hospital', 'field_hospital', 'field_hospital_tier1', 'field_hospital_tier2',
            'field_hospital_tier3', 'health_station', 'testing_site', 'vaccination_site', 'mobile_medical_station']},
        {name: 'beds', type: 'integer'},
        {name: 'free_beds', type: 'integer'},
        ...PLACE,
    ],
    emergency_stations: PLACE,
    markets: SHOP,
    shopping_centres: SHOP,
    convenience_stores: SHOP,
    mask_sale_points: SHOP,
    supermarkets: SHOP,
    petrol_stations: SHOP,
};

/** fieldsOf lists the editable properties of a point collection. */
export function fieldsOf(col: string): Field[] {
    return FIELDS[col] ?? [{name: 'name', type: 'string', required: true}];
}

/**
 * withQueryables adds the vocabularies a server's queryables document
 * lists (JSON Schema enum) to fields, and any property the client does not
 * know yet.
 */
export function withQueryables(fields: Field[], q: {properties?: Record<string, {type?: string; format?: string; enum?: unknown[]}>}): Field[] {
    const out = fields.map((f) => ({...f}));
    for (const [name, p] of Object.entries(q.properties ?? {})) {
        if (name === 'geometry' || p.format?.startsWith('geometry')) continue;
        const f = out.find((x) => x.name === name);
        const values = Array.isArray(p.enum) ? p.enum.map(String) : undefined;
        if (f) {
            if (values) f.values = values;
        } else {
            out.push({name, type: p.format === 'date' ? 'date' : p.type === 'integer' ? 'integer' : 'string', values});
        }
    }
    return out;
}

/** checkDates finds an end before its start among a collection's date pairs. */
export function checkDates(props: Record<string, unknown>): string[] {
    const pairs = [['start', 'end'], ['visited_from', 'visited_to']];
    const bad: string[] = [];
    for (const [a, b] of pairs) {
        const x = props[a];
        const y = props[b];
        if (typeof x === 'string' && typeof y === 'string' && x && y && y < x) bad.push(b);
    }
    return bad;
}
