//! Tables for human output (comfy-table), plain when not on a terminal.

use comfy_table::{presets, ContentArrangement};

/// A simple table: a header row and string cells.
pub struct Table {
    inner: comfy_table::Table,
}

impl Table {
    pub fn new<I, S>(header: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut inner = comfy_table::Table::new();
        inner
            .load_preset(presets::UTF8_BORDERS_ONLY)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.into_iter().map(Into::into).collect::<Vec<String>>());
        Table { inner }
    }

    /// A two-column key/value table, as `vault read` prints.
    pub fn key_value() -> Table {
        Table::new(["Key", "Value"])
    }

    pub fn row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.inner
            .add_row(cells.into_iter().map(Into::into).collect::<Vec<String>>());
        self
    }

    pub fn render(&self) -> String {
        self.inner.to_string()
    }
}
