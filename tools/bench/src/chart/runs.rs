//! A figures run's results: one JSON object per line, each one run of one row against one server
//! (`row`, `server`, `run`, and bench's figures such as `deliveries_per_second`).

use serde_json::Value;

/// Every run of a figures run, as the script recorded them.
pub struct Runs {
    records: Vec<Value>,
}

impl Runs {
    /// Reads results.jsonl; a line that is not a JSON object is an error naming the line.
    pub fn parse(text: &str) -> Result<Runs, String> {
        let mut records = Vec::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(line) {
                Ok(record @ Value::Object(_)) => records.push(record),
                _ => return Err(format!("line {} is not a JSON object", index + 1)),
            }
        }
        Ok(Runs { records })
    }

    /// The median of `field` over the runs of `row` against `server`, or None when no run of
    /// theirs has that figure (the row was not run, or every run failed before measuring).
    pub fn median(&self, row: &str, server: &str, field: &str) -> Option<f64> {
        let mut values: Vec<f64> = self
            .records
            .iter()
            .filter(|record| record["row"] == row && record["server"] == server)
            .filter_map(|record| record[field].as_f64())
            .collect();
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let middle = values.len() / 2;
        Some(if values.len() % 2 == 1 {
            values[middle]
        } else {
            (values[middle - 1] + values[middle]) / 2.0
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_taken_over_one_rows_runs_against_one_server() {
        let runs = Runs::parse(concat!(
            r#"{"row": "a", "server": "lab03", "x": 3}"#,
            "\n",
            r#"{"row": "a", "server": "lab03", "x": 1}"#,
            "\n\n",
            r#"{"row": "a", "server": "lab03", "x": 2}"#,
            "\n",
            r#"{"row": "a", "server": "lab05", "x": 100}"#,
            "\n",
            r#"{"row": "b", "server": "lab03", "x": 50}"#,
            "\n",
            r#"{"row": "a", "server": "lab03", "failed": "did not start"}"#,
        ))
        .unwrap();
        assert_eq!(runs.median("a", "lab03", "x"), Some(2.0));
        assert_eq!(runs.median("a", "lab05", "x"), Some(100.0));
        assert_eq!(runs.median("c", "lab03", "x"), None);
    }

    #[test]
    fn an_even_count_of_runs_takes_the_mean_of_the_middle_two() {
        let runs = Runs::parse(concat!(
            r#"{"row": "a", "server": "s", "x": 1}"#,
            "\n",
            r#"{"row": "a", "server": "s", "x": 4}"#,
        ))
        .unwrap();
        assert_eq!(runs.median("a", "s", "x"), Some(2.5));
    }

    #[test]
    fn a_line_that_is_not_json_is_named() {
        let error = Runs::parse("{\"row\": \"a\"}\nnot json\n").err().unwrap();
        assert_eq!(error, "line 2 is not a JSON object");
    }
}
