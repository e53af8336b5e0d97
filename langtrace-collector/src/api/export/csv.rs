//! CSV: a header of fixed columns, then one record per row, quoted as RFC 4180 says (by
//! the `csv` crate). Each column is a field of the row's API object: text as itself,
//! numbers and booleans as JSON writes them, null as an empty cell, objects and arrays
//! as their JSON text.

use std::borrow::Cow;

use serde_json::Value;

use super::{Encoder, Item};

/// The CSV encoder of one column set.
pub struct Csv {
    columns: &'static [&'static str],
}

impl Csv {
    /// Columns `columns` (fields of the rows' API objects, in order).
    pub fn new(columns: &'static [&'static str]) -> Self {
        Self { columns }
    }
}

/// Appends one record of `cells` to `out`.
fn record(cells: &[Cow<'_, str>], out: &mut Vec<u8>) {
    let mut writer = ::csv::Writer::from_writer(out);
    // Writing into a `Vec` cannot fail.
    writer.write_record(cells.iter().map(|cell| cell.as_bytes())).expect("CSV into memory");
    writer.flush().expect("CSV into memory");
}

/// A field's cell text.
fn cell(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Null => "".into(),
        Value::String(text) => text.as_str().into(),
        other => other.to_string().into(),
    }
}

impl Encoder for Csv {
    fn start(&mut self, out: &mut Vec<u8>) {
        let header: Vec<Cow<'_, str>> = self.columns.iter().map(|column| Cow::Borrowed(*column)).collect();
        record(&header, out);
    }

    fn item(&mut self, item: &Item, out: &mut Vec<u8>) {
        let cells: Vec<Cow<'_, str>> = self.columns.iter().map(|column| cell(&item.value[*column])).collect();
        record(&cells, out);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn header_quoting_and_nested_json_as_text() {
        let mut csv = Csv::new(&["id", "name", "input", "cost", "missing"]);
        let mut out = Vec::new();
        csv.start(&mut out);
        let value = json!({"id": "a", "name": "say \"hi\", then\nstop", "input": {"q": [1, 2]}, "cost": 0.5});
        csv.item(&Item { id: "a".into(), value }, &mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "id,name,input,cost,missing\na,\"say \"\"hi\"\", then\nstop\",\"{\"\"q\"\":[1,2]}\",0.5,\n");
    }
}
