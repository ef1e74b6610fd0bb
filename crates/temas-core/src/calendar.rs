//! Dates as people read and type them: the Gregorian, Persian (Jalali, solar Hijri) and Hijri (Umm al-Qura)
//! calendars, in Latin, Persian or Arabic-Indic digits. Only display and input change; dates are stored as plain
//! Gregorian dates and instants as UTC.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use icu_calendar::cal::{Hijri, Persian};
use icu_calendar::{Date, Iso};

/// The calendar a user reads dates in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calendar {
    Gregorian,
    /// The Persian solar calendar (Jalali), official in Iran and Afghanistan.
    Persian,
    /// The Islamic lunar calendar as Saudi Arabia publishes it (Umm al-Qura).
    Hijri,
}

impl Calendar {
    pub fn parse(s: &str) -> Option<Calendar> {
        Some(match s {
            "gregorian" => Calendar::Gregorian,
            "persian" => Calendar::Persian,
            "hijri" => Calendar::Hijri,
            _ => return None,
        })
    }
}

/// The digits numbers are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digits {
    Latin,
    /// ۰۱۲۳۴۵۶۷۸۹
    Persian,
    /// ٠١٢٣٤٥٦٧٨٩
    Arabic,
}

impl Digits {
    pub fn parse(s: &str) -> Option<Digits> {
        Some(match s {
            "latin" => Digits::Latin,
            "persian" => Digits::Persian,
            "arabic" => Digits::Arabic,
            _ => return None,
        })
    }

    /// Writes the ASCII digits of `text` in these digits; everything else is kept.
    pub fn apply(self, text: &str) -> String {
        let zero = match self {
            Digits::Latin => return text.to_owned(),
            Digits::Persian => 0x06F0,
            Digits::Arabic => 0x0660,
        };
        text.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) if c.is_ascii_digit() => char::from_u32(zero + d).unwrap_or(c),
                _ => c,
            })
            .collect()
    }
}

/// A date's year, month and day in a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

fn iso(date: NaiveDate) -> Option<Date<Iso>> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    Date::try_new_iso(date.year(), month, day).ok()
}

fn naive(date: Date<Iso>) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        date.year().era_year_or_related_iso(),
        u32::from(date.month().ordinal),
        u32::from(date.day_of_month().0),
    )
}

/// The date in `calendar`.
pub fn to_calendar(date: NaiveDate, calendar: Calendar) -> CalendarDate {
    let fallback = CalendarDate {
        year: date.year(),
        month: date.month() as u8,
        day: date.day() as u8,
    };
    let Some(iso) = iso(date) else {
        return fallback;
    };
    let (year, month, day) = match calendar {
        Calendar::Gregorian => return fallback,
        Calendar::Persian => {
            let d = iso.to_calendar(Persian);
            (
                d.year().era_year_or_related_iso(),
                d.month().ordinal,
                d.day_of_month().0,
            )
        }
        Calendar::Hijri => {
            let d = iso.to_calendar(Hijri::new_umm_al_qura());
            (
                d.year().era_year_or_related_iso(),
                d.month().ordinal,
                d.day_of_month().0,
            )
        }
    };
    CalendarDate { year, month, day }
}

/// The Gregorian date of a day in `calendar`, or `None` when there is no such day.
pub fn from_calendar(d: CalendarDate, calendar: Calendar) -> Option<NaiveDate> {
    match calendar {
        Calendar::Gregorian => {
            NaiveDate::from_ymd_opt(d.year, u32::from(d.month), u32::from(d.day))
        }
        Calendar::Persian => naive(
            Date::try_new_persian(d.year, d.month, d.day)
                .ok()?
                .to_calendar(Iso),
        ),
        Calendar::Hijri => naive(
            Date::try_new_hijri_with_calendar(d.year, d.month, d.day, Hijri::new_umm_al_qura())
                .ok()?
                .to_calendar(Iso),
        ),
    }
}

/// The first day on or after `today` that is the anniversary of `date` in `calendar`: a birthday entered as
/// 1370/07/15 recurs every 15 Mehr, whatever the Gregorian date. A day the year lacks (30 Esfand, 29 February)
/// falls on the month's last day.
pub fn next_anniversary(
    date: NaiveDate,
    today: NaiveDate,
    calendar: Calendar,
) -> Option<NaiveDate> {
    let born = to_calendar(date, calendar);
    let this_year = to_calendar(today, calendar).year;
    (this_year..=this_year + 1)
        .filter_map(|year| {
            (0..3).find_map(|back| {
                from_calendar(
                    CalendarDate {
                        year,
                        month: born.month,
                        day: born.day.checked_sub(back)?,
                    },
                    calendar,
                )
            })
        })
        .find(|d| *d >= today)
}

/// The end of the day `now` falls on in the time zone `zone` (an IANA name; UTC when unknown), as an instant.
pub fn end_of_day(now: chrono::DateTime<chrono::Utc>, zone: &str) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let tomorrow = now.with_timezone(&tz).date_naive() + chrono::Duration::days(1);
    let midnight = tomorrow.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or(now + chrono::Duration::days(1))
}

/// The day whose daily run is due at `now`, for runs at `hour` o'clock in the time zone `zone` (an IANA name; UTC
/// when unknown): today once that hour has come, yesterday before it. A run keyed by this day happens once a day,
/// at the hour or at the first look after it.
pub fn daily_run_day(now: chrono::DateTime<chrono::Utc>, zone: &str, hour: u32) -> NaiveDate {
    use chrono::Timelike;
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let local = now.with_timezone(&tz);
    if local.hour() >= hour {
        local.date_naive()
    } else {
        local.date_naive() - chrono::Duration::days(1)
    }
}

/// `YYYY/MM/DD` in the calendar and digits (`YYYY-MM-DD` for Gregorian, as ISO writes it).
pub fn format_date(date: NaiveDate, calendar: Calendar, digits: Digits) -> String {
    let d = to_calendar(date, calendar);
    let sep = if calendar == Calendar::Gregorian {
        '-'
    } else {
        '/'
    };
    digits.apply(&format!(
        "{:04}{sep}{:02}{sep}{:02}",
        d.year, d.month, d.day
    ))
}

/// An instant as a date and `HH:MM` in the user's time zone, calendar and digits.
pub fn format_instant(
    at: DateTime<Utc>,
    zone: chrono_tz::Tz,
    calendar: Calendar,
    digits: Digits,
) -> String {
    let local = at.with_timezone(&zone);
    let date = format_date(local.date_naive(), calendar, digits);
    format!(
        "{date} {}",
        digits.apply(&local.format("%H:%M").to_string())
    )
}

/// Reads a date typed in `calendar`: year, month and day separated by `/`, `-` or `.`, in any digits
/// (`1402/07/15`, `۱۴۰۲/۰۷/۱۵`, `2023-10-07`). The reason says what is wrong.
pub fn parse_date(text: &str, calendar: Calendar) -> Result<NaiveDate, &'static str> {
    let ascii: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '\u{06F0}'..='\u{06F9}' => {
                char::from_u32(c as u32 - 0x06F0 + u32::from(b'0')).unwrap_or(c)
            }
            '\u{0660}'..='\u{0669}' => {
                char::from_u32(c as u32 - 0x0660 + u32::from(b'0')).unwrap_or(c)
            }
            _ => c,
        })
        .collect();
    let parts: Vec<&str> = ascii.split(['/', '-', '.']).map(str::trim).collect();
    let [y, m, d] = parts.as_slice() else {
        return Err("expected year, month and day, e.g. 1402/07/15");
    };
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>())
    else {
        return Err("year, month and day must be numbers");
    };
    from_calendar(CalendarDate { year, month, day }, calendar).ok_or("no such day in this calendar")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daily_run_is_due_from_its_hour_in_the_zone() {
        use chrono::TimeZone;
        let at = |h: u32, m: u32| {
            chrono::Utc
                .with_ymd_and_hms(2026, 11, 22, h, m, 0)
                .single()
                .unwrap_or_default()
        };
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default();
        assert_eq!(daily_run_day(at(2, 59), "UTC", 3), day(21));
        assert_eq!(daily_run_day(at(3, 0), "UTC", 3), day(22));
        // 23:40 UTC is already 03:10 the next day in Tehran (UTC+3:30).
        assert_eq!(daily_run_day(at(23, 40), "Asia/Tehran", 3), day(23));
        assert_eq!(daily_run_day(at(23, 0), "Asia/Tehran", 3), day(22));
        assert_eq!(daily_run_day(at(0, 0), "Nowhere/Else", 0), day(22));
    }
    use rstest::rstest;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[rstest]
    // Nowruz: 1 Farvardin is the March equinox day.
    #[case(ymd(2024, 3, 20), Calendar::Persian, (1403, 1, 1))]
    #[case(ymd(2023, 10, 7), Calendar::Persian, (1402, 7, 15))]
    #[case(ymd(2025, 3, 20), Calendar::Persian, (1403, 12, 30))]
    // 1 Ramadan 1445 in Umm al-Qura.
    #[case(ymd(2024, 3, 11), Calendar::Hijri, (1445, 9, 1))]
    #[case(ymd(2023, 10, 7), Calendar::Gregorian, (2023, 10, 7))]
    fn converts_between_calendars(
        #[case] date: NaiveDate,
        #[case] calendar: Calendar,
        #[case] expected: (i32, u8, u8),
    ) {
        let d = to_calendar(date, calendar);
        assert_eq!((d.year, d.month, d.day), expected);
        assert_eq!(from_calendar(d, calendar), Some(date));
    }

    #[rstest]
    #[case(Calendar::Gregorian, Digits::Latin, "2023-10-07")]
    #[case(Calendar::Persian, Digits::Persian, "۱۴۰۲/۰۷/۱۵")]
    #[case(Calendar::Persian, Digits::Latin, "1402/07/15")]
    #[case(Calendar::Hijri, Digits::Arabic, "١٤٤٥/٠٣/٢٢")]
    fn formats_in_calendar_and_digits(
        #[case] calendar: Calendar,
        #[case] digits: Digits,
        #[case] expected: &str,
    ) {
        assert_eq!(format_date(ymd(2023, 10, 7), calendar, digits), expected);
    }

    #[rstest]
    #[case("1402/07/15", Calendar::Persian)]
    #[case("۱۴۰۲/۷/۱۵", Calendar::Persian)]
    #[case("١٤٤٥-٠٣-٢٢", Calendar::Hijri)]
    #[case("2023.10.07", Calendar::Gregorian)]
    fn reads_dates_typed_in_any_digits(#[case] text: &str, #[case] calendar: Calendar) {
        assert_eq!(parse_date(text, calendar), Ok(ymd(2023, 10, 7)));
    }

    #[rstest]
    #[case("1402/13/01", "no such day in this calendar")]
    #[case("1402/12/31", "no such day in this calendar")]
    #[case("1402/07", "expected year, month and day, e.g. 1402/07/15")]
    #[case("x/7/15", "year, month and day must be numbers")]
    fn rejects_days_that_do_not_exist(#[case] text: &str, #[case] reason: &str) {
        assert_eq!(parse_date(text, Calendar::Persian), Err(reason));
    }

    #[test]
    fn birthdays_recur_in_the_users_calendar() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        let born = d(1991, 10, 7);
        let mehr = to_calendar(born, Calendar::Persian);
        for today in [d(2026, 9, 1), d(2026, 12, 25), d(2027, 6, 30)] {
            let next = next_anniversary(born, today, Calendar::Persian).unwrap_or_default();
            let there = to_calendar(next, Calendar::Persian);
            assert_eq!((there.month, there.day), (mehr.month, mehr.day));
            assert!(next >= today && (next - today).num_days() < 366);
        }
        // A Gregorian birthday on 29 February falls on the 28th in a common year.
        assert_eq!(
            next_anniversary(d(2000, 2, 29), d(2027, 1, 1), Calendar::Gregorian),
            Some(d(2027, 2, 28))
        );
    }

    #[test]
    fn instants_show_in_the_users_zone() {
        let at = DateTime::parse_from_rfc3339("2023-10-07T21:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            format_instant(
                at,
                chrono_tz::Asia::Tehran,
                Calendar::Persian,
                Digits::Latin
            ),
            "1402/07/16 00:30"
        );
    }
}
