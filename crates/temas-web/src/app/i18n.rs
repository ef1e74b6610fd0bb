//! Interface translations (Fluent, with CLDR plural rules) for English, Persian, Arabic, Russian and Turkish, and
//! the page's direction.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;
use temas_core::calendar::Digits;

/// The interface languages, English first (the fallback).
pub const LANGUAGES: [&str; 5] = ["en", "fa", "ar", "ru", "tr"];

const SOURCES: [(&str, &str); 5] = [
    ("en", include_str!("../../locales/en.ftl")),
    ("fa", include_str!("../../locales/fa.ftl")),
    ("ar", include_str!("../../locales/ar.ftl")),
    ("ru", include_str!("../../locales/ru.ftl")),
    ("tr", include_str!("../../locales/tr.ftl")),
];

struct Catalog(Vec<(&'static str, FluentBundle<FluentResource>)>);

/// The translations are compiled in; a syntax error in one is caught by this module's tests.
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        Catalog(
            SOURCES
                .iter()
                .map(|(lang, source)| {
                    let resource = FluentResource::try_new((*source).to_owned())
                        .unwrap_or_else(|(partial, _errors)| partial);
                    let id = lang.parse().unwrap_or_default();
                    let mut bundle = FluentBundle::new_concurrent(vec![id]);
                    // Overrides of the same id cannot happen: each language has one resource.
                    let _ = bundle.add_resource(resource);
                    (*lang, bundle)
                })
                .collect(),
        )
    })
}

/// Translations for one language, writing numbers in the user's digits.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    lang: &'static str,
    digits: Digits,
}

impl Tr {
    /// The language's translations; an unknown language falls back to English.
    pub fn new(lang: &str, digits: Digits) -> Self {
        let lang = LANGUAGES
            .iter()
            .find(|l| **l == lang)
            .copied()
            .unwrap_or("en");
        Self { lang, digits }
    }

    pub fn lang(&self) -> &'static str {
        self.lang
    }

    /// `rtl` for Persian and Arabic.
    pub fn dir(&self) -> &'static str {
        if matches!(self.lang, "fa" | "ar") {
            "rtl"
        } else {
            "ltr"
        }
    }

    pub fn digits(&self) -> Digits {
        self.digits
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// A field's validation message in the user's language when its code has one (`err-<code>`), else the
    /// service's own (English) message, which is more specific than nothing.
    pub fn field_error(&self, error: &temas_core::FieldError) -> String {
        self.t_or(&format!("err-{}", error.code), &error.message)
    }

    /// The message `id` when the catalogue has it, else `fallback` as it is (values users typed, such as a phone's
    /// kind, have a translation only when they are one of the usual ones).
    pub fn t_or(&self, id: &str, fallback: &str) -> String {
        let known = catalog().0.iter().any(|(_, bundle)| bundle.has_message(id));
        if known {
            self.t(id)
        } else {
            fallback.to_owned()
        }
    }

    /// The message `id` with one text argument.
    pub fn t_with(&self, id: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value));
        self.format(id, Some(&args))
    }

    /// The message `id` with a count, which also picks the plural form.
    pub fn t_count(&self, id: &str, name: &str, count: i64) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(count));
        self.format(id, Some(&args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let bundles = &catalog().0;
        let found = [self.lang, "en"].iter().find_map(|lang| {
            let (_, bundle) = bundles.iter().find(|(l, _)| l == lang)?;
            let pattern = bundle.get_message(id)?.value()?;
            let mut errors = Vec::new();
            Some(
                bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned(),
            )
        });
        match found {
            Some(text) => self.localize_placeables(&text),
            None => id.to_owned(),
        }
    }

    /// Fluent wraps each placeable in isolation marks (FSI … PDI); numbers inside them are written in the user's
    /// digits, while digits that are part of the message itself are left alone.
    fn localize_placeables(&self, text: &str) -> String {
        if self.digits == Digits::Latin {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find('\u{2068}') {
            let (before, from) = rest.split_at(start);
            out.push_str(before);
            let end = from
                .find('\u{2069}')
                .map_or(from.len(), |e| e + '\u{2069}'.len_utf8());
            out.push_str(&self.digits.apply(&from[..end]));
            rest = &from[end..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast::Entry;

    fn ids(source: &str) -> Vec<String> {
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("syntax errors: {errors:?}"));
        resource
            .entries()
            .filter_map(|e| match e {
                Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_translates_every_message() {
        let english = ids(SOURCES[0].1);
        for (lang, source) in &SOURCES[1..] {
            let theirs = ids(source);
            let missing: Vec<_> = english.iter().filter(|id| !theirs.contains(id)).collect();
            let extra: Vec<_> = theirs.iter().filter(|id| !english.contains(id)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    fn plain(s: String) -> String {
        s.replace(['\u{2068}', '\u{2069}'], "")
    }

    #[test]
    fn plural_forms_follow_each_language() {
        let ru = Tr::new("ru", Digits::Latin);
        assert_eq!(
            plain(ru.t_count("card-interactions", "count", 1)),
            "1 взаимодействие"
        );
        assert_eq!(
            plain(ru.t_count("card-interactions", "count", 3)),
            "3 взаимодействия"
        );
        assert_eq!(
            plain(ru.t_count("card-interactions", "count", 11)),
            "11 взаимодействий"
        );
        assert_eq!(
            plain(ru.t_count("card-interactions", "count", 21)),
            "21 взаимодействие"
        );
        let ar = Tr::new("ar", Digits::Latin);
        assert_eq!(plain(ar.t_count("card-interactions", "count", 2)), "تواصلان");
        assert_eq!(
            plain(ar.t_count("card-interactions", "count", 5)),
            "5 تواصلات"
        );
        assert_eq!(
            plain(ar.t_count("card-interactions", "count", 11)),
            "11 تواصلًا"
        );
        let en = Tr::new("en", Digits::Latin);
        assert_eq!(
            plain(en.t_count("card-interactions", "count", 1)),
            "One interaction"
        );
    }

    #[test]
    fn numbers_in_messages_use_the_users_digits() {
        let fa = Tr::new("fa", Digits::Persian);
        assert_eq!(
            plain(fa.t_count("card-interactions", "count", 12)),
            "۱۲ تعامل"
        );
        // Digits written in the message itself stay as they are.
        assert_eq!(fa.t("digits-latin"), "لاتین 0123456789");
    }

    #[test]
    fn unknown_languages_and_messages_fall_back() {
        assert_eq!(Tr::new("xx", Digits::Latin).t("nav-contacts"), "Contacts");
        assert_eq!(
            Tr::new("fa", Digits::Latin).t("no-such-message"),
            "no-such-message"
        );
        assert_eq!(Tr::new("fa", Digits::Latin).dir(), "rtl");
        assert_eq!(Tr::new("tr", Digits::Latin).dir(), "ltr");
    }
}
