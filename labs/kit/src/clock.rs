//! The documents' time stamps, from the local clock.
//!
//! The Python programs call `datetime.now().strftime('%Y-%m-%d')` for the date line and
//! `strftime('%H:%M:%S')` for each message; these are the same formats through chrono.

use chrono::Local;

/// Today's date, as the documents print it above a conversation: `2022-05-29`.
pub fn date() -> String {
    Local::now().format("%Y-%m-%d").to_string()
}

/// The time of day, as the documents stamp each message: `22:07:58`.
pub fn time() -> String {
    Local::now().format("%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> String {
        text.chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect()
    }

    #[test]
    fn date_is_year_month_day() {
        assert_eq!(shape(&date()), "9999-99-99");
    }

    #[test]
    fn time_is_hours_minutes_seconds() {
        assert_eq!(shape(&time()), "99:99:99");
    }
}
