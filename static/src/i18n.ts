// The one translation table of the web app. Every text a person reads goes
// through t(); Vietnamese is the default, English the alternative.

export type Lang = 'vi' | 'en';

export const LANGS: Lang[] = ['vi', 'en'];

type Table = Record<string, string>;

const vi: Table = {
    'app.title': 'Bản đồ thông tin dịch bệnh COVID-19 tỉnh Bình Dương',
    'app.short': 'Bản đồ COVID-19 Bình Dương',
    'app.map': 'Bản đồ dịch bệnh, dùng chuột hoặc phím mũi tên để di chuyển',
    'lang.label': 'Ngôn ngữ',
    'lang.vi': 'Tiếng Việt',
    'lang.en': 'English',
    'date.label': 'Xem bản đồ ngày',
    'date.latest': 'Mới nhất',
    'search.label': 'Tìm địa điểm, phường, xã, huyện',
    'search.placeholder': 'Tìm địa điểm, phường xã, huyện…',
    'search.none': 'Không tìm thấy kết quả cho “{q}”.',
    'search.results': 'Kết quả tìm kiếm',
    'search.failed': 'Không tìm được lúc này, vui lòng thử lại.',
    'group.situation': 'Tình hình dịch bệnh',
    'group.lookup': 'Tra cứu',
    'group.boundary': 'Ranh giới hành chính',
    'lookup.toggle': 'Tra cứu dịch vụ',
    'lookup.hint': 'Bật lớp để xem các điểm dịch vụ trên bản đồ.',
    'legend.zoomin': 'phóng to để xem',
    'layers.toggle': 'Lớp bản đồ',
    'layer.cases': 'Ca dương tính (F0)',
    'layer.contacts': 'Tiếp xúc gần (F1/F2)',
    'layer.medical_facilities': 'Cơ sở y tế',
    'layer.epidemic_points': 'Điểm dịch tễ',
    'layer.lockdown_points': 'Điểm phong tỏa',
    'layer.emergency_stations': 'Trạm cấp cứu',
    'layer.quarantine_zones': 'Vùng cách ly',
    'layer.markets': 'Chợ',
    'layer.shopping_centres': 'Trung tâm thương mại',
    'layer.convenience_stores': 'Cửa hàng tiện lợi',
    'layer.mask_sale_points': 'Điểm bán khẩu trang',
    'layer.supermarkets': 'Siêu thị',
    'layer.petrol_stations': 'Cửa hàng xăng dầu',
    'layer.districts': 'Huyện, thị xã, thành phố',
    'layer.wards': 'Phường, xã, thị trấn',
    'layer.nearby': 'Dịch vụ gần đây',
    'prop.code': 'Mã ca',
    'prop.report_date': 'Ngày công bố',
    'prop.report_session': 'Bản tin',
    'prop.origin': 'Nguồn lây',
    'prop.detected_in': 'Nơi phát hiện',
    'prop.cluster': 'Ổ dịch',
    'prop.status': 'Tình trạng',
    'prop.status_date': 'Ngày cập nhật tình trạng',
    'prop.district_code': 'Huyện, thị xã, thành phố',
    'prop.ward_code': 'Phường, xã',
    'prop.tier': 'Phân loại',
    'prop.quarantine_start': 'Bắt đầu cách ly',
    'prop.quarantine_end': 'Kết thúc cách ly',
    'prop.kind': 'Loại',
    'prop.beds': 'Số giường',
    'prop.name': 'Tên',
    'prop.address': 'Địa chỉ',
    'prop.phone': 'Điện thoại',
    'prop.opening_hours': 'Giờ mở cửa',
    'prop.visited_from': 'Từ ngày',
    'prop.visited_to': 'Đến ngày',
    'prop.level': 'Cấp',
    'prop.start': 'Bắt đầu',
    'prop.end': 'Gỡ bỏ',
    'prop.revision': 'Lần điều chỉnh',
    'prop.count': 'Số lượng',
    'prop.districts.code': 'Mã đơn vị hành chính',
    'prop.wards.code': 'Mã đơn vị hành chính',
    'prop.districts.level': 'Loại đơn vị',
    'prop.wards.level': 'Loại đơn vị',
    'prop.wards.district_code': 'Thuộc',
    'value.community': 'Lây nhiễm trong cộng đồng',
    'value.returning_citizen': 'Công dân về từ nước ngoài',
    'value.foreign_expert': 'Chuyên gia nước ngoài',
    'value.illegal_entry': 'Nhập cảnh trái phép',
    'value.quarantine_area': 'Trong khu cách ly',
    'value.health_facility': 'Tại cơ sở y tế',
    'value.community_screening': 'Sàng lọc cộng đồng',
    'value.under_treatment': 'Đang điều trị',
    'value.recovered': 'Đã khỏi bệnh',
    'value.died': 'Tử vong',
    'value.morning': 'Sáng',
    'value.afternoon': 'Chiều',
    'value.evening': 'Tối',
    'value.published': 'Đang áp dụng',
    'value.lifted': 'Đã gỡ bỏ',
    'value.hamlet': 'Ấp, khu phố',
    'value.neighbourhood': 'Khu dân cư',
    'value.residential_group': 'Tổ dân phố',
    'value.hospital': 'Bệnh viện',
    'value.field_hospital': 'Bệnh viện dã chiến',
    'value.health_station': 'Trạm y tế',
    'value.testing_site': 'Điểm xét nghiệm',
    'value.district': 'Huyện',
    'value.town': 'Thị xã',
    'value.city': 'Thành phố',
    'value.provincial_city': 'Thành phố thuộc tỉnh',
    'value.ward': 'Phường',
    'value.commune': 'Xã',
    'value.township': 'Thị trấn',
    'popup.close': 'Đóng',
    'popup.cell.cases': '{n} ca dương tính trong khu vực này',
    'popup.cell.contacts': '{n} người tiếp xúc gần trong khu vực này',
    'popup.cell.note': 'Vị trí được gộp theo ô lưới, không phải địa chỉ nhà.',
    'popup.more': 'và {n} đối tượng khác ở đây',
    'popup.here.cases': '{n} ca dương tính tại điểm này',
    'popup.more.cases': 'và {n} ca khác',
    'popup.more.contacts': 'và {n} người khác',
    'popup.here.contacts': '{n} người tiếp xúc gần tại điểm này',
    'popup.point.note': 'Vị trí được làm tròn theo ô lưới, không phải địa chỉ nhà.',
    'near.title': 'Dịch vụ gần tôi',
    'near.me': 'Dùng vị trí của tôi',
    'near.pick': 'Chọn một điểm trên bản đồ',
    'near.picking': 'Nhấp vào bản đồ để chọn điểm…',
    'near.cancel': 'Hủy chọn điểm',
    'near.clear': 'Xóa kết quả',
    'near.radius': 'Bán kính',
    'near.none': 'Không có dịch vụ nào trong bán kính {r}.',
    'near.results': '{n} dịch vụ gần nhất',
    'near.denied': 'Không lấy được vị trí của bạn. Hãy chọn một điểm trên bản đồ.',
    'near.failed': 'Không tải được danh sách, vui lòng thử lại.',
    'near.loading': 'Đang tìm…',
    'near.center': 'Điểm đã chọn',
    'stats.title': 'Số liệu thống kê',
    'stats.asof': 'Số liệu đến hết ngày {d}',
    'stats.new': 'Ca mới trong ngày',
    'stats.cumulative': 'Tổng số ca',
    'stats.community': 'Ca cộng đồng từ {d}',
    'stats.deaths': 'Tử vong',
    'stats.treatment': 'Đang điều trị',
    'stats.recovered': 'Đã khỏi bệnh',
    'stats.f1': 'F1 đang theo dõi',
    'stats.f2': 'F2 đang theo dõi',
    'stats.chart': 'Số ca mới theo ngày',
    'stats.chart.desc': 'Biểu đồ cột số ca mới mỗi ngày từ {from} đến {to}; cao nhất {max} ca ngày {maxd}.',
    'stats.origin': 'Theo nguồn lây (cộng dồn)',
    'stats.district': 'Theo huyện, thị xã, thành phố',
    'stats.district.name': 'Địa phương',
    'stats.district.total': 'Tổng',
    'stats.district.new': 'Mới',
    'stats.cluster': 'Các ổ dịch lớn nhất',
    'stats.cluster.name': 'Ổ dịch',
    'stats.updated': 'Cập nhật ngày {d}',
    'stats.failed': 'Không tải được số liệu.',
    'stats.loading': 'Đang tải số liệu…',
    'stats.toggle': 'Thống kê',
    'panel.close': 'Đóng bảng',
    'embed.community': 'Ca cộng đồng',
    'embed.today': 'Ca mới hôm nay',
    'embed.dayNew': 'Ca mới ngày {d}',
    'embed.deaths': 'Tử vong',
    'embed.updated': 'Cập nhật',
    'embed.full': 'Xem bản đồ đầy đủ',
    'embed.since': 'từ {d}',
    'admin.title': 'Khu vực cán bộ',
    'admin.notice': 'Trang này chưa hoạt động.',
    'admin.body': 'Đăng nhập cho cán bộ y tế và chính quyền sẽ có khi tính năng dành cho cán bộ được hoàn thành. Khi đó trang này sẽ cho phép:',
    'admin.item.signin': 'đăng nhập bằng tài khoản cán bộ được cấp;',
    'admin.item.zones': 'vẽ, công bố và gỡ bỏ vùng cách ly, điểm phong tỏa;',
    'admin.item.import': 'nhập danh sách ca bệnh và người tiếp xúc từ bản tin;',
    'admin.item.tracing': 'truy vết tiếp xúc qua quét mã QR, lịch sử lưu trú và xe đưa đón;',
    'admin.item.enterprises': 'quản lý tài khoản đầu mối của doanh nghiệp trong khu công nghiệp.',
    'admin.back': 'Về bản đồ công khai',
    'unit.m': '{n} m',
    'unit.km': '{n} km',
    'error.style': 'Không tải được bản đồ. Vui lòng tải lại trang.',
    'maplibre.NavigationControl.ZoomIn': 'Phóng to',
    'maplibre.NavigationControl.ZoomOut': 'Thu nhỏ',
    'maplibre.NavigationControl.ResetBearing': 'Xoay về hướng bắc',
    'maplibre.Popup.Close': 'Đóng',
    'maplibre.AttributionControl.ToggleAttribution': 'Nguồn dữ liệu',
    'maplibre.Marker.Title': 'Điểm đánh dấu',
    'maplibre.ScaleControl.Meters': 'm',
    'maplibre.ScaleControl.Kilometers': 'km',
};

const en: Table = {
    'app.title': 'COVID-19 epidemic information map of Bình Dương province',
    'app.short': 'Bình Dương COVID-19 map',
    'app.map': 'Epidemic map; drag or use the arrow keys to move',
    'lang.label': 'Language',
    'lang.vi': 'Tiếng Việt',
    'lang.en': 'English',
    'date.label': 'Map as of',
    'date.latest': 'Latest',
    'search.label': 'Search places, wards, districts',
    'search.placeholder': 'Search places, wards, districts…',
    'search.none': 'Nothing found for “{q}”.',
    'search.results': 'Search results',
    'search.failed': 'Search is not available right now, please try again.',
    'group.situation': 'Epidemic situation',
    'group.lookup': 'Lookup',
    'group.boundary': 'Administrative boundaries',
    'lookup.toggle': 'Look up services',
    'lookup.hint': 'Turn a layer on to see its places on the map.',
    'legend.zoomin': 'zoom in to see',
    'layers.toggle': 'Map layers',
    'layer.cases': 'Positive cases (F0)',
    'layer.contacts': 'Close contacts (F1/F2)',
    'layer.medical_facilities': 'Medical facilities',
    'layer.epidemic_points': 'Epidemiological points',
    'layer.lockdown_points': 'Lockdown points',
    'layer.emergency_stations': 'Emergency stations',
    'layer.quarantine_zones': 'Isolation zones',
    'layer.markets': 'Markets',
    'layer.shopping_centres': 'Shopping centres',
    'layer.convenience_stores': 'Convenience stores',
    'layer.mask_sale_points': 'Mask sale points',
    'layer.supermarkets': 'Supermarkets',
    'layer.petrol_stations': 'Petrol stations',
    'layer.districts': 'Districts',
    'layer.wards': 'Wards and communes',
    'layer.nearby': 'Nearby services',
    'prop.code': 'Case code',
    'prop.report_date': 'Reported',
    'prop.report_session': 'Bulletin',
    'prop.origin': 'Origin',
    'prop.detected_in': 'Detected',
    'prop.cluster': 'Cluster',
    'prop.status': 'Status',
    'prop.status_date': 'Status since',
    'prop.district_code': 'District',
    'prop.ward_code': 'Ward',
    'prop.tier': 'Tier',
    'prop.quarantine_start': 'Quarantine start',
    'prop.quarantine_end': 'Quarantine end',
    'prop.kind': 'Kind',
    'prop.beds': 'Beds',
    'prop.name': 'Name',
    'prop.address': 'Address',
    'prop.phone': 'Phone',
    'prop.opening_hours': 'Opening hours',
    'prop.visited_from': 'From',
    'prop.visited_to': 'To',
    'prop.level': 'Level',
    'prop.start': 'Start',
    'prop.end': 'Lifted',
    'prop.revision': 'Revision',
    'prop.count': 'Count',
    'prop.districts.code': 'GSO code',
    'prop.wards.code': 'GSO code',
    'prop.districts.level': 'Kind of unit',
    'prop.wards.level': 'Kind of unit',
    'prop.wards.district_code': 'Part of',
    'value.community': 'Community transmission',
    'value.returning_citizen': 'Citizen returning from abroad',
    'value.foreign_expert': 'Foreign expert',
    'value.illegal_entry': 'Illegal entry',
    'value.quarantine_area': 'In a quarantine area',
    'value.health_facility': 'At a health facility',
    'value.community_screening': 'Community screening',
    'value.under_treatment': 'Under treatment',
    'value.recovered': 'Recovered',
    'value.died': 'Died',
    'value.morning': 'Morning',
    'value.afternoon': 'Afternoon',
    'value.evening': 'Evening',
    'value.published': 'In force',
    'value.lifted': 'Lifted',
    'value.hamlet': 'Hamlet',
    'value.neighbourhood': 'Neighbourhood',
    'value.residential_group': 'Residential group',
    'value.hospital': 'Hospital',
    'value.field_hospital': 'Field hospital',
    'value.health_station': 'Health station',
    'value.testing_site': 'Testing site',
    'value.district': 'District',
    'value.town': 'Town',
    'value.city': 'City',
    'value.provincial_city': 'Provincial city',
    'value.ward': 'Ward',
    'value.commune': 'Commune',
    'value.township': 'Township',
    'popup.close': 'Close',
    'popup.cell.cases': '{n} positive cases in this area',
    'popup.cell.contacts': '{n} close contacts in this area',
    'popup.cell.note': 'Positions are grouped into grid cells, never home addresses.',
    'popup.more': 'and {n} more here',
    'popup.here.cases': '{n} positive cases at this point',
    'popup.more.cases': 'and {n} more cases',
    'popup.more.contacts': 'and {n} more people',
    'popup.here.contacts': '{n} close contacts at this point',
    'popup.point.note': 'Positions are snapped to a grid, never a home address.',
    'near.title': 'Services near me',
    'near.me': 'Use my location',
    'near.pick': 'Pick a point on the map',
    'near.picking': 'Click the map to pick a point…',
    'near.cancel': 'Cancel picking',
    'near.clear': 'Clear results',
    'near.radius': 'Radius',
    'near.none': 'No services within {r}.',
    'near.results': '{n} nearest services',
    'near.denied': 'Your location is not available. Pick a point on the map instead.',
    'near.failed': 'Could not load the list, please try again.',
    'near.loading': 'Searching…',
    'near.center': 'Chosen point',
    'stats.title': 'Statistics',
    'stats.asof': 'Figures up to {d}',
    'stats.new': 'New cases that day',
    'stats.cumulative': 'Total cases',
    'stats.community': 'Community cases since {d}',
    'stats.deaths': 'Deaths',
    'stats.treatment': 'Under treatment',
    'stats.recovered': 'Recovered',
    'stats.f1': 'F1 monitored',
    'stats.f2': 'F2 monitored',
    'stats.chart': 'New cases per day',
    'stats.chart.desc': 'Bar chart of new cases per day from {from} to {to}; highest {max} cases on {maxd}.',
    'stats.origin': 'By origin (cumulative)',
    'stats.district': 'By district',
    'stats.district.name': 'District',
    'stats.district.total': 'Total',
    'stats.district.new': 'New',
    'stats.cluster': 'Largest clusters',
    'stats.cluster.name': 'Cluster',
    'stats.updated': 'Last updated {d}',
    'stats.failed': 'Statistics could not be loaded.',
    'stats.loading': 'Loading statistics…',
    'stats.toggle': 'Statistics',
    'panel.close': 'Close panel',
    'embed.community': 'Community cases',
    'embed.today': 'New today',
    'embed.dayNew': 'New on {d}',
    'embed.deaths': 'Deaths',
    'embed.updated': 'Updated',
    'embed.full': 'Open the full map',
    'embed.since': 'since {d}',
    'admin.title': 'Officials’ area',
    'admin.notice': 'This page is not in service yet.',
    'admin.body': 'Sign-in for health and government officials arrives with the officials’ features. This page will then let officials:',
    'admin.item.signin': 'sign in with the account they were issued;',
    'admin.item.zones': 'draw, publish and lift isolation zones and lockdown points;',
    'admin.item.import': 'import cases and contacts from the daily bulletin;',
    'admin.item.tracing': 'trace contacts through QR check-ins, residence history and shuttle buses;',
    'admin.item.enterprises': 'manage the accounts of the focal persons of industrial-park enterprises.',
    'admin.back': 'Back to the public map',
    'unit.m': '{n} m',
    'unit.km': '{n} km',
    'error.style': 'The map could not be loaded. Please reload the page.',
    'maplibre.NavigationControl.ZoomIn': 'Zoom in',
    'maplibre.NavigationControl.ZoomOut': 'Zoom out',
    'maplibre.NavigationControl.ResetBearing': 'Reset bearing to north',
    'maplibre.Popup.Close': 'Close popup',
    'maplibre.AttributionControl.ToggleAttribution': 'Toggle attribution',
    'maplibre.Marker.Title': 'Map marker',
    'maplibre.ScaleControl.Meters': 'm',
    'maplibre.ScaleControl.Kilometers': 'km',
};

const tables: Record<Lang, Table> = {vi, en};

/** untranslated lists the keys one language has and another lacks. */
export function untranslated(): string[] {
    const out: string[] = [];
    for (const a of LANGS) {
        for (const b of LANGS) {
            for (const k of Object.keys(tables[a])) if (!(k in tables[b])) out.push(`${b} lacks ${k}`);
        }
    }
    return out;
}

/** isLang tells whether s names a supported language. */
export function isLang(s: string | null | undefined): s is Lang {
    return s === 'vi' || s === 'en';
}

/** Translator turns keys into text in one language. */
export class Translator {
    lang: Lang;
    private listeners: Array<() => void> = [];

    constructor(lang: Lang) {
        this.lang = lang;
    }

    /** t looks key up and fills {name} placeholders from vars. */
    t(key: string, vars: Record<string, string | number> = {}): string {
        const text = tables[this.lang][key] ?? tables.vi[key] ?? key;
        return text.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
    }

    /** has tells whether the table knows key. */
    has(key: string): boolean {
        return key in tables[this.lang] || key in tables.vi;
    }

    /** set switches the language and tells every listener. */
    set(lang: Lang): void {
        if (lang === this.lang) return;
        this.lang = lang;
        document.documentElement.lang = lang;
        for (const f of this.listeners) f();
    }

    /** onChange registers f to run after every language switch. */
    onChange(f: () => void): void {
        this.listeners.push(f);
    }

    /** maplibreLocale gives MapLibre's own control texts in this language. */
    maplibreLocale(): Record<string, string> {
        const out: Record<string, string> = {'Map.Title': this.t('app.map')};
        for (const key of Object.keys(tables[this.lang])) {
            if (key.startsWith('maplibre.')) out[key.slice('maplibre.'.length)] = this.t(key);
        }
        return out;
    }

    /** number formats n with the language's digit grouping. */
    number(n: number): string {
        return n.toLocaleString(this.lang === 'vi' ? 'vi-VN' : 'en-GB');
    }

    /** date formats an ISO day (YYYY-MM-DD) for reading. */
    date(iso: string): string {
        const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
        if (!m) return iso;
        return this.lang === 'vi' ? `${m[3]}/${m[2]}/${m[1]}` : `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
    }

    /** distance formats metres. */
    distance(m: number): string {
        if (m < 1000) return this.t('unit.m', {n: this.number(Math.round(m))});
        return this.t('unit.km', {n: (m / 1000).toLocaleString(this.lang === 'vi' ? 'vi-VN' : 'en-GB', {maximumFractionDigits: 1})});
    }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * initialLang picks the language: ?lang= in the address, then the page's
 * default set by the server (data-default-lang on <html>), then Vietnamese.
 */
export function initialLang(): Lang {
    const q = new URLSearchParams(location.search).get('lang');
    if (isLang(q)) return q;
    const d = document.documentElement.dataset.defaultLang;
    return isLang(d) ? d : 'vi';
}
