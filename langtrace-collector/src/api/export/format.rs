//! The `format` parameter of an export: which formats a route offers, the 400 naming
//! them, and each format's media type and file extension.

use serde::Deserialize;

use crate::app::ApiError;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line, the API's object for each row.
    Jsonl,
    /// A header and one record per row, a fixed column set.
    Csv,
    /// OpenAI supervised fine-tuning: `{"messages": [...], "tools"?: [...]}` per line.
    OpenaiSft,
    /// OpenAI direct preference optimisation: input, preferred and non-preferred output.
    OpenaiDpo,
}

impl Format {
    /// The parameter's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::OpenaiSft => "openai_sft",
            Format::OpenaiDpo => "openai_dpo",
        }
    }

    /// The answer's `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Jsonl | Format::OpenaiSft | Format::OpenaiDpo => "application/x-ndjson",
        }
    }

    /// The downloaded file's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl | Format::OpenaiSft | Format::OpenaiDpo => "jsonl",
        }
    }

    /// The format `text` names among `offered` (the first of them when none is named);
    /// 400 naming the offered ones otherwise.
    pub fn parse(text: Option<&str>, offered: &[Format]) -> Result<Format, ApiError> {
        let Some(text) = text else { return Ok(offered[0]) };
        offered.iter().copied().find(|format| format.name() == text).ok_or_else(|| {
            let names: Vec<&str> = offered.iter().map(|format| format.name()).collect();
            ApiError::BadRequest(format!("format must be one of {}, got {text:?}", names.join(", ")))
        })
    }
}

/// The `format` query parameter.
#[derive(Debug, Default, Deserialize)]
pub struct FormatQuery {
    /// The format's name.
    pub format: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_format_else_the_first_offered_else_a_400_listing_them() {
        let offered = [Format::Jsonl, Format::Csv];
        assert_eq!(Format::parse(None, &offered).unwrap(), Format::Jsonl);
        assert_eq!(Format::parse(Some("csv"), &offered).unwrap(), Format::Csv);
        let error = Format::parse(Some("openai_sft"), &offered).unwrap_err().to_string();
        assert_eq!(error, "format must be one of jsonl, csv, got \"openai_sft\"");
    }
}
