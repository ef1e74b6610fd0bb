app-name = تماس
nav-contacts = اشخاص
nav-companies = شرکت‌ها
nav-profile = تنظیمات من
nav-sign-out = خروج
nav-skip = رفتن به محتوا
search-label = جستجو
search-placeholder = جستجوی اشخاص و شرکت‌ها  ( / )
search-empty = چیزی با «{ $query }» پیدا نشد.
search-contact = شخص
search-company = شرکت

login-title = ورود
login-email = ایمیل
login-password = گذرواژه
login-submit = ورود
login-failed = ایمیل یا گذرواژه درست نیست.
login-locked = تلاش‌های ناموفق زیاد بود. { $minutes } دقیقه دیگر دوباره امتحان کنید.
login-expired = نشست شما به پایان رسید. لطفاً دوباره وارد شوید.

list-new-contact = شخص جدید
list-new-company = شرکت جدید
list-filter = فیلتر
list-filter-help = فیلد:عملگر:مقدار، مثلاً language:eq:fa یا tag:eq:vip
list-apply = اعمال
list-sort = مرتب‌سازی
sort-name = نام
sort-updated = تازه‌ترین تغییر
sort-created = تازه‌ترین‌ها
list-next = صفحهٔ بعد
list-first = صفحهٔ اول
list-empty = رکوردی پیدا نشد.
list-shown = { $count ->
    [one] یک رکورد نمایش داده شده
   *[other] { $count } رکورد نمایش داده شده
}

col-name = نام
col-email = ایمیل
col-phone = تلفن
col-company = شرکت
col-tags = برچسب‌ها
col-updated = آخرین تغییر
col-domain = دامنه
col-industry = صنعت

field-first_name = نام
field-middle_name = نام میانی
field-last_name = نام خانوادگی
field-display_name = نام نمایشی
field-salutation = عنوان
field-gender = جنسیت
field-birth_date = تاریخ تولد
field-job_title = سمت
field-language = زبان
field-time_zone = منطقهٔ زمانی
field-notes = یادداشت
field-source = منبع
field-email = ایمیل
field-phone = تلفن
field-tags = برچسب‌ها
field-tags-help = با ویرگول جدا کنید
field-name = نام
field-domain = دامنه
field-industry = صنعت
field-size = اندازه
field-owner = مسئول
field-version = نسخه

card-emails = ایمیل‌ها
card-phones = تلفن‌ها
card-addresses = نشانی‌ها
card-handles = پیام‌رسان‌ها و شبکه‌های اجتماعی
card-companies = شرکت‌ها
card-people = اشخاص
card-custom = فیلدهای دیگر
card-details = جزئیات
card-timeline = تاریخچهٔ تعامل‌ها
card-history = تاریخچهٔ تغییرات
card-edit = ویرایش
card-call = تماس
card-write = نوشتن
card-primary = اصلی
card-opted-out = انصراف داده
card-created = ایجاد شده در { $when }
card-updated = تغییر یافته در { $when }
card-no-interactions = هنوز تعاملی ثبت نشده است.
card-no-history = تغییری ثبت نشده است.
card-interactions = { $count ->
    [one] یک تعامل
   *[other] { $count } تعامل
}
history-created = رکورد را ایجاد کرد
history-deleted = آن را به سطل زباله برد
history-restored = آن را بازگرداند
history-changed = { $field } را تغییر داد

timeline-all = همهٔ کانال‌ها
timeline-filter = نمایش
log-title = ثبت تعامل
log-channel = کانال
log-direction = جهت
log-subject = موضوع
log-body = یادداشت
log-outcome = نتیجه
log-submit = ثبت
log-saved = ثبت شد.

channel-call = تماس تلفنی
channel-email = ایمیل
channel-meeting = جلسه
channel-message = پیام
channel-sms = پیامک
channel-visit = بازدید
channel-note = یادداشت
channel-other = سایر
direction-inbound = ورودی
direction-outbound = خروجی
direction-internal = داخلی

form-new-contact = شخص جدید
form-edit-contact = ویرایش { $name }
form-save = ذخیره
form-cancel = انصراف
form-has-errors = چند فیلد نیاز به اصلاح دارد؛ هیچ‌چیز از آنچه نوشتید از دست نرفت.
form-conflict = کس دیگری در همین مدت این رکورد را ذخیره کرده است (اکنون نسخهٔ { $version }). تغییرات شما هنوز در فرم است: مقادیر فعلی را در کارت ببینید و دوباره ذخیره کنید.
form-saved = ذخیره شد.

profile-title = تنظیمات شما
profile-language = زبان
profile-calendar = تقویم
profile-digits = ارقام
profile-time-zone = منطقهٔ زمانی
profile-save = ذخیرهٔ تنظیمات
calendar-gregorian = میلادی
calendar-persian = خورشیدی (جلالی)
calendar-hijri = هجری قمری (ام‌القری)
digits-latin = لاتین 0123456789
digits-persian = فارسی ۰۱۲۳۴۵۶۷۸۹
digits-arabic = عربی ٠١٢٣٤٥٦٧٨٩

error-not-found = این رکورد وجود ندارد یا شما اجازهٔ دیدن آن را ندارید.
error-forbidden = نقش شما اجازهٔ این کار را نمی‌دهد.
error-csrf = فرم منقضی شده بود. لطفاً دوباره امتحان کنید.
error-internal = خطایی در سمت ما رخ داد (درخواست { $id }).

nav-admin = مدیریت
admin-workspace = فضای کاری
admin-region = منطقهٔ پیش‌فرض (برای شماره‌تلفن‌ها)
admin-currency = ارز پیش‌فرض
admin-users = کاربران
admin-add-user = افزودن کاربر
admin-role = نقش
admin-team = تیم
admin-custom-fields = فیلدهای سفارشی
admin-add-field = افزودن فیلد
admin-entity = نوع رکورد
admin-key = کلید
admin-label = عنوان
admin-kind = نوع
admin-options = گزینه‌ها (با ویرگول جدا کنید)
admin-position = ترتیب
admin-required = الزامی
admin-retired = بازنشسته
entity-contact = شخص
entity-company = شرکت
entity-interaction = تعامل
role-owner = مالک
role-admin = مدیر سیستم
role-manager = مدیر
role-member = عضو
role-marketer = بازاریاب
role-viewer = بیننده

list-trash = سطل زباله
list-back = همهٔ اشخاص
list-restore = بازگرداندن
col-select = انتخاب
bulk-label = با موارد انتخاب‌شده
bulk-tag = افزودن برچسب
bulk-owner = تعیین مسئول
bulk-delete = انتقال به سطل زباله
bulk-undo = بازگشت: سطل زباله را باز کنید و آن‌ها را بازگردانید.
bulk-done = { $count ->
    [one] یک شخص تغییر کرد.
   *[other] { $count } شخص تغییر کردند.
}
bulk-failed = { $count ->
    [one] یک مورد تغییر نکرد (کسی در همین مدت آن را تغییر داده یا دیگر آن را نمی‌بینید).
   *[other] { $count } مورد تغییر نکردند (کسی در همین مدت آن‌ها را تغییر داده یا دیگر آن‌ها را نمی‌بینید).
}

admin-visibility = چه کسی کدام رکوردها را می‌بیند
admin-visibility-help = مالک همیشه همه‌چیز را می‌بیند. تغییر بی‌درنگ اعمال می‌شود.
scope-own = رکوردهای خودش
scope-team = رکوردهای تیمش
scope-all = همهٔ رکوردها

list-columns = ستون‌ها
sort-name-desc = نام، از آخر به اول
sort-oldest = قدیمی‌ترین اول
col-created = ایجاد
value-yes = بله
value-no = خیر
views = نماهای ذخیره‌شده
view-all-contacts = همهٔ اشخاص
view-all-companies = همهٔ شرکت‌ها
view-shared-mark = مشترک
view-save = ذخیرهٔ این نما
view-name = نام نما
view-share = اشتراک با تیمم
view-delete = حذف این نما
view-name-taken = نمایی با همین نام دارید؛ نام دیگری برگزینید.

buying-decision_maker = تصمیم‌گیرنده
buying-influencer = تأثیرگذار
buying-champion = حامی
buying-user = کاربر
buying-billing = امور مالی
buying-technical = فنی
buying-gatekeeper = دروازه‌بان
buying-employee = کارمند
buying-other = دیگر

form-new-company = شرکت جدید
form-edit-company = ویرایش { $name }
choice-female = زن
choice-male = مرد
choice-other = دیگر
choice-unknown = نامشخص

err-required = الزامی است.
err-too_long = بیش از حد طولانی است.
err-invalid_email = نشانی ایمیل معتبر نیست.
err-invalid_phone = شمارهٔ تلفن معتبر نیست.
err-invalid_date = تاریخی در تقویم شما نیست.
err-in_future = نمی‌تواند در آینده باشد.
err-invalid_domain = دامنهٔ وب معتبری مانند example.com نیست.
err-invalid_size = یکی از اندازه‌های پیشنهادی را برگزینید.
err-invalid_language = کد زبانی مانند en، fa یا tr نیست.
err-invalid_time_zone = منطقهٔ زمانی‌ای مانند Asia/Tehran نیست.
err-invalid_gender = یکی از گزینه‌های پیشنهادی را برگزینید.
err-invalid_value = مقدار معتبری برای این فیلد نیست.
err-invalid_country = کد دوحرفی کشور نیست.
err-duplicate = دو بار آمده است.
err-unknown_user = کاربری از این فضای کاری نیست.
err-unknown_record = به رکوردی اشاره می‌کند که وجود ندارد.
err-taken = رکورد دیگری از آن استفاده می‌کند.

admin-indexed = فیلدهایی که فهرست‌ها با آن‌ها فیلتر می‌شوند
admin-indexed-help = هر خط یکی: یک فیلد (language، source، custom.tier) یا حداکثر سه فیلد که با هم فیلتر می‌شوند (gender,language). هر کدام نمایه‌ای می‌گیرد تا فهرست‌های فیلترشده روی پایگاه بزرگ سریع بمانند؛ ساختن هر نمایه برای هر میلیون رکورد چند ثانیه طول می‌کشد.
admin-user-defaults = تنظیمات آغازین کاربران تازه
