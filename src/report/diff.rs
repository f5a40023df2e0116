//! Expected-versus-actual, in the form that reads best for each kind of value.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use similar::{ChangeTag, TextDiff};

/// A difference between what a scenario expected and what the target did. Values are the text
/// the report shows for them (a JSON value is written as JSON: `"en_alerta"` with its quotes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Diff {
    /// One value each (rendered on two lines).
    Value { expected: String, actual: String },
    /// Multi-line texts (rendered as a unified diff).
    Text { expected: String, actual: String },
    /// Tables such as Mi Historial (rendered row by row, aligned).
    Table {
        columns: Vec<String>,
        expected: Vec<Vec<String>>,
        actual: Vec<Vec<String>>,
    },
}

/// A unified-style diff of two texts: `-` expected only, `+` actual only, ` ` both.
pub fn text_diff_lines(expected: &str, actual: &str) -> Vec<(char, String)> {
    TextDiff::from_lines(expected, actual)
        .iter_all_changes()
        .map(|c| {
            let sign = match c.tag() {
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
                ChangeTag::Equal => ' ',
            };
            (sign, c.value().trim_end_matches('\n').to_owned())
        })
        .collect()
}

/// A table diff: a header line and one line per row, columns aligned across both tables, each
/// row marked `-` (expected only), `+` (actual only) or ` ` (both).
pub fn table_diff_lines(
    columns: &[String],
    expected: &[Vec<String>],
    actual: &[Vec<String>],
) -> Vec<(char, String)> {
    let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
    for row in expected.iter().chain(actual) {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let render = |row: &[String]| -> String {
        row.iter()
            .enumerate()
            .map(|(i, cell)| {
                let w = widths.get(i).copied().unwrap_or(0);
                format!("{cell:<w$}")
            })
            .collect::<Vec<_>>()
            .join(" │ ")
            .trim_end()
            .to_owned()
    };
    let exp: Vec<String> = expected.iter().map(|r| render(r)).collect();
    let act: Vec<String> = actual.iter().map(|r| render(r)).collect();
    let mut out = vec![(' ', render(columns))];
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &exp, &act);
    for op in ops {
        for (tag, rows) in op.iter_slices(&exp, &act) {
            let sign = match tag {
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
                ChangeTag::Equal => ' ',
            };
            out.extend(rows.iter().map(|line| (sign, line.clone())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn table_rows_align_and_carry_their_sign() {
        let columns = row(&["Folio", "Tiempo"]);
        let expected = vec![row(&["A-1", "En tiempo"]), row(&["B-22", "En alerta"])];
        let actual = vec![
            row(&["A-1", "En tiempo"]),
            row(&["B-22", "Fuera de tiempo"]),
            row(&["C", "En tiempo"]),
        ];
        let lines: Vec<String> = table_diff_lines(&columns, &expected, &actual)
            .into_iter()
            .map(|(s, l)| format!("{s} {l}"))
            .collect();
        assert_eq!(
            lines,
            [
                "  Folio │ Tiempo",
                "  A-1   │ En tiempo",
                "- B-22  │ En alerta",
                "+ B-22  │ Fuera de tiempo",
                "+ C     │ En tiempo",
            ]
        );
    }

    #[test]
    fn text_diff_marks_changed_lines() {
        let lines = text_diff_lines("a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(
            lines,
            [
                (' ', "a".into()),
                ('-', "b".into()),
                ('+', "B".into()),
                (' ', "c".into())
            ]
        );
    }
}
