//! Every word the charts show, in each of the guide's editions: English (guide/src/images/),
//! Arabic (images/ar/) and Persian (images/fa/). The Arabic and Persian words are the guide's
//! own, as its catalogues (guide/po/ar.po, fa.po) say them: «التسليمات في الثانية» and
//! «تحویل در ثانیه» for deliveries per second, «الوسيط» and «میانه» for the median, «المئين 99»
//! and «صدک 99» for the 99th percentile, «مشوّهة» and «خراب» for garbled, as the bench chapter's
//! tables write them. Numbers keep their Western digits and commas there, and so do they here;
//! the lab names, "Python" and the unit "ms" stay Latin in every edition (`LATIN`).
//!
//! The Persian words hold zero-width non-joiners (U+200C) where Persian writes one, as the
//! catalogue does: «می‌فرستند», «میلی‌ثانیه».

/// The words of one edition.
pub struct Words {
    /// The throughput chart's title.
    pub throughput_title: &'static str,
    /// The name of its one series, and of its value axis.
    pub deliveries_per_second: &'static str,
    /// The latency chart's title.
    pub latency_title: &'static str,
    /// Its value axis.
    pub latency_axis: &'static str,
    /// Written after each latency bar's value.
    pub milliseconds: &'static str,
    /// The latency chart's two series.
    pub median: &'static str,
    pub percentile_99: &'static str,
    /// The rooms, in the charts' order: lab03, lab05, document 000's server, document 002's.
    pub rooms: [&'static str; 4],
    /// After the value axis's name, before the run's name: "(median of the runs; run DATE)".
    pub median_of_the_runs: &'static str,
    /// What a room got wrong, after its count: "747,400 lost, 15,200 garbled".
    pub lost: &'static str,
    pub garbled: &'static str,
    /// Between what a room got wrong: the comma of "747,400 lost, 15,200 garbled".
    pub and: &'static str,
    /// An axis tick's millions and thousands: "2.5M", "800k".
    pub million: &'static str,
    pub thousand: &'static str,
}

/// One edition of the charts: where its files go under `--out` ("" for the English ones, at
/// its top), whether its script runs right to left, and its words.
pub struct Edition {
    pub dir: &'static str,
    pub right_to_left: bool,
    pub words: Words,
}

/// The editions, English first; bench-chart draws every chart once for each.
pub const EDITIONS: [Edition; 3] = [ENGLISH, ARABIC, PERSIAN];

/// The words that stay Latin in every edition: the lab names, the documents' language, the
/// unit of latency, and the "x" of "100 members x 200 messages" (as the catalogues keep them).
/// The tests check each edition's words against it.
#[cfg(test)]
pub const LATIN: [&str; 5] = ["lab03", "lab05", "Python", "ms", "x"];

const ENGLISH: Edition = Edition {
    dir: "",
    right_to_left: false,
    words: Words {
        throughput_title: "Deliveries per second: 100 members x 200 messages of 100 bytes",
        deliveries_per_second: "deliveries per second",
        latency_title: "Latency: 5 members sending 20 messages a second each",
        latency_axis: "milliseconds from send to delivery",
        milliseconds: "ms",
        median: "median",
        percentile_99: "99th percentile",
        rooms: [
            "lab03 (a thread per member)",
            "lab05 (tuned)",
            "document 000 (Python)",
            "document 002 (Python)",
        ],
        median_of_the_runs: "median of the runs; run",
        lost: "lost",
        garbled: "garbled",
        and: ", ",
        million: "M",
        thousand: "k",
    },
};

const ARABIC: Edition = Edition {
    dir: "ar",
    right_to_left: true,
    words: Words {
        throughput_title: "التسليمات في الثانية: 100 عضو x 200 رسالة من 100 بايت",
        deliveries_per_second: "التسليمات في الثانية",
        latency_title: "زمن التأخير: 5 أعضاء يرسل كلٌّ منهم 20 رسالة في الثانية",
        latency_axis: "الزمن من الإرسال حتى التسليم، بأجزاء من الألف من الثانية",
        milliseconds: "ms",
        median: "الوسيط",
        percentile_99: "المئين 99",
        rooms: [
            "lab03 (خيط لكل عضو)",
            "lab05 (محسَّن الأداء)",
            "المستند 000 (Python)",
            "المستند 002 (Python)",
        ],
        median_of_the_runs: "وسيط الجولات؛ التشغيل",
        lost: "ضائعة",
        garbled: "مشوّهة",
        and: "، ",
        million: " مليون",
        thousand: " ألف",
    },
};

const PERSIAN: Edition = Edition {
    dir: "fa",
    right_to_left: true,
    words: Words {
        throughput_title: "تحویل در ثانیه: 100 عضو x 200 پیام 100 بایتی",
        deliveries_per_second: "تحویل در ثانیه",
        latency_title: "تأخیر: 5 عضو که هر کدام 20 پیام در ثانیه می‌فرستند",
        latency_axis: "میلی‌ثانیه از فرستادن تا تحویل",
        milliseconds: "ms",
        median: "میانه",
        percentile_99: "صدک 99",
        rooms: [
            "lab03 (یک نخ برای هر عضو)",
            "lab05 (بهینه‌شده)",
            "سند 000 (Python)",
            "سند 002 (Python)",
        ],
        median_of_the_runs: "میانهٔ اجراها؛ اجرای",
        lost: "گم‌شده",
        garbled: "خراب",
        and: "، ",
        million: " میلیون",
        thousand: " هزار",
    },
};

impl Words {
    /// Every word of the edition (a field left out of this list does not compile: the
    /// destructuring names them all).
    #[cfg(test)]
    pub fn all(&self) -> Vec<&'static str> {
        let Words {
            throughput_title,
            deliveries_per_second,
            latency_title,
            latency_axis,
            milliseconds,
            median,
            percentile_99,
            rooms,
            median_of_the_runs,
            lost,
            garbled,
            and,
            million,
            thousand,
        } = self;
        let mut all = vec![
            *throughput_title,
            deliveries_per_second,
            latency_title,
            latency_axis,
            milliseconds,
            median,
            percentile_99,
            median_of_the_runs,
            lost,
            garbled,
            and,
            million,
            thousand,
        ];
        all.extend(rooms);
        all
    }
}

/// The words of `text` in Latin letters that are not in `LATIN`: what an edition other than
/// English must not show.
#[cfg(test)]
pub fn english_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| word.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|word| !LATIN.contains(word))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editions_are_english_arabic_and_persian_each_in_a_folder_of_its_own() {
        let dirs: Vec<&str> = EDITIONS.iter().map(|edition| edition.dir).collect();
        assert_eq!(dirs, ["", "ar", "fa"]);
        let right_to_left: Vec<bool> = EDITIONS.iter().map(|e| e.right_to_left).collect();
        assert_eq!(right_to_left, [false, true, true]);
    }

    #[test]
    fn no_english_word_is_left_in_the_arabic_and_persian_words() {
        for edition in &EDITIONS[1..] {
            for word in edition.words.all() {
                assert_eq!(
                    english_words(word),
                    Vec::<&str>::new(),
                    "{}: {word:?}",
                    edition.dir
                );
            }
        }
    }

    #[test]
    fn every_word_is_translated_except_the_latin_ones() {
        let english = ENGLISH.words.all();
        for edition in &EDITIONS[1..] {
            for (word, english) in edition.words.all().into_iter().zip(&english) {
                if english_words(english).is_empty() {
                    continue;
                }
                assert_ne!(word, *english, "{} left {english:?} as it is", edition.dir);
            }
        }
    }

    #[test]
    fn english_words_are_found_and_the_latin_ones_kept() {
        assert_eq!(
            english_words("lab03 (a thread per member)"),
            ["a", "thread", "per", "member"]
        );
        assert_eq!(english_words("lab03 (خيط لكل عضو)"), Vec::<&str>::new());
        assert_eq!(
            english_words("100 عضو x 200 رسالة, 40.02 ms"),
            Vec::<&str>::new()
        );
        assert_eq!(english_words("2.5M"), ["5M"]);
    }
}
