//! Common short and familiar forms of given names, mapped to the formal name, in the engine's languages. Matching
//! a nickname to its formal name counts as similar names, not as the same name: the model learns how much that
//! is worth.

use std::collections::HashMap;
use std::sync::LazyLock;

/// True when one given name is a familiar form of the other, or both are familiar forms of one name. Both are
/// normalised, compact keys.
pub fn familiar_forms(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let (Some(x), Some(y)) = (GROUPS.get(a), GROUPS.get(b)) else {
        return false;
    };
    x.iter().any(|g| y.contains(g))
}

/// Each name (formal or familiar) to the entries of `FORMS` it belongs to: it runs on almost every compared pair.
static GROUPS: LazyLock<HashMap<&'static str, Vec<usize>>> = LazyLock::new(|| {
    let mut groups: HashMap<&'static str, Vec<usize>> = HashMap::new();
    for (i, (formal, forms)) in FORMS.iter().enumerate() {
        for name in std::iter::once(formal).chain(forms.iter()) {
            groups.entry(name).or_default().push(i);
        }
    }
    groups
});

const FORMS: &[(&str, &[&str])] = &[
    ("robert", &["bob", "bobby", "rob", "robbie", "bert"]),
    ("william", &["bill", "billy", "will", "willy", "liam"]),
    ("richard", &["rick", "ricky", "dick", "rich", "richie"]),
    ("james", &["jim", "jimmy", "jamie"]),
    ("john", &["jack", "johnny", "jon"]),
    ("michael", &["mike", "mikey", "mick"]),
    ("thomas", &["tom", "tommy"]),
    ("joseph", &["joe", "joey"]),
    ("charles", &["charlie", "chuck", "chas"]),
    ("christopher", &["chris", "kit"]),
    ("daniel", &["dan", "danny"]),
    ("matthew", &["matt", "matty"]),
    ("anthony", &["tony"]),
    ("andrew", &["andy", "drew"]),
    ("joshua", &["josh"]),
    ("nicholas", &["nick", "nicky"]),
    ("jonathan", &["jon", "jonny"]),
    ("benjamin", &["ben", "benny"]),
    ("samuel", &["sam", "sammy"]),
    ("alexander", &["alex", "al", "sandy"]),
    ("edward", &["ed", "eddie", "ted", "ned"]),
    ("steven", &["steve"]),
    ("stephen", &["steve"]),
    ("timothy", &["tim", "timmy"]),
    ("kenneth", &["ken", "kenny"]),
    ("ronald", &["ron", "ronnie"]),
    ("donald", &["don", "donnie"]),
    ("gregory", &["greg"]),
    ("patrick", &["pat", "paddy"]),
    ("peter", &["pete"]),
    ("raymond", &["ray"]),
    ("gerald", &["gerry", "jerry"]),
    ("lawrence", &["larry"]),
    ("frederick", &["fred", "freddie"]),
    ("zachary", &["zach", "zack"]),
    (
        "elizabeth",
        &["liz", "lizzie", "beth", "betty", "eliza", "betsy"],
    ),
    ("margaret", &["maggie", "meg", "peggy", "marge"]),
    ("katherine", &["kate", "katie", "kathy", "kat"]),
    ("catherine", &["cathy", "cate"]),
    ("jennifer", &["jen", "jenny"]),
    ("jessica", &["jess", "jessie"]),
    ("patricia", &["pat", "patty", "trish"]),
    ("susan", &["sue", "susie"]),
    ("deborah", &["deb", "debbie"]),
    ("rebecca", &["becky", "becca"]),
    ("christina", &["chris", "tina"]),
    ("christine", &["chris", "chrissy"]),
    ("victoria", &["vicky", "tori"]),
    ("samantha", &["sam", "sammie"]),
    ("alexandra", &["alex", "sandra", "lexi"]),
    ("abigail", &["abby"]),
    ("kimberly", &["kim"]),
    ("pamela", &["pam"]),
    ("barbara", &["barb", "babs"]),
    ("dorothy", &["dot", "dottie"]),
    ("amanda", &["mandy"]),
    ("melissa", &["mel", "missy"]),
    ("stephanie", &["steph"]),
    ("nicole", &["nikki"]),
    // Russian diminutives, as normalised (ё → е).
    ("александр", &["саша", "шура", "саня"]),
    ("александра", &["саша", "шура"]),
    ("алексей", &["леша", "алеша"]),
    ("анастасия", &["настя"]),
    ("анна", &["аня", "анюта"]),
    ("владимир", &["вова", "володя"]),
    ("дмитрий", &["дима", "митя"]),
    ("евгений", &["женя"]),
    ("евгения", &["женя"]),
    ("екатерина", &["катя"]),
    ("елена", &["лена"]),
    ("иван", &["ваня"]),
    ("мария", &["маша"]),
    ("михаил", &["миша"]),
    ("наталья", &["наташа"]),
    ("николай", &["коля"]),
    ("ольга", &["оля"]),
    ("павел", &["паша"]),
    ("сергей", &["сережа"]),
    ("татьяна", &["таня"]),
    ("юлия", &["юля"]),
    ("константин", &["костя"]),
    ("виктор", &["витя"]),
    ("светлана", &["света"]),
    ("людмила", &["люда"]),
    ("галина", &["галя"]),
    ("ирина", &["ира"]),
    ("андрей", &["андрюша"]),
    ("борис", &["боря"]),
    ("григорий", &["гриша"]),
    ("юрий", &["юра"]),
    ("ксения", &["ксюша"]),
    ("дарья", &["даша"]),
    ("максим", &["макс"]),
    ("пётр", &["петя"]),
    ("петр", &["петя"]),
    // Turkish short forms.
    ("mehmet", &["memo"]),
    ("mustafa", &["musti"]),
    ("abdullah", &["apo"]),
    ("huseyin", &["huso"]),
    // Persian and Arabic short forms in common use.
    ("محمد", &["ممد"]),
    ("عبدالله", &["عبدو"]),
    ("فاطمه", &["فاطی"]),
    ("مصطفی", &["مصی"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn familiar_and_formal_forms_are_recognised() {
        assert!(familiar_forms("bob", "robert"));
        assert!(familiar_forms("robbie", "bob"));
        assert!(familiar_forms("саша", "александр"));
        assert!(familiar_forms("sam", "samantha"));
        assert!(!familiar_forms("robert", "robert"));
        assert!(!familiar_forms("robert", "richard"));
    }
}
