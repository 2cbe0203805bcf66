// The words of the two light pages, the QR check-in page (/c/{token}) and
// the venue staff's scanner (/s/{token}), in Vietnamese and English. They
// have their own small table, not the map's, so that a phone on a slow
// network loads only what these pages say.

export type Lang = 'vi' | 'en';

type Table = Record<string, string>;

const vi: Table = {
    'title': 'Khai báo điểm đến',
    'brand': 'Bình Dương · COVID-19',
    'lang.switch': 'English',
    'lang.switch.label': 'Switch to English',
    'loading': 'Đang tải…',
    'venue.label': 'Bạn đang ở',
    'category.market': 'Chợ',
    'category.supermarket': 'Siêu thị',
    'category.mall': 'Trung tâm thương mại',
    'category.factory': 'Nhà máy',
    'category.office': 'Văn phòng',
    'category.hospital': 'Bệnh viện',
    'category.school': 'Trường học',
    'category.restaurant': 'Nhà hàng, quán ăn',
    'category.bar': 'Quán bar',
    'category.karaoke': 'Karaoke',
    'category.gym': 'Phòng tập',
    'category.bus_station': 'Bến xe',
    'category.religious_site': 'Cơ sở tôn giáo',
    'category.wedding_hall': 'Nhà hàng tiệc cưới',
    'category.funeral_hall': 'Nhà tang lễ',
    'category.other': 'Địa điểm khác',
    'identity.label': 'Số điện thoại hoặc số CCCD/CMND',
    'identity.hint': 'Chỉ nhập một lần; số được nhớ trên điện thoại này để lần sau không phải nhập lại.',
    'identity.empty': 'Vui lòng nhập số điện thoại hoặc số CCCD/CMND.',
    'identity.bad': 'Số điện thoại hoặc số CCCD/CMND không hợp lệ: {reason}',
    'identity.remembered': 'Khai báo với số {masked}',
    'identity.forget': 'Không phải tôi / quên số này',
    'identity.forgotten': 'Đã xóa số khỏi điện thoại này.',
    'decl.title': 'Khai báo y tế (không bắt buộc)',
    'decl.symptoms': 'Trong 14 ngày qua, bạn có triệu chứng nào sau đây?',
    'symptom.fever': 'Sốt',
    'symptom.cough': 'Ho',
    'symptom.short_breath': 'Khó thở',
    'symptom.sore_throat': 'Đau họng',
    'symptom.loss_of_smell': 'Mất vị giác hoặc khứu giác',
    'symptom.fatigue': 'Mệt mỏi',
    'symptom.other': 'Triệu chứng khác',
    'decl.f0': 'Tôi đã tiếp xúc gần với người mắc COVID-19 (F0)',
    'decl.travel': 'Nơi đã đến trong 14 ngày qua (nếu có)',
    'decl.travel.bad': 'Nơi đã đến: {reason}',
    'decl.bad': 'Khai báo y tế chưa hợp lệ: {reason}',
    'checkin': 'Xác nhận đến',
    'checkin.busy': 'Đang gửi…',
    'done.title': 'Đã khai báo thành công',
    'done.at': 'Giờ đến: {time}',
    'done.stay': 'Nếu quên xác nhận rời đi, lượt đến tự kết thúc sau {n} phút.',
    'repeat.title': 'Bạn đã khai báo tại đây rồi',
    'repeat.at': 'Đã ghi nhận lúc {time}. Không cần khai báo lại.',
    'open.at': 'Bạn đã khai báo đến đây lúc {time}.',
    'repeat.elsewhere': 'Số này vừa được khai báo tại đây, nhưng không phải từ điện thoại này. Lượt ghé sẽ tự kết thúc sau {n} phút.',
    'checkout': 'Xác nhận rời đi',
    'checkout.done': 'Đã ghi nhận rời đi lúc {time}. Cảm ơn bạn!',
    'checkout.none': 'Không có lượt đến nào đang mở tại đây để rời đi.',
    'again': 'Khai báo lại',
    'pass.show': 'Hiện mã QR cá nhân của tôi',
    'pass.title': 'Mã QR cá nhân',
    'pass.alt': 'Mã QR cá nhân của bạn, để nhân viên quét',
    'pass.hint': 'Đưa mã này cho nhân viên địa điểm quét. Mã có hạn 30 ngày và không chứa số điện thoại của bạn.',
    'pass.hide': 'Ẩn mã QR',
    'err.404': 'Mã QR này không hợp lệ. Hãy quét lại mã dán tại địa điểm.',
    'err.410': 'Mã QR này đã bị địa điểm thu hồi. Hãy quét mã mới tại địa điểm.',
    'err.429': 'Có quá nhiều yêu cầu. Vui lòng thử lại sau {s} giây.',
    'err.offline': 'Không có kết nối mạng. Kiểm tra mạng rồi thử lại.',
    'err.other': 'Có lỗi xảy ra ({status}). Vui lòng thử lại.',
    'retry': 'Thử lại',
    'privacy': 'Số điện thoại và CCCD chỉ dùng cho truy vết dịch tễ, không công khai, và được tự động xóa khi hết thời hạn lưu giữ.',
    'staff.title': 'Quét mã QR cá nhân',
    'staff.hint': 'Hướng camera vào mã QR cá nhân của khách. Mỗi lượt quét được ghi nhận ngay.',
    'staff.camera.start': 'Bật camera',
    'staff.camera.stop': 'Tắt camera',
    'staff.camera.on': 'Camera đang bật, đang tìm mã QR…',
    'staff.camera.off': 'Camera đang tắt.',
    'staff.camera.denied': 'Không mở được camera ({reason}). Dùng ô nhập tay bên dưới.',
    'staff.camera.none': 'Thiết bị này không có camera hoặc trình duyệt không cho dùng camera. Dùng ô nhập tay bên dưới.',
    'staff.video': 'Hình ảnh từ camera',
    'staff.manual': 'Nhập tay',
    'staff.manual.label': 'Số điện thoại hoặc số CCCD/CMND của khách',
    'staff.manual.submit': 'Ghi nhận',
    'staff.list': 'Đã ghi nhận',
    'staff.empty': 'Chưa có lượt nào.',
    'staff.ok': 'Đã ghi nhận {who} lúc {time}',
    'staff.repeat': '{who} đã được ghi nhận lúc {time}',
    'staff.who.pass': 'khách (mã QR cá nhân)',
    'staff.who.number': 'khách {masked}',
    'staff.badpass': 'Mã QR này không phải mã cá nhân hợp lệ hoặc đã hết hạn: {reason}',
    'staff.queued': 'Mất mạng: đã lưu {who}, sẽ gửi khi có mạng (đừng đóng trang này).',
    'staff.waiting': '{n} lượt đang chờ gửi.',
    'staff.sent': 'Đã gửi {n} lượt quét lúc mất mạng.',
    'staff.dropped': 'Một lượt quét lúc mất mạng bị từ chối: {reason}',
    'staff.404': 'Đường dẫn quét của nhân viên không hợp lệ. Hỏi người quản lý địa điểm đường dẫn mới.',
    'staff.410': 'Đường dẫn quét này đã bị thu hồi. Hỏi người quản lý địa điểm đường dẫn mới.',
};

const en: Table = {
    'title': 'Venue check-in',
    'brand': 'Binh Duong · COVID-19',
    'lang.switch': 'Tiếng Việt',
    'lang.switch.label': 'Chuyển sang tiếng Việt',
    'loading': 'Loading…',
    'venue.label': 'You are at',
    'category.market': 'Market',
    'category.supermarket': 'Supermarket',
    'category.mall': 'Shopping centre',
    'category.factory': 'Factory',
    'category.office': 'Office',
    'category.hospital': 'Hospital',
    'category.school': 'School',
    'category.restaurant': 'Restaurant',
    'category.bar': 'Bar',
    'category.karaoke': 'Karaoke',
    'category.gym': 'Gym',
    'category.bus_station': 'Bus station',
    'category.religious_site': 'Religious site',
    'category.wedding_hall': 'Wedding hall',
    'category.funeral_hall': 'Funeral hall',
    'category.other': 'Other place',
    'identity.label': 'Phone number or ID card number',
    'identity.hint': 'Enter it once; this phone remembers it so you need not type it again.',
    'identity.empty': 'Please enter a phone number or an ID card number.',
    'identity.bad': 'The phone or ID card number is not valid: {reason}',
    'identity.remembered': 'Checking in as {masked}',
    'identity.forget': 'Not me / forget this number',
    'identity.forgotten': 'The number was removed from this phone.',
    'decl.title': 'Health declaration (optional)',
    'decl.symptoms': 'In the last 14 days, have you had any of these?',
    'symptom.fever': 'Fever',
    'symptom.cough': 'Cough',
    'symptom.short_breath': 'Shortness of breath',
    'symptom.sore_throat': 'Sore throat',
    'symptom.loss_of_smell': 'Loss of taste or smell',
    'symptom.fatigue': 'Fatigue',
    'symptom.other': 'Other symptom',
    'decl.f0': 'I was in close contact with a COVID-19 case (F0)',
    'decl.travel': 'Places travelled to in the last 14 days (if any)',
    'decl.travel.bad': 'Places travelled: {reason}',
    'decl.bad': 'The health declaration is not valid: {reason}',
    'checkin': 'Check in',
    'checkin.busy': 'Sending…',
    'done.title': 'You are checked in',
    'done.at': 'Arrived at {time}',
    'done.stay': 'If you forget to check out, the visit ends by itself after {n} minutes.',
    'repeat.title': 'You are already checked in here',
    'repeat.at': 'Recorded at {time}. No need to check in again.',
    'open.at': 'You checked in here at {time}.',
    'repeat.elsewhere': 'This number was just checked in here, but not from this phone. The visit ends by itself after {n} minutes.',
    'checkout': 'Check out',
    'checkout.done': 'Checked out at {time}. Thank you!',
    'checkout.none': 'There is no open visit here to check out of.',
    'again': 'Check in again',
    'pass.show': 'Show my personal QR',
    'pass.title': 'Personal QR code',
    'pass.alt': 'Your personal QR code, for the staff to scan',
    'pass.hint': 'Show this code to the venue staff to scan. It is valid for 30 days and does not hold your phone number.',
    'pass.hide': 'Hide the QR code',
    'err.404': 'This QR code is not valid. Please scan the code displayed at the venue again.',
    'err.410': 'This QR code was withdrawn by the venue. Please scan the new code at the venue.',
    'err.429': 'Too many requests. Please try again in {s} seconds.',
    'err.offline': 'You are offline. Check your connection and try again.',
    'err.other': 'Something went wrong ({status}). Please try again.',
    'retry': 'Try again',
    'privacy': 'Phone and ID numbers are used only for contact tracing, never published, and deleted automatically when the retention period ends.',
    'staff.title': 'Scan personal QR codes',
    'staff.hint': 'Point the camera at the visitor’s personal QR code. Each scan is recorded at once.',
    'staff.camera.start': 'Start the camera',
    'staff.camera.stop': 'Stop the camera',
    'staff.camera.on': 'The camera is on, looking for a QR code…',
    'staff.camera.off': 'The camera is off.',
    'staff.camera.denied': 'The camera could not be opened ({reason}). Use manual entry below.',
    'staff.camera.none': 'This device has no camera or the browser does not allow it. Use manual entry below.',
    'staff.video': 'Camera picture',
    'staff.manual': 'Manual entry',
    'staff.manual.label': 'Visitor’s phone or ID card number',
    'staff.manual.submit': 'Record',
    'staff.list': 'Recorded',
    'staff.empty': 'Nothing yet.',
    'staff.ok': 'Recorded {who} at {time}',
    'staff.repeat': '{who} was already recorded at {time}',
    'staff.who.pass': 'a visitor (personal QR)',
    'staff.who.number': 'visitor {masked}',
    'staff.badpass': 'This QR code is not a valid personal code or has expired: {reason}',
    'staff.queued': 'Offline: {who} kept, to be sent when the network is back (keep this page open).',
    'staff.waiting': '{n} scans waiting to be sent.',
    'staff.sent': 'Sent {n} scans made offline.',
    'staff.dropped': 'A scan made offline was refused: {reason}',
    'staff.404': 'This staff scanning link is not valid. Ask the venue’s manager for a new link.',
    'staff.410': 'This staff scanning link was withdrawn. Ask the venue’s manager for a new link.',
};

const tables: Record<Lang, Table> = {vi, en};

/** missingTexts lists the keys one language has and the other lacks. */
export function missingTexts(): string[] {
    const out: string[] = [];
    for (const k of Object.keys(vi)) if (!(k in en)) out.push(`en lacks ${k}`);
    for (const k of Object.keys(en)) if (!(k in vi)) out.push(`vi lacks ${k}`);
    return out;
}

/** SYMPTOMS are tracing.Symptoms, in the form's order. */
export const SYMPTOMS = ['fever', 'cough', 'short_breath', 'sore_throat', 'loss_of_smell', 'fatigue', 'other'];

const LANG_KEY = 'bando.lang';

/** Words turns keys into text in the reader's language. */
export class Words {
    lang: Lang;

    constructor() {
        const q = new URLSearchParams(location.search).get('lang');
        const kept = read(LANG_KEY);
        const d = document.documentElement.dataset.defaultLang;
        this.lang = isLang(q) ? q : isLang(kept) ? kept : isLang(d) ? d : 'vi';
        document.documentElement.lang = this.lang;
    }

    /** t looks key up and fills {name} placeholders from vars. */
    t(key: string, vars: Record<string, string | number> = {}): string {
        const text = tables[this.lang][key] ?? tables.vi[key] ?? key;
        return text.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
    }

    /** toggle switches between Vietnamese and English and remembers it. */
    toggle(): void {
        this.lang = this.lang === 'vi' ? 'en' : 'vi';
        document.documentElement.lang = this.lang;
        write(LANG_KEY, this.lang);
        const q = new URLSearchParams(location.search);
        q.set('lang', this.lang);
        history.replaceState(null, '', `${location.pathname}?${q}`);
    }

    /** time formats an instant as the venue's clock reads it (Vietnam). */
    time(iso: string): string {
        const d = new Date(iso);
        if (Number.isNaN(d.getTime())) return iso;
        return new Intl.DateTimeFormat(this.lang === 'vi' ? 'vi-VN' : 'en-GB', {
            timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric',
        }).format(d);
    }
}

function isLang(s: string | null | undefined): s is Lang {
    return s === 'vi' || s === 'en';
}

/** read gets a value kept on this device; storage may be off (private mode). */
export function read(key: string): string | null {
    try {
        return localStorage.getItem(key);
    } catch {
        return null;
    }
}

/** write keeps a value on this device, or removes it when value is null. */
export function write(key: string, value: string | null): void {
    try {
        if (value === null) localStorage.removeItem(key);
        else localStorage.setItem(key, value);
    } catch {
        // Storage is off: the page still works, it just forgets.
    }
}

/** mask shows only the last three digits of a phone or ID number. */
export function mask(identity: string): string {
    const d = identity.replace(/\D/g, '');
    if (d.length < 4) return '•••';
    return `•••• ${d.slice(-3)}`;
}
