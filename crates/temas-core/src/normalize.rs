//! Text normalisation for search, matching and duplicate detection.
//!
//! One function, [`search_key`], turns any user text into a comparable key: NFKC, Arabic and Persian letter
//! variants unified, tashkeel and tatweel removed, Arabic-Indic and Persian digits made ASCII, Turkish dotted and
//! dotless i folded together, Russian ё→е, Latin diacritics dropped, punctuation turned into spaces.
//! [`transliterate`] gives a Latin key for non-Latin text so that cross-script searches can match.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

const ZWNJ: char = '\u{200C}';

/// Maps a digit in any of the Arabic-Indic or Persian (extended Arabic-Indic) forms to ASCII.
pub fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
        '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
        _ => None,
    }
}

/// Replaces Arabic-Indic and Persian digits with ASCII digits and leaves everything else alone.
pub fn ascii_digits(text: &str) -> String {
    text.chars().map(|c| ascii_digit(c).unwrap_or(c)).collect()
}

/// Unifies one Arabic-script letter with its Persian or bare form. `None` drops the character (tashkeel, tatweel).
fn unify_arabic(c: char) -> Option<char> {
    match c {
        'ي' | 'ى' | 'ئ' => Some('ی'),
        'ك' => Some('ک'),
        'ة' | 'ۀ' => Some('ه'),
        'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
        'ؤ' => Some('و'),
        '\u{0640}' => None,                           // tatweel
        '\u{064B}'..='\u{065F}' | '\u{0670}' => None, // tashkeel, superscript alef
        _ => Some(c),
    }
}

/// Lower-cases one character so that every Turkish and non-Turkish form of i meets: İ, I, ı and i all become i.
fn fold_case(c: char, out: &mut String) {
    match c {
        'İ' | 'I' | 'ı' => out.push('i'),
        'ё' | 'Ё' => out.push('е'),
        _ => out.extend(c.to_lowercase()),
    }
}

/// Drops combining marks that sit on Latin letters (é→e, ş→s, ğ→g) but keeps those that make a different letter in
/// other scripts (Cyrillic й stays й).
fn fold_latin_diacritics(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_base_is_latin = false;
    for c in text.nfd() {
        if is_combining_mark(c) {
            if !last_base_is_latin {
                out.push(c);
            }
            continue;
        }
        last_base_is_latin = c.is_ascii_alphabetic();
        out.push(c);
    }
    out.nfc().collect()
}

/// Options for [`search_key_with`]: how a zero-width non-joiner is read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Zwnj {
    /// The two parts are written as one word (the key drops the ZWNJ).
    Join,
    /// The two parts are two words (the key puts a space).
    Space,
}

/// The normalised key of a text: see the module documentation. Words are separated by one ASCII space.
pub fn search_key(text: &str) -> String {
    search_key_with(text, Zwnj::Join)
}

pub fn search_key_with(text: &str, zwnj: Zwnj) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfkc() {
        if c == ZWNJ {
            if zwnj == Zwnj::Space {
                folded.push(' ');
            }
            continue;
        }
        if let Some(d) = ascii_digit(c) {
            folded.push(d);
            continue;
        }
        let Some(c) = unify_arabic(c) else { continue };
        fold_case(c, &mut folded);
    }
    let folded = fold_latin_diacritics(&folded);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        let keep = c.is_alphanumeric() || is_combining_mark(c) || c == '@' || c == '.' || c == '+';
        if keep {
            out.push(c);
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    trim_word_punctuation(out.trim_end())
}

/// Removes dots and plus signs that stand at word edges ("a. b." → "a b"), keeping them inside words so that email
/// addresses and domains stay searchable as typed.
fn trim_word_punctuation(text: &str) -> String {
    text.split(' ')
        .map(|w| w.trim_matches(|c| c == '.' || c == '+'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when the text contains a letter outside the Latin script.
pub fn has_non_latin(text: &str) -> bool {
    text.chars().any(|c| c.is_alphabetic() && !c.is_ascii())
}

/// A Latin transliteration of a key, lower case, words separated by spaces. Cyrillic is transliterated
/// letter by letter; Arabic-script letters get their common Latin consonant values (vowels are mostly unwritten
/// there, so the key is a consonant skeleton for those words).
pub fn transliterate(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        match arabic_latin(c) {
            Some(latin) => out.push_str(latin),
            None => {
                let mut buf = [0u8; 4];
                out.push_str(&deunicode::deunicode(c.encode_utf8(&mut buf)).to_lowercase());
            }
        }
    }
    out.split(|c: char| !c.is_ascii_alphanumeric() && c != '@' && c != '.')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Common Latin spellings of Persian/Arabic letters, as used in names ("رضا" → "rza", "محمد" → "mhmd").
fn arabic_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'ا' => "a",
        'ب' => "b",
        'پ' => "p",
        'ت' | 'ط' => "t",
        'ث' | 'س' | 'ص' => "s",
        'ج' => "j",
        'چ' => "ch",
        'ح' | 'ه' => "h",
        'خ' => "kh",
        'د' => "d",
        'ذ' | 'ز' | 'ض' | 'ظ' => "z",
        'ر' => "r",
        'ژ' => "zh",
        'ش' => "sh",
        'ع' => "a",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "gh",
        'ک' => "k",
        'گ' => "g",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'و' => "v",
        'ی' => "i",
        'ء' => "",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::arabic_yeh_and_kaf("علي كريمي", "علی کریمی")]
    #[case::alef_maksura("مصطفى", "مصطفی")]
    #[case::teh_marbuta("فاطمة", "فاطمه")]
    #[case::hamza_alefs("أحمد إبراهيم آرش", "احمد ابراهیم ارش")]
    #[case::waw_hamza("مؤمن", "مومن")]
    #[case::tashkeel("مُحَمَّد", "محمد")]
    #[case::tatweel("محـــمد", "محمد")]
    #[case::persian_digits("۰۹۱۲ ۳۴۵", "0912 345")]
    #[case::arabic_indic_digits("٠٩١٢", "0912")]
    #[case::zwnj_joins("علی‌رضا", "علیرضا")]
    #[case::turkish_dotted_capital("İSTANBUL", "istanbul")]
    #[case::turkish_dotless("ıspanak", "ispanak")]
    #[case::ascii_capital_i("IĞDIR", "igdir")]
    #[case::turkish_letters("Şükrü Öztürk Çağlar", "sukru ozturk caglar")]
    #[case::russian_yo("Фёдор", "федор")]
    #[case::russian_short_i_kept("Андрей", "андрей")]
    #[case::latin_diacritics("José Müller", "jose muller")]
    #[case::punctuation("O'Brien, Jr.", "o brien jr")]
    #[case::nfkc_fullwidth("ＡＢＣ", "abc")]
    #[case::email_kept("Ali.Rezaei@Example.com", "ali.rezaei@example.com")]
    #[case::whitespace("  many   spaces ", "many spaces")]
    fn search_key_table(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(search_key(input), expected);
    }

    #[test]
    fn zwnj_as_space_splits_the_word() {
        assert_eq!(search_key_with("علی‌رضا", Zwnj::Space), "علی رضا");
    }

    #[rstest]
    #[case("иван петров", "ivan petrov")]
    #[case("رضا", "rza")]
    #[case("محمد", "mhmd")]
    #[case("ali", "ali")]
    fn transliteration(#[case] key: &str, #[case] expected: &str) {
        assert_eq!(transliterate(key), expected);
    }

    #[test]
    fn arabic_and_persian_spellings_meet() {
        assert_eq!(search_key("كريمي"), search_key("کریمی"));
        assert_eq!(search_key("فاطمة"), search_key("فاطمه"));
    }
}
