app-name = Temas
nav-contacts = Kişiler
nav-companies = Şirketler
nav-profile = Profil
nav-sign-out = Çıkış yap
nav-skip = İçeriğe geç
search-label = Ara
search-placeholder = Kişi ve şirket ara  ( / )
search-empty = “{ $query }” ile eşleşen bir şey yok.
search-contact = Kişi
search-company = Şirket

login-title = Giriş
login-email = E-posta
login-password = Parola
login-submit = Giriş yap
login-failed = E-posta veya parola yanlış.
login-locked = Çok fazla başarısız deneme. { $minutes } dakika sonra yeniden deneyin.
login-expired = Oturumunuz sona erdi. Lütfen yeniden giriş yapın.

list-new-contact = Yeni kişi
list-new-company = Yeni şirket
list-filter = Filtre
list-filter-help = alan:işleç:değer, örneğin language:eq:tr veya tag:eq:vip
list-apply = Uygula
list-sort = Sırala
sort-name = Ad
sort-updated = Son değişenler
sort-created = Önce en yeniler
list-next = Sonraki sayfa
list-first = İlk sayfa
list-empty = Eşleşen kayıt yok.
list-shown = { $count ->
    [one] Bir kayıt gösteriliyor
   *[other] { $count } kayıt gösteriliyor
}

col-name = Ad
col-email = E-posta
col-phone = Telefon
col-company = Şirket
col-tags = Etiketler
col-updated = Güncellendi
col-domain = Alan adı
col-industry = Sektör

field-first_name = Ad
field-middle_name = İkinci ad
field-last_name = Soyadı
field-display_name = Görünen ad
field-salutation = Hitap
field-gender = Cinsiyet
field-birth_date = Doğum tarihi
field-job_title = Unvan
field-language = Dil
field-time_zone = Saat dilimi
field-notes = Notlar
field-source = Kaynak
field-email = E-posta
field-phone = Telefon
field-tags = Etiketler
field-tags-help = virgülle ayırın
field-name = Ad
field-domain = Alan adı
field-industry = Sektör
field-size = Büyüklük
field-owner = Sorumlu
field-version = Sürüm

card-emails = E-postalar
card-phones = Telefonlar
card-addresses = Adresler
card-handles = Mesajlaşma ve sosyal medya
card-companies = Şirketler
card-people = Kişiler
card-custom = Diğer alanlar
card-details = Ayrıntılar
card-timeline = Etkileşimler
card-history = Değişiklik geçmişi
card-edit = Düzenle
card-call = Ara
card-write = Yaz
card-primary = birincil
card-opted-out = izin vermedi
card-created = Oluşturuldu: { $when }
card-updated = Güncellendi: { $when }
card-no-interactions = Henüz etkileşim yok.
card-no-history = Kayıtlı değişiklik yok.
card-interactions = { $count ->
    [one] Bir etkileşim
   *[other] { $count } etkileşim
}
history-created = kaydı oluşturdu
history-deleted = çöp kutusuna taşıdı
history-restored = geri yükledi
history-changed = { $field } alanını değiştirdi

timeline-all = Tüm kanallar
timeline-filter = Göster
log-title = Etkileşim kaydet
log-channel = Kanal
log-direction = Yön
log-subject = Konu
log-body = Notlar
log-outcome = Sonuç
log-submit = Kaydet
log-saved = Kaydedildi.

channel-call = Arama
channel-email = E-posta
channel-meeting = Toplantı
channel-message = Mesaj
channel-sms = SMS
channel-visit = Ziyaret
channel-note = Not
channel-other = Diğer
direction-inbound = Gelen
direction-outbound = Giden
direction-internal = Dahili

form-new-contact = Yeni kişi
form-edit-contact = Düzenle: { $name }
form-save = Kaydet
form-cancel = Vazgeç
form-has-errors = Bazı alanların düzeltilmesi gerekiyor; yazdıklarınızın hiçbiri kaybolmadı.
form-conflict = Siz düzenlerken bu kaydı başka biri kaydetti (şu an sürüm { $version }). Değişiklikleriniz formda duruyor: karttaki güncel değerlere bakın ve yeniden kaydedin.
form-saved = Kaydedildi.

profile-title = Tercihleriniz
profile-language = Dil
profile-calendar = Takvim
profile-digits = Rakamlar
profile-time-zone = Saat dilimi
profile-save = Tercihleri kaydet
calendar-gregorian = Miladi
calendar-persian = İran takvimi (Celali)
calendar-hijri = Hicri (Ümmü'l-Kura)
digits-latin = Latin 0123456789
digits-persian = Farsça ۰۱۲۳۴۵۶۷۸۹
digits-arabic = Arapça ٠١٢٣٤٥٦٧٨٩

error-not-found = Bu kayıt yok ya da görme izniniz yok.
error-forbidden = Rolünüz buna izin vermiyor.
error-csrf = Formun süresi dolmuş. Lütfen yeniden deneyin.
error-internal = Bizim tarafımızda bir hata oluştu (istek { $id }).

nav-admin = Yönetim
admin-workspace = Çalışma alanı
admin-region = Varsayılan bölge (telefon numaraları için)
admin-currency = Varsayılan para birimi
admin-users = Kullanıcılar
admin-add-user = Kullanıcı ekle
admin-role = Rol
admin-team = Ekip
admin-custom-fields = Özel alanlar
admin-add-field = Alan ekle
admin-entity = Kayıt türü
admin-key = Anahtar
admin-label = Etiket
admin-kind = Tür
admin-options = Seçenekler (virgülle ayırın)
admin-position = Sıra
admin-required = Zorunlu
admin-retired = Kullanımdan kaldırıldı
entity-contact = Kişi
entity-company = Şirket
entity-interaction = Etkileşim
role-owner = Sahip
role-admin = Yönetici
role-manager = Müdür
role-member = Üye
role-marketer = Pazarlamacı
role-viewer = İzleyici

list-trash = Çöp kutusu
list-back = Tüm kişiler
list-restore = Geri yükle
col-select = Seç
bulk-label = Seçilenlerle
bulk-tag = Etiket ekle
bulk-owner = Sorumlu ata
bulk-delete = Çöp kutusuna taşı
bulk-undo = Geri al: çöp kutusunu açıp geri yükleyin.
bulk-done = { $count ->
    [one] Bir kişi değişti.
   *[other] { $count } kişi değişti.
}
bulk-failed = { $count ->
    [one] Biri değiştirilemedi (bu arada başkası değiştirdi ya da artık göremiyorsunuz).
   *[other] { $count } kayıt değiştirilemedi (bu arada başkası değiştirdi ya da artık göremiyorsunuz).
}

admin-visibility = Kim hangi kayıtları görür
admin-visibility-help = Sahip her zaman her şeyi görür. Değişiklik hemen geçerli olur.
scope-own = Yalnızca kendi kayıtları
scope-team = Ekibinin kayıtları
scope-all = Tüm kayıtlar

list-columns = Sütunlar
sort-name-desc = Ad, Z'den A'ya
sort-oldest = Önce en eski
col-created = Oluşturulma
value-yes = Evet
value-no = Hayır
views = Kayıtlı görünümler
view-all-contacts = Tüm kişiler
view-all-companies = Tüm şirketler
view-shared-mark = paylaşılan
view-save = Bu görünümü kaydet
view-name = Görünüm adı
view-share = Ekibimle paylaş
view-delete = Bu görünümü sil
view-name-taken = Bu adla bir görünümünüz zaten var; başka bir ad seçin.

buying-decision_maker = Karar verici
buying-influencer = Etkileyici
buying-champion = Destekçi
buying-user = Kullanıcı
buying-billing = Faturalama
buying-technical = Teknik
buying-gatekeeper = Kapı bekçisi
buying-employee = Çalışan
buying-other = Diğer

form-new-company = Yeni şirket
form-edit-company = Düzenle: { $name }
choice-female = Kadın
choice-male = Erkek
choice-other = Diğer
choice-unknown = Bilinmiyor

err-required = Zorunlu.
err-too_long = Çok uzun.
err-invalid_email = Bir e-posta adresi değil.
err-invalid_phone = Bir telefon numarası değil.
err-invalid_date = Takviminizde bir tarih değil.
err-in_future = Gelecekte olamaz.
err-invalid_domain = example.com gibi bir web alan adı değil.
err-invalid_size = Sunulan boyutlardan birini seçin.
err-invalid_language = en, fa veya tr gibi bir dil kodu değil.
err-invalid_time_zone = Europe/Istanbul gibi bir saat dilimi değil.
err-invalid_gender = Sunulan seçeneklerden birini seçin.
err-invalid_value = Bu alan için geçerli bir değer değil.
err-invalid_country = İki harfli bir ülke kodu değil.
err-duplicate = İki kez geçiyor.
err-unknown_user = Bu çalışma alanının kullanıcısı değil.
err-unknown_record = Var olmayan bir kayda işaret ediyor.
err-taken = Başka bir kayıt tarafından kullanılıyor.

admin-indexed = Listelerin süzüldüğü alanlar
admin-indexed-help = Her satıra bir tane: bir alan (language, source, custom.tier) ya da birlikte süzülen en fazla üç alan (gender,language). Her birine bir dizin kurulur, böylece süzülmüş listeler büyük bir tabanda da hızlı kalır; kurulması milyon kayıt başına birkaç saniye sürer.
admin-user-defaults = Yeni kullanıcıların başlangıç ayarları
