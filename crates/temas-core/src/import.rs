//! Import mapping: which field each column of a spreadsheet feeds, guessed from header names in English, Persian,
//! Arabic, Russian and Turkish and from the values themselves, and how a row of text becomes a contact's input.

use crate::calendar::{self, Calendar};
use crate::contact::ContactInput;
use crate::email::normalize_email;
use crate::errors::FieldErrors;
use crate::normalize::search_key;
use crate::phone::parse_phone;
use crate::points::{Address, EmailInput, Handle, PhoneInput};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What one column feeds. Written in mappings as `first_name`, `email`, `phone:work`, `handle:telegram`,
/// `custom:tier`, `ignore`, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Target {
    Ignore,
    /// A plain text field of the contact: `first_name`, `job_title`, `notes`, …
    Field(&'static str),
    /// A whole name, split into first and last when the file has no separate columns.
    FullName,
    BirthDate,
    Email,
    /// A phone number of a kind (`mobile`, `work`, `home`, `fax`, `other`).
    Phone(&'static str),
    Handle(&'static str),
    /// The name of a company the contact works for.
    Company,
    /// A part of the postal address: `street`, `city`, `region`, `postal_code`, `country`.
    Address(&'static str),
    Tags,
    Custom(String),
    /// Text that becomes an interaction of this channel on the contact's timeline (a note, a call's summary…),
    /// with the column's header as its subject.
    Interaction(&'static str),
}

const FIELDS: &[&str] = &[
    "first_name",
    "middle_name",
    "last_name",
    "display_name",
    "salutation",
    "gender",
    "job_title",
    "language",
    "time_zone",
    "notes",
    "source",
    "external_id",
];
const PHONE_KINDS: &[&str] = &["mobile", "work", "home", "fax", "other"];
const NETWORKS: &[&str] = &[
    "telegram",
    "whatsapp",
    "instagram",
    "linkedin",
    "x",
    "vk",
    "skype",
];
const ADDRESS_PARTS: &[&str] = &["street", "city", "region", "postal_code", "country"];

fn known(list: &[&'static str], name: &str) -> Option<&'static str> {
    list.iter().find(|k| **k == name).copied()
}

impl TryFrom<String> for Target {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let (head, arg) = s.split_once(':').unwrap_or((s.as_str(), ""));
        let bad = || format!("{s} is not a field a column can feed");
        Ok(match (head, arg) {
            ("ignore", "") => Target::Ignore,
            ("full_name", "") => Target::FullName,
            ("birth_date", "") => Target::BirthDate,
            ("email", "") => Target::Email,
            ("company", "") => Target::Company,
            ("tags", "") => Target::Tags,
            ("phone", "") => Target::Phone("mobile"),
            ("phone", kind) => Target::Phone(known(PHONE_KINDS, kind).ok_or_else(bad)?),
            ("handle", net) => Target::Handle(known(NETWORKS, net).ok_or_else(bad)?),
            ("custom", key) if crate::custom::is_valid_key(key) => Target::Custom(key.to_owned()),
            ("interaction", channel) => {
                Target::Interaction(known(crate::interaction::CHANNELS, channel).ok_or_else(bad)?)
            }
            (part, "") if known(ADDRESS_PARTS, part).is_some() => {
                Target::Address(known(ADDRESS_PARTS, part).ok_or_else(bad)?)
            }
            (field, "") => Target::Field(known(FIELDS, field).ok_or_else(bad)?),
            _ => return Err(bad()),
        })
    }
}

impl From<Target> for String {
    fn from(t: Target) -> String {
        match t {
            Target::Ignore => "ignore".into(),
            Target::Field(f) => f.into(),
            Target::FullName => "full_name".into(),
            Target::BirthDate => "birth_date".into(),
            Target::Email => "email".into(),
            Target::Phone(kind) => format!("phone:{kind}"),
            Target::Handle(net) => format!("handle:{net}"),
            Target::Company => "company".into(),
            Target::Address(part) => part.into(),
            Target::Tags => "tags".into(),
            Target::Custom(key) => format!("custom:{key}"),
            Target::Interaction(channel) => format!("interaction:{channel}"),
        }
    }
}

/// Every field a column can feed, in the order a mapping form offers them, then the custom fields' keys.
pub fn all_targets(custom_keys: &[String]) -> Vec<Target> {
    let mut all = vec![Target::Ignore, Target::FullName];
    all.extend(FIELDS.iter().map(|f| Target::Field(f)));
    all.extend([Target::BirthDate, Target::Email]);
    all.extend(PHONE_KINDS.iter().map(|k| Target::Phone(k)));
    all.extend([Target::Company, Target::Tags]);
    all.extend(ADDRESS_PARTS.iter().map(|p| Target::Address(p)));
    all.extend(NETWORKS.iter().map(|n| Target::Handle(n)));
    all.extend(
        crate::interaction::CHANNELS
            .iter()
            .map(|c| Target::Interaction(c)),
    );
    all.extend(custom_keys.iter().cloned().map(Target::Custom));
    all
}

/// Header names per target, in the five languages, compared after `search_key` (lower case, Arabic and Persian
/// letter variants folded, diacritics and punctuation dropped), with trailing numbers removed (`Email 2`).
const HEADERS: &[(&str, &[&str])] = &[
    (
        "first_name",
        &[
            "first name",
            "firstname",
            "given name",
            "forename",
            "نام",
            "نام کوچک",
            "الاسم الأول",
            "الاسم",
            "имя",
            "ad",
            "adı",
            "isim",
        ],
    ),
    (
        "middle_name",
        &[
            "middle name",
            "patronymic",
            "نام میانی",
            "اسم الأب",
            "отчество",
            "ikinci ad",
            "baba adı",
        ],
    ),
    (
        "last_name",
        &[
            "last name",
            "lastname",
            "surname",
            "family name",
            "نام خانوادگی",
            "فامیلی",
            "شهرت",
            "اسم العائلة",
            "الكنية",
            "اللقب",
            "фамилия",
            "soyad",
            "soyadı",
            "soyisim",
        ],
    ),
    (
        "full_name",
        &[
            "name",
            "full name",
            "contact",
            "contact name",
            "customer",
            "customer name",
            "نام و نام خانوادگی",
            "نام کامل",
            "مشتری",
            "نام مشتری",
            "الاسم الكامل",
            "اسم العميل",
            "العميل",
            "фио",
            "полное имя",
            "клиент",
            "ad soyad",
            "adı soyadı",
            "müşteri",
            "müşteri adı",
        ],
    ),
    (
        "display_name",
        &[
            "display name",
            "نام نمایشی",
            "الاسم المعروض",
            "отображаемое имя",
            "görünen ad",
        ],
    ),
    (
        "salutation",
        &[
            "salutation",
            "prefix",
            "title prefix",
            "عنوان",
            "پیشوند",
            "اللقب الشرفي",
            "обращение",
            "hitap",
        ],
    ),
    (
        "gender",
        &["gender", "sex", "جنسیت", "جنس", "الجنس", "пол", "cinsiyet"],
    ),
    (
        "birth_date",
        &[
            "birth date",
            "birthday",
            "date of birth",
            "dob",
            "birthdate",
            "تاریخ تولد",
            "تولد",
            "تاريخ الميلاد",
            "дата рождения",
            "день рождения",
            "doğum tarihi",
        ],
    ),
    (
        "job_title",
        &[
            "job title",
            "title",
            "position",
            "job",
            "سمت",
            "عنوان شغلی",
            "شغل",
            "المسمى الوظيفي",
            "الوظيفة",
            "должность",
            "unvan",
            "görev",
            "pozisyon",
            "meslek",
        ],
    ),
    ("language", &["language", "زبان", "اللغة", "язык", "dil"]),
    (
        "time_zone",
        &[
            "time zone",
            "timezone",
            "منطقه زمانی",
            "المنطقة الزمنية",
            "часовой пояс",
            "saat dilimi",
        ],
    ),
    (
        "notes",
        &[
            "notes",
            "note",
            "comments",
            "comment",
            "description",
            "remarks",
            "یادداشت",
            "توضیحات",
            "ملاحظات",
            "ملاحظة",
            "примечание",
            "примечания",
            "заметки",
            "комментарий",
            "not",
            "notlar",
            "açıklama",
        ],
    ),
    (
        "source",
        &[
            "source",
            "lead source",
            "منبع",
            "مرجع",
            "المصدر",
            "источник",
            "kaynak",
        ],
    ),
    (
        "external_id",
        &[
            "external id",
            "externalid",
            "id",
            "crm id",
            "customer id",
            "record id",
            "شناسه",
            "کد مشتری",
            "المعرف",
            "رقم العميل",
            "код",
            "идентификатор",
            "müşteri no",
            "kimlik",
        ],
    ),
    (
        "email",
        &[
            "email",
            "e mail",
            "mail",
            "email address",
            "e mail address",
            "ایمیل",
            "پست الکترونیک",
            "رایانامه",
            "البريد الإلكتروني",
            "البريد",
            "ايميل",
            "почта",
            "электронная почта",
            "эл почта",
            "e posta",
            "eposta",
        ],
    ),
    (
        "phone",
        &[
            "phone",
            "telephone",
            "tel",
            "phone number",
            "number",
            "تلفن",
            "شماره تلفن",
            "شماره",
            "تماس",
            "هاتف",
            "الهاتف",
            "رقم الهاتف",
            "телефон",
            "номер телефона",
            "тел",
            "telefon",
            "telefon no",
        ],
    ),
    (
        "phone:mobile",
        &[
            "mobile",
            "mobile phone",
            "cell",
            "cell phone",
            "موبایل",
            "همراه",
            "تلفن همراه",
            "شماره همراه",
            "جوال",
            "الجوال",
            "محمول",
            "мобильный",
            "мобильный телефон",
            "сотовый",
            "cep",
            "cep telefonu",
            "gsm",
        ],
    ),
    (
        "phone:work",
        &[
            "work phone",
            "office phone",
            "business phone",
            "تلفن محل کار",
            "تلفن کار",
            "هاتف العمل",
            "рабочий телефон",
            "iş telefonu",
        ],
    ),
    (
        "phone:home",
        &[
            "home phone",
            "تلفن منزل",
            "هاتف المنزل",
            "домашний телефон",
            "ev telefonu",
        ],
    ),
    (
        "phone:fax",
        &["fax", "فکس", "نمابر", "فاكس", "факс", "faks"],
    ),
    (
        "company",
        &[
            "company",
            "company name",
            "organization",
            "organisation",
            "account",
            "account name",
            "employer",
            "شرکت",
            "نام شرکت",
            "سازمان",
            "الشركة",
            "اسم الشركة",
            "المؤسسة",
            "компания",
            "организация",
            "şirket",
            "firma",
            "kurum",
        ],
    ),
    (
        "street",
        &[
            "street",
            "address",
            "street address",
            "آدرس",
            "نشانی",
            "خیابان",
            "العنوان",
            "الشارع",
            "адрес",
            "улица",
            "adres",
            "sokak",
        ],
    ),
    (
        "city",
        &[
            "city",
            "town",
            "شهر",
            "المدينة",
            "город",
            "şehir",
            "il",
            "ilçe",
        ],
    ),
    (
        "region",
        &[
            "region",
            "state",
            "province",
            "county",
            "استان",
            "المنطقة",
            "المحافظة",
            "регион",
            "область",
            "bölge",
            "eyalet",
        ],
    ),
    (
        "postal_code",
        &[
            "postal code",
            "zip",
            "zip code",
            "postcode",
            "کد پستی",
            "الرمز البريدي",
            "почтовый индекс",
            "индекс",
            "posta kodu",
        ],
    ),
    (
        "country",
        &["country", "کشور", "الدولة", "البلد", "страна", "ülke"],
    ),
    (
        "tags",
        &[
            "tags",
            "tag",
            "labels",
            "label",
            "برچسب",
            "برچسب ها",
            "الوسوم",
            "الوسم",
            "теги",
            "метки",
            "etiketler",
            "etiket",
        ],
    ),
    (
        "handle:telegram",
        &["telegram", "تلگرام", "تيليجرام", "телеграм", "телеграмм"],
    ),
    (
        "handle:whatsapp",
        &["whatsapp", "واتساپ", "واتس اپ", "واتساب", "ватсап"],
    ),
    (
        "handle:instagram",
        &["instagram", "اینستاگرام", "انستقرام", "инстаграм"],
    ),
    (
        "handle:linkedin",
        &["linkedin", "لینکدین", "لينكد إن", "линкедин"],
    ),
];

/// A header as headers are compared: search key without trailing numbering.
fn header_key(header: &str) -> String {
    let key = search_key(header);
    key.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '#')
        .trim()
        .to_owned()
}

/// The target a header names, if any. `custom` are the workspace's custom field (key, label) pairs.
pub fn target_for_header(header: &str, custom: &[(String, String)]) -> Option<Target> {
    // A header that is a field's own name (as exports write them) is that field.
    match Target::try_from(header.trim().to_owned()) {
        Ok(Target::Custom(k)) if custom.iter().any(|(key, _)| *key == k) => {
            return Some(Target::Custom(k));
        }
        Ok(Target::Custom(_)) | Err(_) => {}
        Ok(t) => return Some(t),
    }
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    if let Some((k, _)) = custom
        .iter()
        .find(|(k, label)| header_key(k) == key || header_key(label) == key)
    {
        return Some(Target::Custom(k.clone()));
    }
    HEADERS
        .iter()
        .find(|(_, names)| names.iter().any(|n| search_key(n) == key))
        .and_then(|(target, _)| Target::try_from((*target).to_owned()).ok())
}

/// The key a new custom field gets from a column's header: transliterated to Latin, lower case, words joined by
/// `_` (`Shoe size` → `shoe_size`, `رنگ مورد علاقه` → a Latin spelling). `None` when nothing usable is left.
pub fn field_key_for_header(header: &str) -> Option<String> {
    let latin = crate::normalize::transliterate(&search_key(header));
    let mut key = String::new();
    for c in latin.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    let mut key = key.trim_end_matches('_').to_owned();
    key.truncate(40);
    let key = key.trim_end_matches('_').to_owned();
    if key.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(format!("f_{key}")).filter(|k| crate::custom::is_valid_key(k));
    }
    Some(key).filter(|k| crate::custom::is_valid_key(k))
}

/// What the values of a column look like: mostly emails, phones or dates.
fn target_for_values(values: &[&str], region: Option<phonenumber::country::Id>) -> Option<Target> {
    let filled: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if filled.is_empty() {
        return None;
    }
    let most = |ok: usize| ok * 10 >= filled.len() * 8;
    let emails = filled
        .iter()
        .filter(|v| v.contains('@') && normalize_email(v).is_ok())
        .count();
    if most(emails) {
        return Some(Target::Email);
    }
    let dates = filled
        .iter()
        .filter(|v| parse_any_date(v, DateOrder::DayFirst, Calendar::Gregorian).is_ok())
        .count();
    if most(dates) {
        return Some(Target::BirthDate);
    }
    let phones = filled
        .iter()
        .filter(|v| {
            v.chars().filter(char::is_ascii_digit).count() >= 7 && parse_phone(v, region).is_some()
        })
        .count();
    if most(phones) {
        return Some(Target::Phone("mobile"));
    }
    None
}

/// Guesses every column's target from its header and, failing that, from sample values. A target that takes one
/// value (a first name, say) is given to the first column that claims it; later ones are left for the user.
pub fn suggest(
    headers: &[String],
    samples: &[Vec<String>],
    custom: &[(String, String)],
    region: Option<phonenumber::country::Id>,
) -> Vec<Target> {
    let mut taken: Vec<Target> = Vec::new();
    let mut out = Vec::with_capacity(headers.len());
    for (i, header) in headers.iter().enumerate() {
        let values: Vec<&str> = samples
            .iter()
            .filter_map(|r| r.get(i).map(String::as_str))
            .collect();
        let guess =
            target_for_header(header, custom).or_else(|| target_for_values(&values, region));
        let target = match guess {
            Some(t) if t.repeats() || !taken.contains(&t) => t,
            _ => Target::Ignore,
        };
        taken.push(target.clone());
        out.push(target);
    }
    out
}

impl Target {
    /// Whether several columns may feed this target (Email 1, Email 2, …).
    fn repeats(&self) -> bool {
        matches!(
            self,
            Target::Email
                | Target::Phone(_)
                | Target::Handle(_)
                | Target::Tags
                | Target::Field("notes")
        )
    }
}

/// The order of day and month in dates written with slashes or dots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// 07/10/2023 is 7 October (most of the world).
    DayFirst,
    /// 07/10/2023 is 10 July (the United States).
    MonthFirst,
}

/// Parses a date as spreadsheets write it: ISO `2023-10-07` (with or without a time), `07.10.2023`,
/// `07/10/2023` in `order`, or a year-first date in another calendar such as Jalali `1402/07/15` (a year below
/// 1700 is read in `calendar`, or in the Persian calendar when `calendar` is Gregorian). Digits may be Persian or
/// Arabic-Indic.
pub fn parse_any_date(
    text: &str,
    order: DateOrder,
    calendar: Calendar,
) -> Result<chrono::NaiveDate, &'static str> {
    let text = text.trim();
    let date_part = text.split(['T', ' ']).next().unwrap_or(text);
    let ascii: String = date_part
        .chars()
        .map(|c| match c {
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            _ => c,
        })
        .collect();
    let parts: Vec<&str> = ascii.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err("not a date: expected day, month and year");
    };
    if a.len() == 4 {
        let year: i32 = a.parse().map_err(|_| "not a date")?;
        let in_calendar = if year < 1700 {
            match calendar {
                Calendar::Gregorian => Calendar::Persian,
                other => other,
            }
        } else {
            Calendar::Gregorian
        };
        return calendar::parse_date(&format!("{a}/{b}/{c}"), in_calendar);
    }
    if c.len() != 4 {
        return Err("not a date: the year needs four digits");
    }
    let (day, month) = match order {
        DateOrder::DayFirst => (a, b),
        DateOrder::MonthFirst => (b, a),
    };
    calendar::parse_date(&format!("{c}/{month}/{day}"), Calendar::Gregorian)
}

/// How rows are read: the region for phone numbers, and how dates are written.
#[derive(Debug, Clone, Copy)]
pub struct RowContext {
    pub region: Option<phonenumber::country::Id>,
    pub date_order: DateOrder,
    pub calendar: Calendar,
}

/// A row turned into a contact's input, with the name of the company it links to, if any.
#[derive(Debug, Clone, Default)]
pub struct MappedRow {
    pub input: ContactInput,
    pub company: Option<String>,
    /// Interactions to log on the contact.
    pub interactions: Vec<RowInteraction>,
}

/// An interaction a row brings from a column mapped to `interaction:CHANNEL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowInteraction {
    pub channel: &'static str,
    /// The column's header.
    pub subject: String,
    pub body: String,
}

impl MappedRow {
    /// Whether the row holds nothing to import.
    pub fn is_empty(&self) -> bool {
        let i = &self.input;
        i.first_name.is_none()
            && i.last_name.is_none()
            && i.display_name.is_none()
            && i.emails.is_empty()
            && i.phones.is_empty()
            && self.company.is_none()
    }
}

/// Characters that make a spreadsheet treat a cell as a formula.
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// A cell as written to an exported spreadsheet: text that a spreadsheet would run as a formula gets a leading
/// apostrophe (`=HYPERLINK(…)` becomes `'=HYPERLINK(…)`), which spreadsheets show as text.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The reverse of [`spreadsheet_safe`] for cells read back in, so that an exported file imports unchanged.
pub fn from_spreadsheet(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => text,
    }
}

/// Splits a list typed in one cell: `vip, expo; 2024` or Persian `vip، expo`.
fn split_list(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split([',', ';', '،', '؛', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Turns a row into a contact's input. Errors name the column's header; what can only be checked against the
/// workspace (custom field types, owners) is checked when the input is validated.
pub fn map_row(
    targets: &[Target],
    headers: &[String],
    cells: &[String],
    ctx: &RowContext,
) -> Result<MappedRow, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut row = MappedRow::default();
    let mut plain: Map<String, Value> = Map::new();
    let mut address = Address::default();
    let mut has_address = false;
    let mut full_name: Option<String> = None;
    for ((target, header), cell) in targets.iter().zip(headers).zip(cells) {
        let text = from_spreadsheet(cell.trim());
        if text.is_empty() {
            continue;
        }
        let i = &mut row.input;
        match target {
            Target::Ignore => {}
            Target::Field("notes") => {
                let joined = match plain.get("notes").and_then(Value::as_str) {
                    Some(before) => format!("{before}\n{text}"),
                    None => text.to_owned(),
                };
                plain.insert("notes".into(), Value::String(joined));
            }
            Target::Field(f) => {
                plain.insert((*f).to_owned(), Value::String(text.to_owned()));
            }
            Target::FullName => full_name = Some(text.to_owned()),
            Target::BirthDate => match parse_any_date(text, ctx.date_order, ctx.calendar) {
                Ok(d) => i.birth_date = Some(d.format("%Y-%m-%d").to_string()),
                Err(reason) => errors.add(header.clone(), "invalid_date", reason),
            },
            Target::Email => {
                for address in split_list(text) {
                    i.emails.push(EmailInput {
                        address,
                        kind: "work".into(),
                        primary: i.emails.is_empty(),
                        opted_out: false,
                    });
                }
            }
            Target::Phone(kind) => i.phones.push(PhoneInput {
                number: text.to_owned(),
                kind: (*kind).to_owned(),
                primary: i.phones.is_empty(),
                opted_out: false,
            }),
            Target::Handle(network) => i.handles.push(Handle {
                network: (*network).to_owned(),
                value: text.to_owned(),
            }),
            Target::Company => row.company = Some(text.to_owned()),
            Target::Address(part) => {
                has_address = true;
                let value = Some(text.to_owned());
                match *part {
                    "street" => address.street = value,
                    "city" => address.city = value,
                    "region" => address.region = value,
                    "postal_code" => address.postal_code = value,
                    _ => address.country = value,
                }
            }
            Target::Tags => i.tags.extend(split_list(text)),
            Target::Interaction(channel) => {
                row.interactions.push(RowInteraction {
                    channel,
                    subject: header.trim().to_owned(),
                    body: text.to_owned(),
                });
            }
            Target::Custom(key) => {
                i.custom.insert(key.clone(), Value::String(text.to_owned()));
            }
        }
    }
    for (key, value) in plain {
        let text = value.as_str().map(str::to_owned);
        let i = &mut row.input;
        match key.as_str() {
            "first_name" => i.first_name = text,
            "middle_name" => i.middle_name = text,
            "last_name" => i.last_name = text,
            "display_name" => i.display_name = text,
            "salutation" => i.salutation = text,
            "gender" => i.gender = text.map(|g| gender_of(&g)),
            "job_title" => i.job_title = text,
            "language" => i.language = text,
            "time_zone" => i.time_zone = text,
            "notes" => i.notes = text,
            "source" => i.source = text,
            _ => i.external_id = text,
        }
    }
    if let Some(full) = full_name {
        let i = &mut row.input;
        if i.first_name.is_none() && i.last_name.is_none() {
            let mut words = full.split_whitespace();
            let first = words.next().map(str::to_owned);
            let rest: Vec<&str> = words.collect();
            i.first_name = first;
            i.last_name = (!rest.is_empty()).then(|| rest.join(" "));
        }
        if i.display_name.is_none() {
            i.display_name = Some(full);
        }
    }
    if has_address {
        address.kind = "work".into();
        row.input.addresses.push(address);
    }
    errors.into_result(row)
}

/// Gender as written in the five languages, as the contact stores it; anything else is kept for validation to
/// name.
fn gender_of(text: &str) -> String {
    match search_key(text).as_str() {
        "f" | "female" | "woman" | "زن" | "خانم" | "مونث" | "انثى" | "أنثى" | "امراة" | "ж"
        | "жен" | "женский" | "kadın" | "k" => "female".into(),
        "m" | "male" | "man" | "مرد" | "آقا" | "اقا" | "مذکر" | "ذكر" | "رجل" | "м" | "муж"
        | "мужской" | "erkek" | "e" => "male".into(),
        _ => text.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn every_target_offered_reads_back_as_itself() {
        let all = all_targets(&["tier".to_owned()]);
        assert_eq!(all[0], Target::Ignore);
        assert!(all.contains(&Target::Custom("tier".into())));
        for t in all {
            let text = String::from(t.clone());
            assert_eq!(Target::try_from(text.clone()), Ok(t), "{text}");
        }
    }

    #[test]
    fn headers_in_five_languages_find_their_fields() {
        let cases = [
            ("Email 2", "email"),
            ("E-posta", "email"),
            ("ایمیل", "email"),
            ("البريد الإلكتروني", "email"),
            ("Почта", "email"),
            ("نام خانوادگی", "last_name"),
            ("Фамилия", "last_name"),
            ("Soyadı", "last_name"),
            ("ФИО", "full_name"),
            ("نام و نام خانوادگی", "full_name"),
            ("Cep Telefonu", "phone:mobile"),
            ("تلفن همراه", "phone:mobile"),
            ("Work phone", "phone:work"),
            ("شرکت", "company"),
            ("Şehir", "city"),
            ("تاريخ الميلاد", "birth_date"),
            ("Отчество", "middle_name"),
            ("Telegram", "handle:telegram"),
            ("external_id", "external_id"),
        ];
        for (header, expected) in cases {
            let got = target_for_header(header, &[]).map(String::from);
            assert_eq!(got.as_deref(), Some(expected), "{header}");
        }
        let custom = vec![("tier".to_owned(), "Loyalty tier".to_owned())];
        assert_eq!(
            target_for_header("loyalty TIER", &custom),
            Some(Target::Custom("tier".into()))
        );
        assert_eq!(target_for_header("Shoe size", &[]), None);
    }

    #[test]
    fn unnamed_columns_are_guessed_from_their_values() {
        let hs = headers(&["A", "B", "C", "D"]);
        let samples = vec![
            vec![
                "ali@example.ir".into(),
                "0912 345 6789".into(),
                "1369/01/01".into(),
                "x".into(),
            ],
            vec![
                "olga@example.ru".into(),
                "+7 912 345-67-89".into(),
                "21.03.1990".into(),
                "y".into(),
            ],
        ];
        let region = crate::phone::parse_region("IR");
        let got: Vec<String> = suggest(&hs, &samples, &[], region)
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(got, ["email", "phone:mobile", "birth_date", "ignore"]);
    }

    #[test]
    fn single_valued_targets_go_to_the_first_column_only() {
        let hs = headers(&["First name", "Name", "Email", "Email 2", "First name"]);
        let got: Vec<String> = suggest(&hs, &[], &[], None)
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(got, ["first_name", "full_name", "email", "email", "ignore"]);
    }

    #[test]
    fn dates_in_every_common_shape() {
        use chrono::NaiveDate;
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let g = Calendar::Gregorian;
        assert_eq!(
            parse_any_date("2023-10-07", DateOrder::DayFirst, g),
            Ok(d(2023, 10, 7))
        );
        assert_eq!(
            parse_any_date("2023-10-07T00:00:00", DateOrder::DayFirst, g),
            Ok(d(2023, 10, 7))
        );
        assert_eq!(
            parse_any_date("07.10.2023", DateOrder::DayFirst, g),
            Ok(d(2023, 10, 7))
        );
        assert_eq!(
            parse_any_date("07/10/2023", DateOrder::DayFirst, g),
            Ok(d(2023, 10, 7))
        );
        assert_eq!(
            parse_any_date("10/07/2023", DateOrder::MonthFirst, g),
            Ok(d(2023, 10, 7))
        );
        assert_eq!(
            parse_any_date("1402/07/15", DateOrder::DayFirst, g),
            Ok(d(2023, 10, 7))
        );
        assert_eq!(
            parse_any_date("۱۴۰۲/۰۷/۱۵", DateOrder::DayFirst, g),
            Ok(d(2023, 10, 7))
        );
        assert_eq!(
            parse_any_date("1445/09/01", DateOrder::DayFirst, Calendar::Hijri),
            Ok(d(2024, 3, 11))
        );
        assert!(parse_any_date("31/02/2023", DateOrder::DayFirst, g).is_err());
        assert!(parse_any_date("next week", DateOrder::DayFirst, g).is_err());
    }

    #[test]
    fn a_row_becomes_a_contact_with_repeated_fields_and_a_company() {
        let hs = headers(&[
            "ФИО",
            "Email 1",
            "Email 2",
            "Mobile",
            "Work phone",
            "Company",
            "City",
            "Tags",
            "Birthday",
            "Пол",
        ]);
        let targets = suggest(&hs, &[], &[], None);
        let cells: Vec<String> = [
            "Ольга Петровна Иванова",
            "olga@example.ru",
            "o.ivanova@work.example",
            "+7 912 345-67-89",
            "+7 495 123-45-67",
            "ООО Ромашка",
            "Москва",
            "vip; expo",
            "21.03.1990",
            "Ж",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let ctx = RowContext {
            region: crate::phone::parse_region("RU"),
            date_order: DateOrder::DayFirst,
            calendar: Calendar::Gregorian,
        };
        let row = map_row(&targets, &hs, &cells, &ctx).expect("maps");
        let i = &row.input;
        assert_eq!(i.first_name.as_deref(), Some("Ольга"));
        assert_eq!(i.last_name.as_deref(), Some("Петровна Иванова"));
        assert_eq!(i.display_name.as_deref(), Some("Ольга Петровна Иванова"));
        assert_eq!(i.emails.len(), 2);
        assert!(i.emails[0].primary && !i.emails[1].primary);
        assert_eq!(
            (i.phones[0].kind.as_str(), i.phones[1].kind.as_str()),
            ("mobile", "work")
        );
        assert_eq!(row.company.as_deref(), Some("ООО Ромашка"));
        assert_eq!(i.addresses[0].city.as_deref(), Some("Москва"));
        assert_eq!(i.tags, ["vip", "expo"]);
        assert_eq!(i.birth_date.as_deref(), Some("1990-03-21"));
        assert_eq!(i.gender.as_deref(), Some("female"));
    }

    #[test]
    fn unknown_headers_give_custom_field_keys() {
        assert_eq!(
            field_key_for_header("Shoe size").as_deref(),
            Some("shoe_size")
        );
        assert_eq!(
            field_key_for_header("  VAT no. (EU) ").as_deref(),
            Some("vat_no_eu")
        );
        assert_eq!(
            field_key_for_header("2nd phone").as_deref(),
            Some("f_2nd_phone")
        );
        let persian = field_key_for_header("رنگ مورد علاقه").expect("a key");
        assert!(persian.is_ascii() && persian.contains('_'), "{persian}");
        assert_eq!(field_key_for_header("!!!"), None);
    }

    #[test]
    fn formulas_are_neutralised_on_export_and_restored_on_import() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+7 912 345-67-89", "'+7 912 345-67-89"),
            ("-5", "'-5"),
            ("@ali", "'@ali"),
            ("\tx", "'\tx"),
            ("Ali", "Ali"),
            ("'quoted'", "'quoted'"),
        ] {
            assert_eq!(spreadsheet_safe(cell), safe);
            assert_eq!(from_spreadsheet(&spreadsheet_safe(cell)), cell);
        }
    }

    #[test]
    fn a_bad_date_names_its_column_and_targets_round_trip_as_text() {
        let hs = headers(&["Name", "تاریخ تولد"]);
        let targets = suggest(&hs, &[], &[], None);
        let cells = vec!["علی".to_owned(), "دیروز".to_owned()];
        let ctx = RowContext {
            region: None,
            date_order: DateOrder::DayFirst,
            calendar: Calendar::Persian,
        };
        let errors = map_row(&targets, &hs, &cells, &ctx).expect_err("bad date");
        assert_eq!(errors.0[0].field, "تاریخ تولد");
        for text in [
            "phone:work",
            "handle:telegram",
            "custom:tier",
            "city",
            "notes",
            "ignore",
        ] {
            let t = Target::try_from(text.to_owned()).expect("valid");
            assert_eq!(String::from(t), text);
        }
        assert!(Target::try_from("phone:pager".to_owned()).is_err());
        assert!(Target::try_from("shoe_size".to_owned()).is_err());
    }
}
