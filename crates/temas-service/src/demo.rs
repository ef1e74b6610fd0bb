//! Demo data: realistic contacts, companies and interactions in English, Persian, Arabic, Russian and Turkish,
//! generated deterministically from a seed, fast enough to build a million-contact benchmark set.

use crate::{App, AppError, Session};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::sync::Arc;
use temas_core::contact::{CompanyInput, ContactInput};
use temas_core::ids::ContactId;
use temas_core::interaction::InteractionInput;
use temas_store::{NewRecord, RecordKind, StoreError};
use tokio::task::JoinHandle;

struct Locale {
    region: &'static str,
    language: &'static str,
    first_female: &'static [&'static str],
    first_male: &'static [&'static str],
    last: &'static [&'static str],
    latin_last: &'static [&'static str],
    cities: &'static [&'static str],
    companies: &'static [&'static str],
    time_zone: &'static str,
}

const LOCALES: &[Locale] = &[
    Locale {
        region: "US",
        language: "en",
        time_zone: "America/New_York",
        first_female: &[
            "Emma",
            "Olivia",
            "Sophia",
            "Mia",
            "Charlotte",
            "Amelia",
            "Grace",
            "Chloe",
            "Emily",
            "Hannah",
        ],
        first_male: &[
            "James", "John", "Robert", "Michael", "William", "David", "Daniel", "Thomas", "Andrew",
            "Ryan",
        ],
        last: &[
            "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
            "Taylor", "Clark", "Lewis", "Walker",
        ],
        latin_last: &[],
        cities: &[
            "New York", "Chicago", "Boston", "Seattle", "Austin", "Denver",
        ],
        companies: &[
            "Northwind",
            "Bluebird Logistics",
            "Summit Foods",
            "Pioneer Tools",
            "Harbor Health",
        ],
    },
    Locale {
        region: "IR",
        language: "fa",
        time_zone: "Asia/Tehran",
        first_female: &[
            "فاطمه",
            "زهرا",
            "مریم",
            "سارا",
            "نرگس",
            "لیلا",
            "مهسا",
            "الهام",
            "نازنین",
            "شیرین",
        ],
        first_male: &[
            "علی",
            "محمد",
            "رضا",
            "حسین",
            "مهدی",
            "امیر",
            "علی‌رضا",
            "محمدرضا",
            "سعید",
            "حمید",
        ],
        last: &[
            "کریمی",
            "رضایی",
            "احمدی",
            "محمدی",
            "حسینی",
            "موسوی",
            "جعفری",
            "قاسمی",
            "رحیمی",
            "کاظمی",
            "صادقی",
            "هاشمی",
        ],
        latin_last: &[
            "Karimi",
            "Rezaei",
            "Ahmadi",
            "Mohammadi",
            "Hosseini",
            "Mousavi",
            "Jafari",
            "Ghasemi",
            "Rahimi",
            "Kazemi",
            "Sadeghi",
            "Hashemi",
        ],
        cities: &["تهران", "اصفهان", "شیراز", "مشهد", "تبریز", "کرج"],
        companies: &[
            "پارس صنعت",
            "آریا تجارت",
            "نوین ارتباط",
            "سپهر پخش",
            "مهر کالا",
        ],
    },
    Locale {
        region: "SA",
        language: "ar",
        time_zone: "Asia/Riyadh",
        first_female: &[
            "فاطمة",
            "عائشة",
            "مريم",
            "نورة",
            "سارة",
            "ليلى",
            "هدى",
            "ريم",
            "أمل",
            "سلمى",
        ],
        first_male: &[
            "محمد",
            "أحمد",
            "علي",
            "عمر",
            "خالد",
            "يوسف",
            "عبدالله",
            "إبراهيم",
            "حسن",
            "فيصل",
        ],
        last: &[
            "العتيبي",
            "القحطاني",
            "الشمري",
            "الحربي",
            "الغامدي",
            "الزهراني",
            "المطيري",
            "الدوسري",
            "السبيعي",
            "العنزي",
        ],
        latin_last: &[
            "Alotaibi",
            "Alqahtani",
            "Alshammari",
            "Alharbi",
            "Alghamdi",
            "Alzahrani",
            "Almutairi",
            "Aldosari",
            "Alsubaie",
            "Alanazi",
        ],
        cities: &["الرياض", "جدة", "مكة", "الدمام", "المدينة"],
        companies: &[
            "شركة الأفق",
            "مؤسسة النخبة",
            "دار التقنية",
            "الرواد للتجارة",
            "مجموعة الصفوة",
        ],
    },
    Locale {
        region: "RU",
        language: "ru",
        time_zone: "Europe/Moscow",
        first_female: &[
            "Анна",
            "Мария",
            "Елена",
            "Ольга",
            "Наталья",
            "Татьяна",
            "Екатерина",
            "Юлия",
            "Алёна",
            "Дарья",
        ],
        first_male: &[
            "Иван",
            "Сергей",
            "Алексей",
            "Дмитрий",
            "Андрей",
            "Михаил",
            "Николай",
            "Фёдор",
            "Павел",
            "Артём",
        ],
        last: &[
            "Иванов",
            "Петров",
            "Смирнов",
            "Кузнецов",
            "Попов",
            "Соколов",
            "Лебедев",
            "Козлов",
            "Новиков",
            "Морозов",
            "Волков",
            "Фёдоров",
        ],
        latin_last: &[
            "Ivanov",
            "Petrov",
            "Smirnov",
            "Kuznetsov",
            "Popov",
            "Sokolov",
            "Lebedev",
            "Kozlov",
            "Novikov",
            "Morozov",
            "Volkov",
            "Fedorov",
        ],
        cities: &[
            "Москва",
            "Санкт-Петербург",
            "Казань",
            "Новосибирск",
            "Екатеринбург",
        ],
        companies: &[
            "Северсталь Сервис",
            "Альфа Трейд",
            "ТехноПром",
            "Вектор",
            "Гранит",
        ],
    },
    Locale {
        region: "TR",
        language: "tr",
        time_zone: "Europe/Istanbul",
        first_female: &[
            "Zeynep", "Elif", "Ayşe", "Fatma", "Emine", "Şule", "Gül", "Merve", "Büşra", "İrem",
        ],
        first_male: &[
            "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "İsmail", "Murat", "Emre", "Burak",
            "Oğuz",
        ],
        last: &[
            "Yılmaz",
            "Kaya",
            "Demir",
            "Şahin",
            "Çelik",
            "Yıldız",
            "Yıldırım",
            "Öztürk",
            "Aydın",
            "Özdemir",
            "Arslan",
            "Doğan",
        ],
        latin_last: &[
            "Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Yildiz", "Yildirim", "Ozturk", "Aydin",
            "Ozdemir", "Arslan", "Dogan",
        ],
        cities: &["İstanbul", "Ankara", "İzmir", "Bursa", "Antalya"],
        companies: &[
            "Anadolu Ticaret",
            "Boğaziçi Yazılım",
            "Ege Gıda",
            "Marmara Lojistik",
            "Kapadokya Tekstil",
        ],
    },
];

const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "mail.ru",
    "yandex.ru",
    "hotmail.com",
];

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn phone(rng: &mut StdRng, region: &str) -> String {
    let n = |rng: &mut StdRng, digits: u32| {
        format!(
            "{:0width$}",
            rng.random_range(0..10u64.pow(digits)),
            width = digits as usize
        )
    };
    match region {
        "IR" => format!(
            "09{}{} {} {}",
            pick(rng, &["12", "13", "19", "35", "01"]),
            "",
            n(rng, 3),
            n(rng, 4)
        ),
        "SA" => format!("05{} {} {}", rng.random_range(0..10), n(rng, 3), n(rng, 4)),
        "RU" => format!(
            "+7 9{} {}-{}-{}",
            n(rng, 2),
            n(rng, 3),
            n(rng, 2),
            n(rng, 2)
        ),
        "TR" => format!(
            "05{} {} {} {}",
            pick(rng, &["32", "33", "42", "05", "55"]),
            n(rng, 3),
            n(rng, 2),
            n(rng, 2)
        ),
        // 555-01xx numbers are reserved for fiction in North America.
        _ => format!(
            "+1 {} 555 01{}",
            pick(rng, &["201", "212", "312", "415", "617"]),
            n(rng, 2)
        ),
    }
}

/// The `i`-th demo contact (deterministic for a seed), linked to one of `companies`.
pub fn demo_contact(
    rng: &mut StdRng,
    i: usize,
    company: Option<temas_core::ids::CompanyId>,
) -> ContactInput {
    let locale = &LOCALES[rng.random_range(0..LOCALES.len())];
    let female = rng.random_bool(0.5);
    let first = pick(
        rng,
        if female {
            locale.first_female
        } else {
            locale.first_male
        },
    );
    let last_index = rng.random_range(0..locale.last.len());
    let last = locale.last[last_index];
    let latin_last = locale
        .latin_last
        .get(last_index)
        .copied()
        .unwrap_or(last)
        .to_lowercase();
    let latin_first =
        temas_core::normalize::transliterate(&temas_core::normalize::search_key(first))
            .replace(' ', "");
    let email = format!(
        "{}.{}{}@{}",
        latin_first,
        latin_last.replace(['ı', 'ş', 'ç', 'ğ', 'ö', 'ü'], ""),
        i,
        pick(rng, DOMAINS)
    );
    let mut input = ContactInput {
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        gender: Some(if female { "female" } else { "male" }.to_owned()),
        language: Some(locale.language.to_owned()),
        time_zone: Some(locale.time_zone.to_owned()),
        source: Some(
            pick(
                rng,
                &["import", "web_form", "referral", "event", "campaign"],
            )
            .to_owned(),
        ),
        external_id: Some(format!("demo-{i}")),
        job_title: Some(
            pick(
                rng,
                &[
                    "Manager",
                    "Engineer",
                    "Buyer",
                    "Director",
                    "Owner",
                    "Accountant",
                ],
            )
            .to_owned(),
        ),
        emails: serde_json::from_value(json!([{"address": email, "kind": "work"}]))
            .unwrap_or_default(),
        phones: serde_json::from_value(
            json!([{"number": phone(rng, locale.region), "kind": "mobile"}]),
        )
        .unwrap_or_default(),
        addresses: serde_json::from_value(
            json!([{"city": pick(rng, locale.cities), "country": locale.region}]),
        )
        .unwrap_or_default(),
        tags: if rng.random_bool(0.1) {
            vec!["vip".to_owned()]
        } else {
            vec![]
        },
        ..ContactInput::default()
    };
    if rng.random_bool(0.3) {
        let year = rng.random_range(1950..2005);
        input.birth_date = Some(format!(
            "{year}-{:02}-{:02}",
            rng.random_range(1..13),
            rng.random_range(1..29)
        ));
    }
    if let Some(c) = company {
        input.companies = vec![temas_core::contact::CompanyLink {
            company_id: c,
            role: pick(rng, &["decision_maker", "influencer", "user", "billing"]).to_owned(),
        }];
    }
    input
}

fn demo_company(rng: &mut StdRng, i: usize) -> CompanyInput {
    let locale = &LOCALES[rng.random_range(0..LOCALES.len())];
    CompanyInput {
        name: Some(format!("{} {}", pick(rng, locale.companies), i)),
        domain: Some(format!("company{i}.example.com")),
        industry: Some(
            pick(
                rng,
                &["retail", "manufacturing", "software", "logistics", "food"],
            )
            .to_owned(),
        ),
        size: Some(pick(rng, &["1-10", "11-50", "51-200", "201-1000"]).to_owned()),
        external_id: Some(format!("demo-company-{i}")),
        addresses: serde_json::from_value(
            json!([{"city": pick(rng, locale.cities), "country": locale.region}]),
        )
        .unwrap_or_default(),
        ..CompanyInput::default()
    }
}

/// How many demo orders go to the store in one transaction.
const ORDERS_PER_WRITE: usize = 2_000;

/// Rows generated so far, for progress reports.
pub type Progress<'a> = &'a (dyn Fn(usize) + Send + Sync);

impl App {
    /// Generates `contacts` demo contacts (one company per 20 contacts, one interaction per 2 contacts) and
    /// `orders` demo orders over them into the session's workspace, in batches of 1,000 contacts per transaction.
    /// Each batch's orders go to its own contacts and are written right after them, so that their rows and metrics
    /// are written while those pages are fresh.
    pub async fn generate_demo(
        &self,
        session: &Session,
        contacts: usize,
        orders: usize,
        seed: u64,
        progress: Progress<'_>,
    ) -> Result<(), AppError> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut shop = match orders {
            0 => None,
            _ => Some(self.open_demo_shop(session, seed).await?),
        };
        // Each seed gets its own range of external ids, so that runs with different seeds can be added together.
        let base = seed as usize * 100_000_000;
        let ctx = session
            .validation(self, temas_core::custom::Entity::Company)
            .await?;
        let mut company_ids = Vec::new();
        let company_count = contacts.div_ceil(20);
        for chunk_start in (0..company_count).step_by(1000) {
            let mut batch = Vec::new();
            for i in chunk_start..(chunk_start + 1000).min(company_count) {
                let record = self
                    .prepare_new::<temas_core::contact::Company>(
                        session,
                        &ctx,
                        demo_company(&mut rng, base + i),
                    )
                    .await?;
                company_ids.push(temas_core::ids::CompanyId(record.id));
                batch.push(record);
            }
            self.store
                .insert_records(RecordKind::Company, &session.viewer, batch)
                .await?;
        }
        let ctx = session
            .validation(self, temas_core::custom::Entity::Contact)
            .await?;
        let now = temas_core::time::now();
        let mut writing = None;
        for chunk_start in (0..contacts).step_by(1000) {
            let mut batch: Vec<NewRecord> = Vec::with_capacity(1000);
            for i in chunk_start..(chunk_start + 1000).min(contacts) {
                let company = company_ids.get(i / 20).copied();
                let input = demo_contact(&mut rng, base + i, company);
                batch.push(
                    self.prepare_new::<temas_core::contact::Contact>(session, &ctx, input)
                        .await?,
                );
            }
            let mut interactions = Vec::with_capacity(batch.len() / 2);
            for contact in batch.iter().step_by(2) {
                let input = InteractionInput {
                    channel: Some(
                        pick(&mut rng, &["call", "email", "meeting", "message", "note"]).to_owned(),
                    ),
                    direction: Some(pick(&mut rng, &["inbound", "outbound"]).to_owned()),
                    occurred_at: Some(
                        now - chrono::Duration::minutes(rng.random_range(0..525_600)),
                    ),
                    subject: Some(
                        pick(
                            &mut rng,
                            &[
                                "Follow-up",
                                "Price question",
                                "Demo",
                                "Order status",
                                "Welcome",
                            ],
                        )
                        .to_owned(),
                    ),
                    outcome: Some(
                        pick(
                            &mut rng,
                            &["reached", "no_answer", "interested", "follow_up"],
                        )
                        .to_owned(),
                    ),
                    contact_ids: vec![ContactId(contact.id)],
                    ..InteractionInput::default()
                };
                interactions.push(
                    self.prepare_new::<temas_core::interaction::Interaction>(session, &ctx, input)
                        .await?,
                );
            }
            let generated = batch.len();
            let customers: Vec<ContactId> = batch.iter().map(|c| ContactId(c.id)).collect();
            self.store
                .insert_records(RecordKind::Contact, &session.viewer, batch)
                .await?;
            self.store
                .insert_records(RecordKind::Interaction, &session.viewer, interactions)
                .await?;
            if let Some(shop) = shop.as_mut() {
                // This batch's share of the orders, so that they add up to `orders` exactly.
                let due =
                    orders * (chunk_start + generated) / contacts - orders * chunk_start / contacts;
                for start in (0..due).step_by(ORDERS_PER_WRITE) {
                    let count = ORDERS_PER_WRITE.min(due - start);
                    let records = self
                        .demo_orders(session, shop, &mut rng, &customers, count)
                        .await?;
                    // One write of orders stays in flight while the next ones are made.
                    settle(writing.take()).await?;
                    let store = Arc::clone(&self.store);
                    let viewer = session.viewer;
                    writing = Some(tokio::spawn(async move {
                        store
                            .insert_records(RecordKind::Order, &viewer, records)
                            .await
                    }));
                }
            }
            progress((chunk_start + generated).min(contacts));
        }
        settle(writing).await
    }
}

/// Waits for a write in flight, if there is one.
async fn settle(write: Option<JoinHandle<Result<(), StoreError>>>) -> Result<(), AppError> {
    match write {
        Some(write) => Ok(write
            .await
            .map_err(|e| AppError::Internal(format!("a demo write stopped: {e}")))??),
        None => Ok(()),
    }
}
