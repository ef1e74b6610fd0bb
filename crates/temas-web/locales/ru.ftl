app-name = Temas
nav-contacts = Контакты
nav-companies = Компании
nav-profile = Профиль
nav-sign-out = Выйти
nav-skip = Перейти к содержимому
search-label = Поиск
search-placeholder = Поиск людей и компаний  ( / )
search-empty = По запросу «{ $query }» ничего не найдено.
search-contact = Человек
search-company = Компания

login-title = Вход
login-email = Эл. почта
login-password = Пароль
login-submit = Войти
login-failed = Неверная эл. почта или пароль.
login-locked = Слишком много неудачных попыток. Повторите через { $minutes ->
    [one] { $minutes } минуту
    [few] { $minutes } минуты
   *[many] { $minutes } минут
}.
login-expired = Сеанс завершён. Войдите снова.

list-new-contact = Новый контакт
list-new-company = Новая компания
list-filter = Фильтр
list-filter-help = поле:оператор:значение, например language:eq:ru или tag:eq:vip
list-apply = Применить
list-sort = Сортировка
sort-name = По имени
sort-updated = Недавно изменённые
sort-created = Сначала новые
list-next = Следующая страница
list-first = Первая страница
list-empty = Нет подходящих записей.
list-shown = { $count ->
    [one] Показана { $count } запись
    [few] Показаны { $count } записи
   *[many] Показано { $count } записей
}

col-name = Имя
col-email = Эл. почта
col-phone = Телефон
col-company = Компания
col-tags = Метки
col-updated = Изменено
col-domain = Домен
col-industry = Отрасль

field-first_name = Имя
field-middle_name = Отчество
field-last_name = Фамилия
field-display_name = Отображаемое имя
field-salutation = Обращение
field-gender = Пол
field-birth_date = Дата рождения
field-job_title = Должность
field-language = Язык
field-time_zone = Часовой пояс
field-notes = Заметки
field-source = Источник
field-email = Эл. почта
field-phone = Телефон
field-tags = Метки
field-tags-help = через запятую
field-name = Название
field-domain = Домен
field-industry = Отрасль
field-size = Размер
field-owner = Ответственный
field-version = Версия

card-emails = Эл. почта
card-phones = Телефоны
card-addresses = Адреса
card-handles = Мессенджеры и соцсети
card-companies = Компании
card-people = Люди
card-custom = Дополнительные поля
card-details = Сведения
card-timeline = Лента взаимодействий
card-history = История изменений
card-edit = Изменить
card-call = Позвонить
card-write = Написать
card-primary = основной
kind-work = рабочий
kind-home = домашний
kind-mobile = мобильный
kind-fax = факс
kind-other = другой
card-opted-out = отписан
card-created = Создано { $when }
card-updated = Изменено { $when }
card-no-interactions = Взаимодействий пока нет.
card-no-history = Изменений нет.
card-interactions = { $count ->
    [one] { $count } взаимодействие
    [few] { $count } взаимодействия
   *[many] { $count } взаимодействий
}
history-created = создал(а) запись
history-deleted = переместил(а) в корзину
history-restored = восстановил(а)
history-changed = изменил(а) { $field }

timeline-all = Все каналы
timeline-filter = Показать
log-title = Записать взаимодействие
log-channel = Канал
log-direction = Направление
log-subject = Тема
log-body = Заметки
log-outcome = Результат
log-submit = Записать
log-saved = Записано.

channel-call = Звонок
channel-email = Письмо
channel-meeting = Встреча
channel-message = Сообщение
channel-sms = СМС
channel-visit = Визит
channel-note = Заметка
channel-other = Другое
direction-inbound = Входящее
direction-outbound = Исходящее
direction-internal = Внутреннее

form-new-contact = Новый контакт
form-edit-contact = Изменить: { $name }
form-save = Сохранить
form-cancel = Отмена
form-has-errors = Некоторые поля нужно исправить; всё введённое сохранено в форме.
form-conflict = Пока вы редактировали, запись сохранил кто-то другой (теперь версия { $version }). Ваши изменения остались в форме: сверьтесь с текущими значениями в карточке и сохраните ещё раз.
form-duplicates = Возможно, вы имели в виду одну из этих записей? Похоже, это та же самая:
form-create-anyway = Это другая запись: всё равно создать
form-saved = Сохранено.

profile-title = Ваши настройки
profile-language = Язык
profile-calendar = Календарь
profile-digits = Цифры
profile-time-zone = Часовой пояс
profile-save = Сохранить настройки
calendar-gregorian = Григорианский
calendar-persian = Персидский (джалали)
calendar-hijri = Хиджра (Умм аль-Кура)
digits-latin = Латинские 0123456789
digits-persian = Персидские ۰۱۲۳۴۵۶۷۸۹
digits-arabic = Арабско-индийские ٠١٢٣٤٥٦٧٨٩

error-not-found = Такой записи нет, или у вас нет к ней доступа.
error-forbidden = Ваша роль не позволяет это сделать.
error-csrf = Срок действия формы истёк. Попробуйте ещё раз.
error-internal = На нашей стороне произошла ошибка (запрос { $id }).

nav-admin = Администрирование
admin-workspace = Рабочее пространство
admin-region = Регион по умолчанию (для телефонов)
admin-currency = Валюта по умолчанию
admin-users = Пользователи
admin-add-user = Добавить пользователя
admin-role = Роль
admin-team = Команда
admin-custom-fields = Дополнительные поля
admin-add-field = Добавить поле
admin-entity = Тип записи
admin-key = Ключ
admin-label = Название
admin-kind = Тип
admin-options = Варианты (через запятую)
admin-position = Порядок
admin-required = Обязательное
admin-retired = Выведено из работы
entity-contact = Контакт
entity-company = Компания
entity-interaction = Взаимодействие
role-owner = Владелец
role-admin = Администратор
role-manager = Руководитель
role-member = Сотрудник
role-marketer = Маркетолог
role-viewer = Наблюдатель

list-trash = Корзина
list-back = Все контакты
list-restore = Восстановить
col-select = Выбрать
bulk-label = С выбранными
bulk-tag = Добавить метку
bulk-owner = Назначить ответственного
bulk-delete = В корзину
bulk-undo = Отменить: откройте корзину и восстановите их.
bulk-done = { $count ->
    [one] Изменён { $count } контакт.
    [few] Изменены { $count } контакта.
   *[many] Изменено { $count } контактов.
}
bulk-failed = { $count ->
    [one] { $count } запись изменить не удалось (её изменили или она вам больше не видна).
    [few] { $count } записи изменить не удалось (их изменили или они вам больше не видны).
   *[many] { $count } записей изменить не удалось (их изменили или они вам больше не видны).
}

admin-visibility = Кто какие записи видит
admin-visibility-help = Владелец всегда видит всё. Изменение действует сразу.
scope-own = Только свои записи
scope-team = Записи своей команды
scope-all = Все записи

list-columns = Столбцы
sort-name-desc = Имя, от Я до А
sort-oldest = Сначала старые
col-created = Создан
value-yes = Да
value-no = Нет
views = Сохранённые представления
view-all-contacts = Все контакты
view-all-companies = Все компании
view-shared-mark = общее
view-save = Сохранить представление
view-name = Название представления
view-share = Поделиться с командой
view-delete = Удалить представление
view-name-taken = У вас уже есть представление с таким названием; выберите другое.

buying-decision_maker = Лицо, принимающее решение
buying-influencer = Влияющий
buying-champion = Сторонник
buying-user = Пользователь
buying-billing = Оплата
buying-technical = Технический специалист
buying-gatekeeper = Привратник
buying-employee = Сотрудник
buying-other = Другое

form-new-company = Новая компания
form-edit-company = Изменить: { $name }
choice-female = Женский
choice-male = Мужской
choice-other = Другой
choice-unknown = Не указан

err-required = Обязательное поле.
err-too_long = Слишком длинно.
err-invalid_email = Это не адрес электронной почты.
err-invalid_phone = Это не номер телефона.
err-invalid_date = Это не дата в вашем календаре.
err-in_future = Не может быть в будущем.
err-invalid_domain = Это не веб-домен вида example.com.
err-invalid_size = Выберите один из предложенных размеров.
err-invalid_language = Это не код языка вида en, fa или ru.
err-invalid_time_zone = Это не часовой пояс вида Europe/Moscow.
err-invalid_gender = Выберите один из предложенных вариантов.
err-invalid_value = Недопустимое значение для этого поля.
err-invalid_country = Это не двухбуквенный код страны.
err-duplicate = Встречается дважды.
err-unknown_user = Такого пользователя нет в этом пространстве.
err-unknown_record = Ссылается на несуществующую запись.
err-taken = Уже используется другой записью.

admin-indexed = Поля, по которым фильтруют списки
admin-indexed-help = По одному в строке: поле (language, source, custom.tier) или до трёх полей, фильтруемых вместе (gender,language). Для каждого строится индекс, чтобы отфильтрованные списки оставались быстрыми на большой базе; построение занимает секунды на миллион записей.
admin-user-defaults = Новые пользователи начинают с

nav-imports = Импорт
imports-title = Импорт
imports-upload = Импорт файла
imports-upload-help = CSV или TSV в любой распространённой кодировке и с любым разделителем, либо книга Excel (XLSX) или LibreOffice (ODS). Ничего не импортируется, пока вы не подтвердите.
imports-file = Файл
imports-sheet = Лист (имя или номер)
imports-sheets = Листы
imports-upload-submit = Загрузить и сопоставить
imports-history = Прежние импорты
imports-none = Импортов пока нет.
imports-col-file = Файл
imports-col-status = Состояние
imports-col-rows = Строки
import-choose-file = Выберите файл для импорта.
import-status-uploaded = Загружен
import-status-checking = Проверяется
import-status-checked = Проверен
import-status-running = Импортируется
import-status-committed = Импортирован
import-status-rolling_back = Откатывается
import-status-rolled_back = Откачен
import-status-failed = Ошибка
import-rows-read = прочитано строк: { $count }
import-stopped = Импорт остановлен:
import-summary = Итог
import-summary-dry = Пробный прогон: что сделает импорт
import-created = Создано
import-updated = Обновлено
import-skipped = Пропущено
import-failed = С ошибками
import-companies = Создано компаний
import-duplicates = Вероятные дубликаты существующих контактов
import-duplicates-in-file = Вероятные дубликаты внутри файла
import-problems = Строки, требующие внимания
import-row = Строка { $row }
import-errors-download = Скачать строки с ошибками и их причины (CSV)
import-rolled-back = Откат выполнен. Записей удалено / восстановлено:
import-mapping = Столбцы и поля
import-mapping-help = Каждый столбец заполняет поле, выбранное под ним; проверьте первые строки ниже.
import-mapping-used = Сопоставление
import-match-on = Обновлять существующие контакты с тем же
import-match-none = ничего: всегда создавать
import-match-email = email
import-match-phone = телефоном
import-match-external_id = внешним идентификатором
import-check = Пробный прогон
import-commit = Импортировать
import-rollback = Откатить
import-rollback-help = Откат удаляет созданное этим импортом и восстанавливает изменённое, даже если это потом редактировали.
import-ignore = (пропустить столбец)
import-full-name = Полное имя
field-external_id = Внешний идентификатор
phone-kind-mobile = мобильный
phone-kind-work = рабочий
phone-kind-home = домашний
phone-kind-fax = факс
phone-kind-other = другой
address-street = Улица
address-city = Город
address-region = Регион
address-postal_code = Индекс
address-country = Страна

nav-quality = Качество данных
quality-title = Качество данных
quality-intro = По контактам, которые вы видите: { $count }. Каждое число открывает список этих контактов.
quality-fields = Заполненность полей
quality-field = Поле
quality-filled = Заполнено
quality-problems = Проблемы
quality-problem = Проблема
quality-contacts = Контакты
quality-months = Устаревшие через (месяцев)
quality-refresh = Обновить
quality-no_email_or_phone = Нет ни email, ни телефона
quality-invalid_phone = Недействительный номер телефона
quality-opted_out_email = Email с отказом от рассылок
quality-opted_out_phone = Телефон с отказом от звонков
quality-stale = Не обновлялись месяцев: { $months }
import-mapping-reused = Столбцы сопоставлены так же, как при прошлом импорте файла с теми же столбцами.
import-interaction = Записать в историю
import-interactions = Записано взаимодействий
list-export-csv = Экспорт CSV
list-export-xlsx = Экспорт Excel

# Duplicates
nav-duplicates = Дубликаты
dup-title = Дубликаты
dup-scan = Найти дубликаты
dup-intro = Находит контакты или компании, которые являются одним человеком или организацией, в любой письменности и с опечатками; найденные группы ждут здесь проверки.
dup-entity = Записи
dup-merge-confident = Сразу объединить группы с уверенностью не ниже порога автообъединения рабочего пространства
dup-scans = Проверки
dup-none = Проверок ещё не было.
dup-records = Проверено записей
dup-groups = Найдено групп
dup-merged = Объединено автоматически
dup-status-queued = В очереди
dup-status-reading = Чтение записей
dup-status-matching = Сопоставление
dup-status-saving = Сохранение групп
dup-status-merging = Объединение
dup-status-done = Готово
dup-status-failed = Ошибка
dup-records-read = Прочитано записей: { $count }
dup-queue = Очередь проверки
dup-group-open = К проверке
dup-group-merged = Объединены
dup-group-dismissed = Не дубликаты
dup-group-all = Все
dup-empty = Здесь нечего проверять.
dup-confidence = Уверенность
dup-why = Почему
dup-review = Проверить
dup-dismiss = Не дубликаты
dup-more = Ещё
dup-group-title = Группа { $seq }
dup-pairs = Почему система так считает
dup-undo = Отменить объединение
dup-kept-all = Все адреса почты, телефоны, адреса, теги, связи с компаниями и заметки всех записей сохраняются; остальные записи попадают в корзину, объединение можно отменить.
dup-state-trashed = в корзине
dup-state-hidden = недоступна вам
dup-by-rule = По правилу
dup-survivor = Оставить эту запись
dup-contact-points = Почта и телефоны
dup-all-kept = Сохраняются все
dup-rule = Правило
dup-rule-most_complete = Сначала самая полная запись
dup-rule-most_recent = Сначала последняя изменённая
dup-merge = Объединить
dedupe-field-given_name = имя
dedupe-field-family_name = фамилия
dedupe-field-email = почта
dedupe-field-phone = телефон
dedupe-field-birth_date = дата рождения
dedupe-field-city = город
dedupe-field-street = улица
dedupe-field-postcode = индекс
dedupe-field-region = регион
dedupe-field-organisation = компания
dedupe-field-domain = домен
dedupe-field-identifier = идентификатор
dedupe-level-same = совпадает
dedupe-level-nearly-same = почти совпадает
dedupe-level-similar = похоже
dedupe-level-different = различается
dedupe-level-same-user-name = то же имя пользователя
dedupe-level-one-digit-apart = отличие в одной цифре
dedupe-level-one-part-or-digit-apart = отличие в одной части или цифре
dedupe-level-one-character-apart = отличие в одном символе
