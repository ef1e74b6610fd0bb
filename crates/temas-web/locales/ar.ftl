app-name = تماس
nav-contacts = جهات الاتصال
nav-companies = الشركات
nav-profile = إعداداتي
nav-sign-out = تسجيل الخروج
nav-skip = انتقل إلى المحتوى
search-label = بحث
search-placeholder = ابحث عن الأشخاص والشركات  ( / )
search-empty = لا توجد نتائج لـ«{ $query }».
search-contact = شخص
search-company = شركة

login-title = تسجيل الدخول
login-email = البريد الإلكتروني
login-password = كلمة المرور
login-submit = دخول
login-failed = البريد الإلكتروني أو كلمة المرور غير صحيحة.
login-locked = محاولات فاشلة كثيرة. حاول مرة أخرى بعد { $minutes ->
    [zero] أقل من دقيقة
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $minutes } دقائق
   *[other] { $minutes } دقيقة
}.
login-expired = انتهت جلستك. يرجى تسجيل الدخول مرة أخرى.

list-new-contact = جهة اتصال جديدة
list-new-company = شركة جديدة
list-filter = تصفية
list-filter-help = حقل:عامل:قيمة، مثل language:eq:ar أو tag:eq:vip
list-apply = تطبيق
list-sort = ترتيب
sort-name = الاسم
sort-updated = آخر تعديل
sort-created = الأحدث أولاً
list-next = الصفحة التالية
list-first = الصفحة الأولى
list-empty = لا توجد سجلات مطابقة.
list-shown = { $count ->
    [zero] لا توجد سجلات معروضة
    [one] سجل واحد معروض
    [two] سجلان معروضان
    [few] { $count } سجلات معروضة
   *[other] { $count } سجلًا معروضًا
}

col-name = الاسم
col-email = البريد الإلكتروني
col-phone = الهاتف
col-company = الشركة
col-tags = الوسوم
col-updated = آخر تعديل
col-domain = النطاق
col-industry = القطاع

field-first_name = الاسم الأول
field-middle_name = الاسم الأوسط
field-last_name = اسم العائلة
field-display_name = الاسم المعروض
field-salutation = اللقب
field-gender = الجنس
field-birth_date = تاريخ الميلاد
field-job_title = المسمى الوظيفي
field-language = اللغة
field-time_zone = المنطقة الزمنية
field-notes = ملاحظات
field-source = المصدر
field-email = البريد الإلكتروني
field-phone = الهاتف
field-tags = الوسوم
field-tags-help = افصل بينها بفواصل
field-name = الاسم
field-domain = النطاق
field-industry = القطاع
field-size = الحجم
field-owner = المسؤول
field-version = الإصدار

card-emails = البريد الإلكتروني
card-phones = الهواتف
card-addresses = العناوين
card-handles = تطبيقات المراسلة والشبكات الاجتماعية
card-companies = الشركات
card-people = الأشخاص
card-custom = حقول أخرى
card-details = التفاصيل
card-timeline = سجل التواصل
card-history = سجل التغييرات
card-edit = تعديل
card-call = اتصال
card-write = مراسلة
card-primary = أساسي
kind-work = عمل
kind-home = منزل
kind-mobile = جوال
kind-fax = فاكس
kind-other = أخرى
card-opted-out = ألغى الاشتراك
card-created = أُنشئ في { $when }
card-updated = عُدّل في { $when }
card-no-interactions = لا يوجد تواصل مسجل بعد.
card-no-history = لا توجد تغييرات مسجلة.
card-interactions = { $count ->
    [zero] لا يوجد تواصل
    [one] تواصل واحد
    [two] تواصلان
    [few] { $count } تواصلات
   *[other] { $count } تواصلًا
}
history-created = أنشأ السجل
history-deleted = نقله إلى سلة المهملات
history-restored = استعاده
history-changed = غيّر { $field }

timeline-all = كل القنوات
timeline-filter = عرض
log-title = تسجيل تواصل
log-channel = القناة
log-direction = الاتجاه
log-subject = الموضوع
log-body = ملاحظات
log-outcome = النتيجة
log-submit = تسجيل
log-saved = تم التسجيل.

channel-call = مكالمة
channel-email = بريد إلكتروني
channel-meeting = اجتماع
channel-message = رسالة
channel-sms = رسالة نصية
channel-visit = زيارة
channel-note = ملاحظة
channel-other = أخرى
direction-inbound = وارد
direction-outbound = صادر
direction-internal = داخلي

form-new-contact = جهة اتصال جديدة
form-edit-contact = تعديل { $name }
form-save = حفظ
form-cancel = إلغاء
form-has-errors = بعض الحقول تحتاج إلى تصحيح؛ لم يضِع شيء مما كتبته.
form-conflict = حفظ شخص آخر هذا السجل أثناء تعديلك له (الإصدار الحالي { $version }). ما زالت تعديلاتك في النموذج: راجع القيم الحالية في البطاقة ثم احفظ مرة أخرى.
form-duplicates = هل تقصد أحد هذه السجلات؟ تبدو أنها السجل نفسه:
form-create-anyway = إنه سجل مختلف؛ أنشئه على أي حال
form-saved = تم الحفظ.

profile-title = تفضيلاتك
profile-language = اللغة
profile-calendar = التقويم
profile-digits = الأرقام
profile-time-zone = المنطقة الزمنية
profile-save = حفظ التفضيلات
calendar-gregorian = الميلادي
calendar-persian = الهجري الشمسي (الجلالي)
calendar-hijri = الهجري (أم القرى)
digits-latin = لاتينية 0123456789
digits-persian = فارسية ۰۱۲۳۴۵۶۷۸۹
digits-arabic = عربية هندية ٠١٢٣٤٥٦٧٨٩

error-not-found = هذا السجل غير موجود، أو لا يحق لك رؤيته.
error-forbidden = دورك لا يسمح بذلك.
error-csrf = انتهت صلاحية النموذج. يرجى المحاولة مرة أخرى.
error-internal = حدث خطأ من جهتنا (الطلب { $id }).

nav-admin = الإدارة
admin-workspace = مساحة العمل
admin-region = المنطقة الافتراضية (لأرقام الهاتف)
admin-currency = العملة الافتراضية
admin-users = المستخدمون
admin-add-user = إضافة مستخدم
admin-role = الدور
admin-team = الفريق
admin-custom-fields = الحقول المخصصة
admin-add-field = إضافة حقل
admin-entity = نوع السجل
admin-key = المفتاح
admin-label = التسمية
admin-kind = النوع
admin-options = الخيارات (مفصولة بفواصل)
admin-position = الترتيب
admin-required = إلزامي
admin-retired = متقاعد
entity-contact = جهة اتصال
entity-company = شركة
entity-interaction = تواصل
role-owner = المالك
role-admin = مسؤول النظام
role-manager = مدير
role-member = عضو
role-marketer = مسوّق
role-viewer = مشاهد

list-trash = سلة المهملات
list-back = كل جهات الاتصال
list-restore = استعادة
col-select = تحديد
bulk-label = مع المحدد
bulk-tag = إضافة وسم
bulk-owner = تعيين المسؤول
bulk-delete = نقل إلى سلة المهملات
bulk-undo = تراجع: افتح سلة المهملات لاستعادتها.
bulk-done = { $count ->
    [zero] لم تتغير أي جهة اتصال.
    [one] تغيرت جهة اتصال واحدة.
    [two] تغيرت جهتا اتصال.
    [few] تغيرت { $count } جهات اتصال.
   *[other] تغيرت { $count } جهة اتصال.
}
bulk-failed = { $count ->
    [one] تعذر تغيير سجل واحد (غيّره شخص آخر أو لم يعد بإمكانك رؤيته).
    [two] تعذر تغيير سجلين (غيّرهما شخص آخر أو لم يعد بإمكانك رؤيتهما).
    [few] تعذر تغيير { $count } سجلات (غيّرها شخص آخر أو لم يعد بإمكانك رؤيتها).
   *[other] تعذر تغيير { $count } سجل (غيّرها شخص آخر أو لم يعد بإمكانك رؤيتها).
}

admin-visibility = من يرى أي سجلات
admin-visibility-help = المالك يرى كل شيء دائمًا. يُطبَّق التغيير فورًا.
scope-own = سجلاته فقط
scope-team = سجلات فريقه
scope-all = كل السجلات

list-columns = الأعمدة
sort-name-desc = الاسم، من الياء إلى الألف
sort-oldest = الأقدم أولاً
col-created = الإنشاء
value-yes = نعم
value-no = لا
views = طرق العرض المحفوظة
view-all-contacts = كل جهات الاتصال
view-all-companies = كل الشركات
view-shared-mark = مشتركة
view-save = حفظ طريقة العرض هذه
view-name = اسم طريقة العرض
view-share = مشاركة مع فريقي
view-delete = حذف طريقة العرض هذه
view-name-taken = لديك طريقة عرض بهذا الاسم؛ اختر اسمًا آخر.

buying-decision_maker = صاحب القرار
buying-influencer = مؤثر
buying-champion = داعم
buying-user = مستخدم
buying-billing = الفوترة
buying-technical = فني
buying-gatekeeper = حارس البوابة
buying-employee = موظف
buying-other = أخرى

form-new-company = شركة جديدة
form-edit-company = تعديل { $name }
choice-female = أنثى
choice-male = ذكر
choice-other = آخر
choice-unknown = غير معروف

err-required = مطلوب.
err-too_long = طويل جدًا.
err-invalid_email = ليس عنوان بريد إلكتروني.
err-invalid_phone = ليس رقم هاتف.
err-invalid_date = ليس تاريخًا في تقويمك.
err-in_future = لا يمكن أن يكون في المستقبل.
err-invalid_domain = ليس نطاق ويب مثل example.com.
err-invalid_size = اختر أحد الأحجام المعروضة.
err-invalid_language = ليس رمز لغة مثل en أو fa أو tr.
err-invalid_time_zone = ليست منطقة زمنية مثل Asia/Riyadh.
err-invalid_gender = اختر أحد الخيارات المعروضة.
err-invalid_value = ليست قيمة صالحة لهذا الحقل.
err-invalid_country = ليس رمز دولة من حرفين.
err-duplicate = مكرر مرتين.
err-unknown_user = ليس مستخدمًا في مساحة العمل هذه.
err-unknown_record = يشير إلى سجل غير موجود.
err-taken = مستخدم في سجل آخر.

admin-indexed = الحقول التي تُصفّى بها القوائم
admin-indexed-help = واحد في كل سطر: حقل (language أو source أو custom.tier) أو حتى ثلاثة حقول تُصفّى معًا (gender,language). يحصل كل منها على فهرس لتبقى القوائم المصفاة سريعة في قاعدة كبيرة؛ بناء الفهرس يستغرق ثوانيَ لكل مليون سجل.
admin-user-defaults = ما يبدأ به المستخدمون الجدد

nav-imports = استيراد
imports-title = عمليات الاستيراد
imports-upload = استيراد ملف
imports-upload-help = ملف CSV أو TSV بأي ترميز وفاصل شائعين، أو مصنف Excel ‏(XLSX) أو LibreOffice ‏(ODS). لا يُستورد شيء حتى تطلب ذلك.
imports-file = الملف
imports-sheet = الورقة (الاسم أو الرقم)
imports-sheets = الأوراق
imports-upload-submit = رفع ومطابقة الأعمدة
imports-history = عمليات استيراد سابقة
imports-none = لا توجد عمليات استيراد بعد.
imports-col-file = الملف
imports-col-status = الحالة
imports-col-rows = الصفوف
import-choose-file = اختر ملفًا لاستيراده.
import-status-uploaded = مرفوع
import-status-checking = قيد الفحص
import-status-checked = مفحوص
import-status-running = قيد الاستيراد
import-status-committed = مستورد
import-status-rolling_back = قيد التراجع
import-status-rolled_back = تم التراجع
import-status-failed = فشل
import-rows-read = الصفوف المقروءة: { $count }
import-stopped = توقف الاستيراد:
import-summary = النتيجة
import-summary-dry = تشغيل تجريبي: ما سيفعله الاستيراد
import-created = أُنشئت
import-updated = حُدّثت
import-skipped = تُخطّيت
import-failed = فشلت
import-companies = الشركات المنشأة
import-duplicates = تكرارات محتملة لجهات اتصال موجودة
import-duplicates-in-file = تكرارات محتملة داخل الملف
import-problems = صفوف تستحق المراجعة
import-row = الصف { $row }
import-errors-download = تنزيل الصفوف التي فشلت مع السبب (CSV)
import-rolled-back = تم التراجع. السجلات المحذوفة / المستعادة:
import-mapping = الأعمدة والحقول
import-mapping-help = يملأ كل عمود الحقل المختار أسفله؛ راجع الصفوف الأولى أدناه.
import-mapping-used = المطابقة
import-match-on = تحديث جهات الاتصال الموجودة التي لها نفس
import-match-none = لا شيء: إنشاء دائمًا
import-match-email = البريد الإلكتروني
import-match-phone = الهاتف
import-match-external_id = المعرّف الخارجي
import-check = تشغيل تجريبي
import-commit = استيراد
import-rollback = تراجع
import-rollback-help = التراجع يحذف ما أنشأه هذا الاستيراد ويستعيد ما غيّره، حتى لو عُدّل بعد ذلك.
import-ignore = (تجاهل هذا العمود)
import-full-name = الاسم الكامل
field-external_id = المعرّف الخارجي
phone-kind-mobile = جوال
phone-kind-work = عمل
phone-kind-home = منزل
phone-kind-fax = فاكس
phone-kind-other = آخر
address-street = الشارع
address-city = المدينة
address-region = المنطقة
address-postal_code = الرمز البريدي
address-country = الدولة

nav-quality = جودة البيانات
quality-title = جودة البيانات
quality-intro = على { $count } من جهات الاتصال التي تراها. كل رقم يفتح قائمة جهات الاتصال الخاصة به.
quality-fields = مدى اكتمال كل حقل
quality-field = الحقل
quality-filled = مُعبّأ
quality-problems = المشكلات
quality-problem = المشكلة
quality-contacts = جهات الاتصال
quality-months = قديمة بعد (أشهر)
quality-refresh = تحديث
quality-no_email_or_phone = بلا بريد إلكتروني ولا هاتف
quality-invalid_phone = رقم هاتف غير صالح
quality-opted_out_email = بريد إلكتروني ألغى الاشتراك
quality-opted_out_phone = هاتف ألغى الاشتراك
quality-stale = لم تُحدّث منذ { $months } شهرًا
import-mapping-reused = طوبقت الأعمدة كما في استيراد سابق لملف بالأعمدة نفسها.
import-interaction = تسجيل في السجل الزمني
import-interactions = التفاعلات المسجلة
list-export-csv = تصدير CSV
list-export-xlsx = تصدير Excel

# Duplicates
nav-duplicates = التكرارات
dup-title = السجلات المكررة
dup-scan = البحث عن التكرارات
dup-intro = يعثر على جهات الاتصال أو الشركات التي تمثل الشخص أو المؤسسة نفسها، بأي خط ومع الأخطاء الإملائية؛ وتنتظر المجموعات التي يجدها هنا للمراجعة.
dup-entity = السجلات
dup-merge-confident = ادمج فورًا المجموعات التي تبلغ ثقتها حد الدمج التلقائي لمساحة العمل
dup-scans = عمليات البحث
dup-none = لا توجد عمليات بحث بعد.
dup-records = السجلات المفحوصة
dup-groups = المجموعات المكتشفة
dup-merged = دُمجت تلقائيًا
dup-status-queued = في الانتظار
dup-status-reading = قراءة السجلات
dup-status-matching = المطابقة
dup-status-saving = حفظ المجموعات
dup-status-merging = الدمج
dup-status-done = تم
dup-status-failed = فشل
dup-records-read = قُرئ { $count } سجل
dup-queue = قائمة المراجعة
dup-group-open = للمراجعة
dup-group-merged = مدموجة
dup-group-dismissed = ليست مكررة
dup-group-all = الكل
dup-empty = لا شيء للمراجعة هنا.
dup-confidence = الثقة
dup-why = السبب
dup-review = مراجعة
dup-dismiss = ليست مكررة
dup-more = المزيد
dup-group-title = المجموعة { $seq }
dup-pairs = لماذا يرى المحرك ذلك
dup-undo = التراجع عن الدمج
dup-kept-all = تُحفظ كل عناوين البريد والهواتف والعناوين والوسوم وروابط الشركات والملاحظات لكل السجلات؛ وتذهب البقية إلى سلة المهملات، ويمكن التراجع عن الدمج.
dup-state-trashed = في سلة المهملات
dup-state-hidden = غير مرئي لك
dup-by-rule = حسب القاعدة
dup-survivor = أبقِ هذا السجل
dup-contact-points = البريد والهواتف
dup-all-kept = تُحفظ كلها
dup-rule = القاعدة
dup-rule-most_complete = الأكمل أولًا
dup-rule-most_recent = الأحدث تعديلًا أولًا
dup-merge = دمج
dedupe-field-given_name = الاسم
dedupe-field-family_name = اسم العائلة
dedupe-field-email = البريد
dedupe-field-phone = الهاتف
dedupe-field-birth_date = تاريخ الميلاد
dedupe-field-city = المدينة
dedupe-field-street = الشارع
dedupe-field-postcode = الرمز البريدي
dedupe-field-region = المنطقة
dedupe-field-organisation = الشركة
dedupe-field-domain = النطاق
dedupe-field-identifier = المعرّف
dedupe-level-same = متطابق
dedupe-level-nearly-same = شبه متطابق
dedupe-level-similar = متشابه
dedupe-level-different = مختلف
dedupe-level-same-user-name = اسم المستخدم نفسه
dedupe-level-one-digit-apart = فرق رقم واحد
dedupe-level-one-part-or-digit-apart = فرق جزء أو رقم واحد
dedupe-level-one-character-apart = فرق حرف واحد

# المبيعات: الصفقات والعملاء المحتملون والمهام والطلبات على البطاقة
nav-my-day = يومي
nav-leads = العملاء المحتملون
nav-deals = الصفقات
nav-forecast = التوقعات
date-placeholder = سنة/شهر/يوم
deals-title = الصفقات
deals-no-pipeline = لا يوجد مسار مبيعات بعد. ينشئه المالك أو المسؤول أو المدير (POST /api/v1/pipelines).
deals-pipeline = مسار المبيعات
deals-view = العرض
deals-board = اللوحة
deals-list = القائمة
deals-show = اعرض
deal-name = الصفقة
deal-stage = المرحلة
deal-status = الحالة
deal-status-open = مفتوحة
deal-status-won = ناجحة
deal-status-lost = خاسرة
deal-amount = المبلغ
deal-currency = العملة
deal-expected-close = الإغلاق المتوقع
deal-closed = أُغلقت
deal-close-reason = السبب
deal-contacts = جهات الاتصال
deal-move-to = النقل إلى مرحلة
deal-move = انقل
deal-new = صفقة جديدة
deal-create = أنشئ الصفقة
deal-outcome = النتيجة
deal-save-outcome = احفظ النتيجة
deal-stage-history = تغييرات المرحلة
forecast-title = توقعات المبيعات
forecast-intro = الصفقات المفتوحة مرجّحة باحتمال مرحلتها، والصفقات الناجحة، بعملة { $currency }.
forecast-unconverted = استُبعدت لعدم وجود سعر صرف:
forecast-total = المجاميع
forecast-weighted = المرجّح
forecast-pipeline = المسار كاملًا
forecast-won = الناجحة
forecast-won-deals = الصفقات الناجحة
forecast-open = الصفقات المفتوحة
forecast-by-month = حسب الشهر
forecast-by-owner = حسب المسؤول
forecast-no-date = بلا تاريخ إغلاق
forecast-unassigned = بلا مسؤول
leads-title = العملاء المحتملون
lead-new = عميل محتمل جديد
lead-create = أضف عميلًا محتملًا
lead-name = الاسم
lead-company = الشركة
lead-email = البريد الإلكتروني
lead-phone = الهاتف
lead-source = المصدر
lead-status = الحالة
lead-status-new = جديد
lead-status-contacted = تم التواصل
lead-status-qualified = مؤهَّل
lead-status-unqualified = غير مؤهَّل
lead-status-converted = محوَّل
lead-source-web_form = نموذج ويب
lead-source-import = استيراد
lead-source-campaign = حملة
lead-source-referral = إحالة
lead-source-event = فعالية
lead-source-phone = هاتف
lead-source-email = بريد إلكتروني
lead-source-partner = شريك
lead-source-social = وسائل التواصل
lead-source-other = أخرى
lead-convert = حوِّل
lead-converted = تم التحويل
lead-open-contact = افتح جهة الاتصال
lead-open-deal = افتح الصفقة
lead-with-deal = افتح صفقة أيضًا
lead-probably-exists = يبدو أن هذا الشخص أو هذه الشركة موجود في القاعدة. استخدم السجل الموجود أو أنشئ سجلًا جديدًا رغم ذلك.
lead-use-this = استخدم هذا
lead-create-anyway = أنشئ جديدًا رغم ذلك
my-day-title = يومي
my-day-empty = لا شيء مستحق اليوم.
my-day-due = { $count ->
    [zero] لا مهام مستحقة
    [one] مهمة واحدة مستحقة
    [two] مهمتان مستحقتان
    [few] { $count } مهام مستحقة
   *[other] { $count } مهمة مستحقة
}
my-day-run-rules = شغّل قواعد المتابعة الآن
my-day-rules-made = { $count ->
    [zero] لم تُنشئ القواعد أي مهمة.
    [one] أنشأت القواعد مهمة واحدة.
    [two] أنشأت القواعد مهمتين.
    [few] أنشأت القواعد { $count } مهام.
   *[other] أنشأت القواعد { $count } مهمة.
}
task-new = مهمة جديدة
task-title = المهمة
task-due = الاستحقاق
task-create = أضف المهمة
task-done = تمّت
task-kind-todo = للتنفيذ
task-kind-call = اتصال
task-kind-email = بريد إلكتروني
task-kind-meeting = اجتماع
task-kind-follow_up = متابعة
task-kind-no_contact = بلا تواصل
task-kind-deal_stuck = صفقة متوقفة
task-kind-birthday = عيد ميلاد
sales-purchases = المشتريات
metrics-orders = الطلبات
metrics-total = إجمالي الإنفاق
metrics-spent-in = الإنفاق بـ
metrics-average = متوسط الطلب
metrics-last-order = آخر طلب
metrics-days-since = أيام منذ آخر طلب
metrics-total-converted = الإجمالي بعد التحويل
metrics-last-12-months = آخر 12 شهرًا
metrics-last-contact = آخر تواصل
metrics-days-since-contact = أيام منذ آخر تواصل
metrics-favourite-category = الفئة المفضلة
metrics-favourite-brand = العلامة المفضلة
metrics-rfm = درجة RFM (الحداثة، التكرار، الإنفاق)
order-new = سجّل طلبًا
order-create = احفظ الطلب
order-status = الحالة
order-status-quote = عرض سعر
order-status-proforma = فاتورة مبدئية
order-status-invoiced = مفوتر
order-status-paid = مدفوع
order-status-cancelled = ملغى
order-status-returned = مرتجع
order-status-refunded = مسترد المبلغ
order-invoice = رقم الفاتورة
order-line = بند
order-quantity = الكمية
order-unit-price = سعر الوحدة
order-return = إرجاع
order-return-quantity = الكمية المرتجعة
order-return-reason = السبب
order-returned = مرتجع
file-attach = إرفاق ملف
file-upload = رفع
file-remove = إزالة
order-open-problems = { $count ->
    [one] مشكلة واحدة مفتوحة
    [two] مشكلتان مفتوحتان
    [few] { $count } مشكلات مفتوحة
   *[other] { $count } مشكلة مفتوحة
}
problem = مشكلة
problem-report = الإبلاغ عن مشكلة
problem-kind = ما الخطأ
problem-description = التفاصيل
problem-record = تسجيل
problem-resolution = الحل
problem-note = ملاحظة
problem-resolve = تسوية
problem-resolved = تمت التسوية
problem-kind-damaged = تالف
problem-kind-missing_part = قطعة ناقصة
problem-kind-wrong_item = صنف خاطئ
problem-kind-defective = معيب
problem-kind-late_delivery = تأخر التسليم
problem-kind-other = أخرى
problem-resolution-replaced = استُبدل
problem-resolution-repaired = أُصلح
problem-resolution-part_sent = أُرسلت القطعة
problem-resolution-refunded = رُدّ المبلغ
problem-resolution-credited = أُضيف رصيد
problem-resolution-declined = رُفض
problem-resolution-other = أخرى
